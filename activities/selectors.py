"""Reads for pages outside the app (home pages): the activities of a week."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Value
from django.utils import timezone

from accounts.roles import Role
from activities.models import PARTY_KINDS, Activity, ActivityStatus, Registration
from grid.models import GridNode, Level, Person
from grid.scope import Scope, held_for


def activities_week(
    node: GridNode, today: datetime.date, *, drafts: bool = False, person_id: int | None = None
) -> list[Activity]:
    """Activities that concern `node` (held there, inside it or above it) from Monday to Sunday of the week
    of `today`, in time order, each with `registered` (how many) and `signed_up` (the reader's person,
    `person_id`, registered) annotated; drafts only for staff. One query."""
    monday = today - datetime.timedelta(days=today.weekday())
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(monday, datetime.time.min, tzinfo=tz)
    shown = [ActivityStatus.PUBLISHED, ActivityStatus.DONE] + ([ActivityStatus.DRAFT] if drafts else [])
    return list(
        with_signed_up(Activity.objects.all(), person_id=person_id)
        .filter(
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
        if not activity.for_party_members:  # a theme party day expects (and takes) party members only
            members |= Q(node__path__startswith=path) & (
                Q(grid_worker__active=True) | (Q(user__isnull=False) & ~Q(user__role=Role.RESIDENT))
            )
    people = scope.filter(
        Person.objects.filter(members, subdistrict_id=activity.subdistrict_id), "node"
    ).select_related("node")
    listed = list(people.distinct().order_by("name", "pk")[:EXPECTED_LIMIT])
    return [(p, registrations.get(p.pk)) for p in listed]


def open_to_everyone(activities: QuerySet[Activity]) -> QuerySet[Activity]:
    """Without the activities meant for party members (PARTY_KINDS): what is offered to residents, who may
    not join those (activities.services.may_join)."""
    return activities.exclude(kind__in=PARTY_KINDS)


def with_signed_up(activities: QuerySet[Activity], **registration: Any) -> QuerySet[Activity]:
    """`activities` with `signed_up` annotated: whether a registration matching `registration` (a person,
    `person_id=…`, or a household, `person__household_id=…`) exists — the "已报名" mark of every list, in
    the list's own query. No condition given (a login without a person): False."""
    if not registration or any(v is None for v in registration.values()):
        return activities.annotate(signed_up=Value(False))
    return activities.annotate(
        signed_up=Exists(Registration.objects.filter(activity=OuterRef("pk"), **registration))
    )
