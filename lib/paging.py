"""Pagination that stays cheap on deep pages: page through primary keys, then load only that page's rows
with their joins (PostgreSQL would otherwise join every skipped row before OFFSET)."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet


class KeyPaginator(Paginator):
    def __init__(self, object_list: QuerySet[Any], per_page: int, *, related: tuple[str, ...] = ()):
        super().__init__(object_list.select_related(None), per_page)
        self._full = object_list.model._default_manager.select_related(*related)

    def page(self, number: Any) -> Page:
        page = super().page(number)
        keys: Any = page.object_list
        ids = list(keys.values_list("pk", flat=True))
        rows = self._full.in_bulk(ids)
        page.object_list = [rows[i] for i in ids]
        return page
