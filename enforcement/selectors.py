"""Reads for the case pages: the filtered, paginated case list with whom each case concerns (masked)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import F, QuerySet

from accounts.models import Role, User
from accounts.roles import SERVE_CASE_PARTIES
from enforcement.models import Case, CaseStatus
from enforcement.services import OPEN_STATUSES, cases_visible_to
from grid.models import GridNode, Level
from grid.presenters import HouseholdView, household_view

PAGE_SIZE = 25
DUE_CHOICES = ("waiting", "overdue")


@dataclass(frozen=True)
class CaseFilters:
    """What the list is narrowed to: a status (CaseStatus value), a residential area (code), the deadline
    ("waiting": a notice's deadline not yet passed; "overdue": passed with no step since). Unknown values
    are dropped rather than refused: a list link should never fail."""

    status: str = ""
    area: str = ""
    due: str = ""

    @classmethod
    def from_query(cls, query: Any, *, status: str = "") -> CaseFilters:
        raw_status = status or query.get("status", "")
        due = query.get("due", "")
        return cls(
            status=raw_status if raw_status in CaseStatus.values else "",
            area=query.get("area", "")[:40],
            due=due if due in DUE_CHOICES else "",
        )

    def querystring(self) -> str:
        from urllib.parse import urlencode

        return urlencode(
            {k: v for k, v in (("status", self.status), ("area", self.area), ("due", self.due)) if v}
        )


@dataclass(frozen=True)
class CaseRow:
    case: Case
    who: str  # case_party: the household as the reader may see it, or the unit
    overdue: bool


# The officer deciding a case must know whom the fine is for and find the door to serve the decision: on the
# cases they may act on (referred: decide; decided: close) they see the household's address, room and contact
# name (household_view(serve=True); the phone stays masked). The officer who acted on a case (`Case.officer`)
# keeps reading its party once it is closed: the page they worked from does not change under them. Another
# officer reads a closed case's name alone (whom the fine was for). cases_visible_to already limits an officer
# to those cases.
SERVING = frozenset({CaseStatus.REFERRED, CaseStatus.DECIDED})
DECIDING = SERVING | {CaseStatus.CLOSED}


# What case_party reads (through grid.presenters.household_view): select it with the cases, one query a list.
PARTY_RELATED = ("household__building__microgrid", "household__grid_worker__person", "household__community")


def party_view(case: Case, user: User) -> HouseholdView | None:
    """The household a case concerns as `user` may see it (None for a unit or another subject): masked unless
    the role sees personal data; address, room and name for the officer on a case they act on (SERVING)."""
    if case.household is None:
        return None
    return household_view(case.household, user, serve=serves_party(case, user))


def serves_party(case: Case, user: User) -> bool:
    """Whether `user` reads the party of `case` as the officer serving it (address, room, name): on a case
    they may act on (SERVING), and on a case they acted on (`Case.officer`), closed since."""
    if not user.has_role(SERVE_CASE_PARTIES):
        return False
    return case.status in SERVING or (case.status in DECIDING and case.officer_id == user.pk)


def case_party(case: Case, user: User) -> str:
    """Whom a case concerns as `user` may see it: "building room name" for a household (room and name masked
    unless the role sees personal data; the officer sees room and name on a case they act on, the name on one
    closed since), else the unit's name or the kind of subject."""
    v = party_view(case, user)
    if v is None or case.household is None:
        return case.subject_name or case.get_subject_display()
    if user.role == Role.ENFORCEMENT_OFFICER and case.status in DECIDING:
        name = case.household.contact_name
    else:
        name = "" if v.masked else v.contact_name
    return " ".join(p for p in (v.building, v.room, name) if p)


def case_areas(user: User) -> QuerySet[GridNode]:
    """The residential areas a user may filter the list by."""
    return GridNode.objects.visible_to(user).filter(level=Level.COMMUNITY).order_by("code")


def case_page(
    user: User, filters: CaseFilters, page: Any, *, today: datetime.date
) -> tuple[Page[Any], list[CaseRow]]:
    """One page (PAGE_SIZE rows, newest first) of the cases the user may see, narrowed by `filters`; `page` is
    the raw page number (anything unreadable gives the first page, past the end the last). Three queries."""
    qs = cases_visible_to(user).select_related(*PARTY_RELATED)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.area:
        qs = qs.filter(community__code=filters.area)
    if filters.due == "waiting":
        qs = qs.filter(due__gte=today)
    elif filters.due == "overdue":
        qs = qs.filter(due__lt=today)
    current = Paginator(qs.order_by("-created_at", "-id"), PAGE_SIZE).get_page(page)
    rows = []
    for case in current.object_list:
        who = case_party(case, user)
        rows.append(CaseRow(case=case, who=who, overdue=case.due is not None and case.due < today))
    return current, rows


def cases_awaiting_step(user: User, *, today: datetime.date, limit: int = 10) -> tuple[int, list[CaseRow]]:
    """(how many, the first `limit`) open cases the user sees, those with the nearest deadline (`due`)
    first, then the longest untouched: for a home page's "today". Two queries."""
    qs = cases_visible_to(user).filter(status__in=OPEN_STATUSES)
    rows = []
    for case in qs.select_related(*PARTY_RELATED).order_by(F("due").asc(nulls_last=True), "updated_at", "id")[
        :limit
    ]:
        who = case_party(case, user)
        rows.append(CaseRow(case=case, who=who, overdue=case.due is not None and case.due < today))
    return qs.count(), rows


def open_case_counts(user: User, *, today: datetime.date) -> dict[str, int]:
    """How many open cases the user sees per status, plus "overdue" (a deadline passed): one query."""
    from django.db.models import Count, Q

    rows = (
        cases_visible_to(user)
        .filter(status__in=OPEN_STATUSES)
        .values("status")
        .annotate(n=Count("id"), late=Count("id", filter=Q(due__lt=today)))
        .order_by()
    )
    counts = {r["status"]: r["n"] for r in rows}
    counts["overdue"] = sum(r["late"] for r in rows)
    return counts


def case_counts(user: User, start: datetime.datetime, end: datetime.datetime) -> tuple[int, int]:
    """(opened, closed) among the cases the user sees, between two moments, by the steps the case page
    shows: opened = the case's first "proposed" step, closed = a "closed" step not voided since. Not the
    row's `created_at`: a case entered later with its steps' real times (the demo's, a backlog typed in)
    was opened when its first step says. Two queries."""
    from django.db.models import Min, Q

    from enforcement.models import CaseStep

    visible = cases_visible_to(user)
    opened = (
        visible.annotate(opened_at=Min("steps__at", filter=Q(steps__status=CaseStatus.PROPOSED)))
        .filter(opened_at__gte=start, opened_at__lt=end)
        .count()
    )
    closed = (
        CaseStep.objects.filter(
            case__in=visible, status=CaseStatus.CLOSED, voided_by__isnull=True, at__gte=start, at__lt=end
        )
        .values("case_id")
        .distinct()
        .count()
    )
    return opened, closed
