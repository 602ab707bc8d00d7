"""The grid worker's "my households" (`grid:my_households`, /grid/my/): their own households, who needs
attention first. Each card reads four apps besides the grid (drop-offs from supervision, the green account from
points, an open case from enforcement, the last visit from party), so the page is the project's: the grid
imports none of them. Mounted in the grid namespace by wastegrid/urls.py; the template is grid's."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Max, Q, Sum
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.access import AuthenticatedHttpRequest, role_required
from accounts.roles import GRID_WORKER_ONLY
from enforcement.models import Case, CaseStatus
from grid.models import GridWorker, Household
from grid.presenters import household_view
from lib.clock import local_today
from lib.distribution import in_sd
from party.selectors import last_visits, needs_visit
from points.models import PointsAccount
from supervision.models import HouseholdDay

# --- the worker's own households, who needs attention first ------------------------------------------------

MISTAKE_DAYS = 30  # "mistakes" on the cards: the last 30 days, from the HouseholdDay rollup
DROPOFF_DAYS = 365  # the last drop-off is looked for this far back (older: shown as none)


@dataclass
class HouseholdState:
    """One card of "my households": the household and what the worker needs to know before knocking."""

    household: Household
    mistakes: int  # mistakes at the bins in the last MISTAKE_DAYS days (mixed, bag not broken, refused)
    last_mistake: datetime.date | None
    last_dropoff: datetime.date | None  # within DROPOFF_DAYS
    points: int  # green-account balance, 0 without an account
    open_case: str  # an open enforcement case's status label, "" when none
    last_visit: datetime.date | None  # last door-to-door visit, any time
    today: datetime.date

    @property
    def needs_visit(self) -> bool:
        """party.selectors' one rule (not visited yet this quarter: exactly the households the coverage counter
        still misses), the one the dashboard's households to visit follow too."""
        return needs_visit(self.last_visit, self.today)

    @property
    def visited_this_quarter(self) -> bool:
        return not self.needs_visit

    def attention_key(self) -> tuple[bool, int, datetime.date, str]:
        """Who needs attention first: an open case, then the most mistakes, then the longest without a visit
        (never visited first), then by code so that the order is stable."""
        return (not self.open_case, -self.mistakes, self.last_visit or datetime.date.min, self.household.code)


def worker_households(user: Any, today: datetime.date) -> tuple[GridWorker | None, list[HouseholdState]]:
    """The user's own households (as their active grid worker, within their Scope) with each one's state,
    ordered by `HouseholdState.attention_key`. Six queries whatever the number of households (the worker, the
    households, then one grouped query each over HouseholdDay, PointsAccount, Case and Visit), every one naming
    the sub-district (the distribution key). (None, []) for a user who is no active grid worker."""
    node = user.node
    if node is None or user.person_id is None:
        return None, []
    sd = in_sd(node)
    worker = (
        GridWorker.objects.filter(**sd, **in_sd(node, "person__"), person_id=user.person_id, active=True)
        .select_related("microgrid", "person")
        .first()
    )
    if worker is None:
        return None, []
    sd = {"subdistrict_id": worker.subdistrict_id}
    households = list(
        Household.objects.visible_to(user)
        .filter(**sd, building__subdistrict_id=worker.subdistrict_id, grid_worker=worker)
        .select_related("building", "building__microgrid", "community")
    )
    for h in households:
        h.grid_worker = worker  # all the same one: no join on the worker and their person per row
    ids = [h.pk for h in households]
    since = today - datetime.timedelta(days=MISTAKE_DAYS)
    days: dict[int, dict[str, Any]] = {
        r["household_id"]: dict(r)
        for r in HouseholdDay.objects.filter(
            **sd, household_id__in=ids, day__gte=today - datetime.timedelta(days=DROPOFF_DAYS)
        )
        .values("household_id")
        .annotate(
            # Names unlike the fields: an annotation named "mistakes" would shadow the field in the filters.
            recent_mistakes=Sum("mistakes", filter=Q(day__gte=since)),
            last_mistake=Max("day", filter=Q(mistakes__gt=0)),
            last_dropoff=Max("day", filter=Q(total__gt=0)),
        )
        .order_by()
    }
    points = dict(
        PointsAccount.objects.filter(**sd, household_id__in=ids).values_list("household_id", "balance")
    )
    labels = dict(CaseStatus.choices)
    cases: dict[int, str] = {}
    for household_id, status in (
        Case.objects.filter(**sd, household_id__in=ids)
        .exclude(status__in=[CaseStatus.CLOSED, CaseStatus.DISMISSED])
        .order_by("created_at")
        .values_list("household_id", "status")
    ):
        cases[household_id] = str(labels.get(status, status))  # the newest open case wins
    visits = last_visits(worker.subdistrict_id, ids)
    states = [
        HouseholdState(
            household=h,
            mistakes=days.get(h.pk, {}).get("recent_mistakes") or 0,
            last_mistake=days.get(h.pk, {}).get("last_mistake"),
            last_dropoff=days.get(h.pk, {}).get("last_dropoff"),
            points=points.get(h.pk, 0),
            open_case=cases.get(h.pk, ""),
            last_visit=visits.get(h.pk),
            today=today,
        )
        for h in households
    ]
    states.sort(key=HouseholdState.attention_key)
    return worker, states


# Filters of "my households" (?show=…): each a predicate over HouseholdState.
MY_FILTERS = {"visit": lambda s: s.needs_visit}


@require_GET
@role_required(GRID_WORKER_ONLY)
def my_households(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The worker's own households, who needs attention first (see worker_households)."""
    user = request.user
    worker, states = worker_households(user, local_today())
    show = request.GET.get("show", "")
    if show not in MY_FILTERS:
        show = ""
    visited = sum(s.visited_this_quarter for s in states)
    need = sum(s.needs_visit for s in states)
    total = len(states)
    if show:
        states = [s for s in states if MY_FILTERS[show](s)]
    return render(
        request,
        "grid/my_households.html",
        {
            "worker": worker,
            "cards": [(household_view(s.household, user), s) for s in states],
            "visited": visited,
            "total": total,
            "need": need,
            "show": show,
        },
    )
