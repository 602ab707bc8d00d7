"""Reads for pages outside the app (home pages): the activities of a week."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q
from django.utils import timezone

from accounts.roles import Role
from activities.models import Activity, ActivityStatus, Registration
from grid.models import GridNode, Level, Person
from grid.scope import Scope, held_for


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


EXPECTED_LIMIT = 200  # an attendance list longer than this is not ticked by hand


def expected_attendees(activity: Activity, scope: Scope) -> list[tuple[Person, Registration | None]]:
    """The attendance list of a meeting, for staff of `scope` to tick: everyone registered, the members of
    the activity's party organisation, and — for a meeting of a residential area or micro-grid — its own
    people who work through an account or a role there (party members serving it, grid workers, volunteers
    and other non-resident logins). Each with their registration (None: expected, not registered), by name;
    only people the staff member may check in (their part of the grid). Two queries."""
    registrations = {
        r.person_id: r for r in Registration.objects.filter(activity=activity).select_related("person")
    }
    members = Q(pk__in=list(registrations))
    if activity.org_id:
        members |= Q(party_member__org_id=activity.org_id, party_member__active=True)
    if activity.node.level in (Level.COMMUNITY, Level.MICROGRID):
        path = activity.node.path
        members |= Q(party_member__active=True, party_member__community__path__startswith=path)
        members |= Q(node__path__startswith=path) & (
            Q(grid_worker__active=True) | (Q(user__isnull=False) & ~Q(user__role=Role.RESIDENT))
        )
    people = scope.filter(
        Person.objects.filter(members, subdistrict_id=activity.subdistrict_id), "node"
    ).select_related("node")
    listed = list(people.distinct().order_by("name", "pk")[:EXPECTED_LIMIT])
    return [(p, registrations.get(p.pk)) for p in listed]
