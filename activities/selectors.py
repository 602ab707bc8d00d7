"""Reads for pages outside the app (home pages): the activities of a week."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q
from django.utils import timezone

from activities.models import Activity, ActivityStatus
from grid.models import GridNode
from grid.scope import held_for


def activities_week(node: GridNode, today: datetime.date, *, drafts: bool = False) -> list[Activity]:
    """Activities that concern `node` (held there, inside it or above it) from Monday to Sunday of the week
    of `today`, in time order, each with `registered` (how many) annotated; drafts only for staff. One
    query."""
    monday = today - datetime.timedelta(days=today.weekday())
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(monday, datetime.time.min, tzinfo=tz)
    shown = [ActivityStatus.PUBLISHED, ActivityStatus.DONE] + ([ActivityStatus.DRAFT] if drafts else [])
    return list(
        Activity.objects.filter(
            held_for(node),
            status__in=shown,
            starts_at__gte=start,
            starts_at__lt=start + datetime.timedelta(days=7),
        )
        .select_related("node")
        .annotate(registered=Count("registrations", filter=Q(registrations__isnull=False)))
        .order_by("starts_at")[:20]
    )
