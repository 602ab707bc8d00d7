"""Pagination that stays cheap on deep pages: page through primary keys, then load only that page's rows
with their joins (PostgreSQL would otherwise join every skipped row before OFFSET)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)

if TYPE_CHECKING:

    class _Paginator(Paginator[M]): ...

else:  # Django's Paginator takes no subscript at run time

    class _Paginator(Paginator, Generic[M]): ...


class KeyPaginator(_Paginator[M]):
    def __init__(self, object_list: QuerySet[M], per_page: int, *, related: tuple[str, ...] = ()):
        super().__init__(object_list.select_related(None), per_page)
        self._full = object_list.model._default_manager.select_related(*related)

    def page(self, number: int | str) -> Page[M]:
        page = super().page(number)
        keys: Any = page.object_list  # the sliced queryset of the page (typed as a sequence by the stubs)
        ids = list(keys.values_list("pk", flat=True))
        rows = self._full.in_bulk(ids)
        page.object_list = [rows[i] for i in ids]
        return page
