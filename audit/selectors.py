"""Reading the audit log: the entries a user may see, narrowed by the page's filters."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone

from audit.models import AuditEntry
from audit.presenter import SYSTEM_ACTOR
from lib.codes import opaque_code

__all__ = ["SYSTEM_ACTOR", "AuditFilters", "actors_for", "filter_entries", "record_kinds", "visible_entries"]


@dataclass(frozen=True)
class AuditFilters:
    actor: str = ""  # a username, or "system"
    kind: str = ""  # a model label ("party.Visit")
    start: datetime.date | None = None
    end: datetime.date | None = None
    q: str = ""  # a record's code or a part of its name


def visible_entries(user: Any) -> QuerySet[AuditEntry]:
    """The log a sub-district admin reads: their sub-district's entries (everything for an unbound superuser),
    each with its actor's person (the page names people, not only logins; a join, not a query per row)."""
    qs = AuditEntry.objects.select_related("actor__person")
    if user.node is not None:
        qs = qs.filter(subdistrict_id=user.node.subdistrict_id)
    return qs


def record_kinds() -> list[tuple[str, str]]:
    """The project's record types (label, name in the page's language), by name."""
    base = str(settings.BASE_DIR)
    kinds = [
        (m._meta.label, str(m._meta.verbose_name))
        for m in apps.get_models()
        if str(apps.get_app_config(m._meta.app_label).path).startswith(base)
        and "site-packages" not in str(apps.get_app_config(m._meta.app_label).path)
        and not m._meta.label.startswith(("audit.", "jobs."))
        and "verbose_name" in m._meta.original_attrs  # named by us (translated), not internal rollups
    ]
    return sorted(kinds, key=lambda kind: kind[1])


def actors_for(user: Any) -> QuerySet[Any]:
    """The accounts whose actions the user may look for: those of their sub-district (all for a superuser)."""
    qs = get_user_model().objects.order_by("username")
    if user.node is not None:
        qs = qs.filter(node__subdistrict_id=user.node.subdistrict_id)
    return qs


def _code_matches(q: str, kind: str) -> Q:
    """Records named by an opaque or readable `code` equal to q: their entries by model and id."""
    found = Q()
    for model in apps.get_models():
        if kind and model._meta.label != kind:
            continue
        f = next((f for f in model._meta.concrete_fields if f.name == "code"), None)
        if f is None or not isinstance(f, models.CharField) or not (f.unique or f.default is opaque_code):
            continue
        pks = list(model._default_manager.filter(code__iexact=q).values_list("pk", flat=True)[:20])
        if pks:
            found |= Q(model=model._meta.label, object_id__in=[str(pk) for pk in pks])
    return found


def _links_of(kind: str) -> list[str]:
    """The join rows of a kind's many-to-many fields (a visit plan's visitors): its changes too."""
    try:
        model = apps.get_model(kind)
    except (LookupError, ValueError):
        return []
    return [
        f.remote_field.through._meta.label  # type: ignore[union-attr]
        for f in model._meta.many_to_many
        if f.remote_field.through._meta.auto_created  # type: ignore[union-attr]
    ]


def filter_entries(qs: QuerySet[AuditEntry], filters: AuditFilters) -> QuerySet[AuditEntry]:
    if filters.actor == SYSTEM_ACTOR:
        qs = qs.filter(actor__isnull=True, actor_name__in=("", SYSTEM_ACTOR))
    elif filters.actor:
        qs = qs.filter(actor_name=filters.actor)
    if filters.kind:
        qs = qs.filter(model__in=[filters.kind, *_links_of(filters.kind)])
    tz = timezone.get_default_timezone()
    if filters.start:
        qs = qs.filter(at__gte=datetime.datetime.combine(filters.start, datetime.time.min, tzinfo=tz))
    if filters.end:
        end = filters.end + datetime.timedelta(days=1)
        qs = qs.filter(at__lt=datetime.datetime.combine(end, datetime.time.min, tzinfo=tz))
    if filters.q:
        qs = qs.filter(Q(object_repr__icontains=filters.q) | _code_matches(filters.q, filters.kind))
    return qs
