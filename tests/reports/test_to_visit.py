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
