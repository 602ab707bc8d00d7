"""One rule for "needs a visit" (party.selectors.needs_visit): the dashboard's households to visit and the grid
worker's "my households" agree: a household visited this quarter is listed by neither."""

from __future__ import annotations

import datetime
import uuid

import pytest

from grid.models import Household
from lib.clock import local_today
from lib.periods import last_days
from party.selectors import visits_due_since
from party.services import visit_record
from reports.selectors import dashboard
from supervision.services import point_create
from tests.conftest import Grid, client_for, drop_offs
from wastegrid.my_households import worker_households


@pytest.mark.django_db
def test_a_household_visited_this_quarter_needs_no_visit_on_either_page(grid: Grid, personas: dict) -> None:
    today = local_today()
    worker = personas["grid_worker"]
    point = point_create(actor=None, community=grid.c1, name="甲1号点", code="TSD-P1")
    visited = grid.h1
    last_quarter = Household.objects.get(building=grid.b1, room="102")
    never = Household.objects.get(building=grid.b1, room="103")
    for h in (visited, last_quarter, never):
        for d in (1, 2, 3):
            drop_offs(point, h, today - datetime.timedelta(days=d), ["mixed", "refused"])
    visit_record(actor=worker, household=visited, day=today, outcome="talked", client_id=uuid.uuid4())
    visit_record(
        actor=worker,
        household=last_quarter,
        day=visits_due_since(today) - datetime.timedelta(days=1),
        outcome="talked",
        client_id=uuid.uuid4(),
    )

    board = dashboard(grid.c1, *last_days(30, today), today=today)
    listed = {o.household.code for o in board.visits}
    assert listed == {last_quarter.code, never.code}

    _worker, states = worker_households(worker, today)
    needs = {s.household.code for s in states if s.needs_visit}
    assert visited.code not in needs and {last_quarter.code, never.code} <= needs

    page = (
        client_for(personas["community_secretary"])
        .get(f"/reports/dashboard/{grid.c1.code}/")
        .content.decode()
    )
    table = page[page.index('id="visits"') :]
    table = table[: table.index("</table>")]
    assert f"/grid/households/{visited.code}/" not in table and f"/grid/households/{never.code}/" in table


@pytest.mark.django_db
def test_households_to_visit_are_found_past_the_worst_when_those_were_all_visited(grid: Grid) -> None:
    """The visited are left out in the query, not after taking the worst `limit * 10`: with more than that
    visited this quarter, the households still to visit come back (limit of them)."""
    from grid.scope import Scope
    from reports.selectors import to_visit

    today = local_today()
    point = point_create(actor=None, community=grid.c1, name="甲1号点", code="TSD-P1")
    limit = 1
    households = list(Household.objects.filter(community=grid.c1).order_by("pk"))
    worst, rest = households[: limit * 10 + 2], households[limit * 10 + 2 : limit * 10 + 4]
    for h in worst:  # the most mistakes, every one visited this quarter
        drop_offs(point, h, today - datetime.timedelta(days=1), ["mixed"] * 5)
        visit_record(actor=None, household=h, day=today, outcome="talked", client_id=uuid.uuid4())
    for h in rest:  # fewer mistakes, never visited
        drop_offs(point, h, today - datetime.timedelta(days=1), ["mixed"] * 3)
    since = today - datetime.timedelta(days=30)
    scope = Scope.of_node(grid.c1)
    assert [o.household for o in to_visit(grid.c1, since, today, scope=scope, limit=limit)] == rest[:1]
    assert {o.household for o in to_visit(grid.c1, since, today, scope=scope, limit=5)} == set(rest)
