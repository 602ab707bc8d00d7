"""The grid worker's own households (state, attention order, "needs a visit") and recording a visit from a
household's page: the counters move at once (the household page's and the visit plan's), nothing twice."""

from __future__ import annotations

import datetime
import re
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from enforcement.models import CaseSource, Subject
from enforcement.services import case_open
from grid.models import Household
from lib.clock import local_today
from lib.distribution import unscoped
from lib.numbers import fmt
from lib.periods import Period
from party.models import Visit
from party.services import visit_plan_create, visit_record
from points.models import PointsAccount
from supervision.models import HouseholdDay
from tests.conftest import Grid, client_for
from wastegrid.my_households import worker_households

TODAY = local_today()
QUARTER = Period.containing("quarter", TODAY)


def _mine(grid: Grid) -> list[Household]:
    return list(Household.objects.filter(grid_worker=grid.w1).order_by("code"))


def _mistakes(h: Household, day: datetime.date, n: int, total: int | None = None) -> None:
    HouseholdDay.objects.create(
        subdistrict_id=h.subdistrict_id, household=h, day=day, total=total or n, correct=0, mistakes=n
    )


def _visit(h: Household, day: datetime.date) -> Visit:
    visit, _ = visit_record(actor=None, household=h, day=day, outcome="talked", client_id=uuid.uuid4())
    return visit


@pytest.fixture
def states(grid: Grid) -> dict[str, Household]:
    """Five of the worker's households, each with a reason to come first, and one of another worker's with
    130 mistakes (never shown to this worker)."""
    mine = _mine(grid)
    case_h, many, few, never, fresh = mine[:5]
    case_open(
        actor=None,
        community=grid.c1,
        subject=Subject.INDIVIDUAL,
        source=CaseSource.MANUAL,
        violation_day=TODAY,
        article_code="57(2)",
        household=case_h,
    )
    _mistakes(many, TODAY - datetime.timedelta(days=2), 130)
    _mistakes(many, TODAY - datetime.timedelta(days=40), 50)  # older than 30 days: not counted
    _mistakes(few, TODAY - datetime.timedelta(days=1), 3)
    _visit(few, QUARTER.start)
    _visit(fresh, TODAY)
    HouseholdDay.objects.create(
        subdistrict_id=fresh.subdistrict_id, household=fresh, day=TODAY, total=4, correct=4, mistakes=0
    )
    PointsAccount.objects.create(household=fresh, subdistrict_id=fresh.subdistrict_id, balance=37)
    _mistakes(grid.h_other, TODAY, 130)
    return {"case": case_h, "many": many, "few": few, "never": never, "fresh": fresh}


def test_states_and_attention_order_in_six_queries(grid: Grid, personas: dict, states: dict) -> None:
    user = personas["grid_worker"]
    with CaptureQueriesContext(connection) as queries:
        worker, rows = worker_households(user, TODAY)
    assert len(queries) == 6  # the worker, the households, then one grouped query per source
    # Every large table read names the sub-district (the distribution key, docs/scale.md).
    assert [unscoped(q["sql"]) for q in queries if unscoped(q["sql"])] == []
    assert worker is not None and worker.pk == grid.w1.pk
    assert {r.household.grid_worker_id for r in rows} == {grid.w1.pk}  # only the worker's own
    assert len(rows) == Household.objects.filter(grid_worker=grid.w1).count()
    by_code = {r.household.code: r for r in rows}
    many, few, fresh = (by_code[states[k].code] for k in ("many", "few", "fresh"))
    assert (many.mistakes, many.last_mistake) == (130, TODAY - datetime.timedelta(days=2))
    assert few.mistakes == 3 and few.visited_this_quarter and not few.needs_visit
    assert (fresh.points, fresh.last_dropoff, fresh.last_visit) == (37, TODAY, TODAY)
    assert not fresh.needs_visit
    assert by_code[states["case"].code].open_case  # the status label
    # Open case, then mistakes (130 before 3), then never visited before visited, the fresh visit last.
    order = [r.household.code for r in rows]
    assert order[:3] == [states["case"].code, states["many"].code, states["few"].code]
    assert order.index(states["never"].code) < order.index(states["fresh"].code) == len(order) - 1


def test_query_count_does_not_grow_with_households(grid: Grid, personas: dict, states: dict) -> None:
    user = personas["grid_worker"]
    with CaptureQueriesContext(connection) as before:
        worker_households(user, TODAY)
    for h in _mine(grid)[5:]:
        _mistakes(h, TODAY, 1)
        _visit(h, TODAY)
    with CaptureQueriesContext(connection) as after:
        worker_households(user, TODAY)
    assert len(after) == len(before)


def test_my_households_page_shows_state_and_filters_needs_a_visit(
    grid: Grid, personas: dict, states: dict
) -> None:
    page = client_for(personas["grid_worker"]).get("/grid/my/").content.decode()
    cards = re.findall(r'<li class="card household" data-code="([^"]+)"', page)
    assert cards[:2] == [states["case"].code, states["many"].code]
    assert grid.h_other.code not in page
    assert "130" in page and 'id="my-visited">2<' in page  # few and fresh visited this quarter
    needing = client_for(personas["grid_worker"]).get("/grid/my/?show=visit").content.decode()
    shown = re.findall(r'data-code="([^"]+)"', needing)
    assert states["fresh"].code not in shown and states["few"].code not in shown
    assert states["never"].code in shown and len(shown) == len(cards) - 2
    assert f"({len(shown)})" in needing  # the filter's count
    # An unknown filter shows everything rather than failing.
    assert client_for(personas["grid_worker"]).get("/grid/my/?show=x").content.decode().count(
        "data-code="
    ) == len(cards)


def test_visit_from_the_household_page_updates_the_counter_once(grid: Grid, personas: dict) -> None:
    worker = client_for(personas["grid_worker"])
    h = _mine(grid)[0]
    plan = visit_plan_create(actor=None, microgrid=grid.m1, period=QUARTER)
    page = worker.get(f"/grid/households/{h.code}/").content.decode()
    assert 'id="my-visited">0<' in page and "party/households/" in page
    post = {
        "client_id": str(uuid.uuid4()),
        "day": TODAY.isoformat(),
        "outcome": "talked",
        "issue": "厨余混投",
    }
    first = worker.post(f"/party/households/{h.code}/visit/", post, HTTP_HX_REQUEST="true")
    body = first.content.decode()
    assert first.status_code == 200 and "厨余混投" in body
    assert '<b id="my-visited" hx-swap-oob="true">1</b>' in body
    again = worker.post(f"/party/households/{h.code}/visit/", post, HTTP_HX_REQUEST="true")  # a double tap
    assert (
        again.status_code == 200 and '<b id="my-visited" hx-swap-oob="true">1</b>' in again.content.decode()
    )
    visit = Visit.objects.get()
    assert (visit.household_id, visit.plan_id, visit.outcome, visit.recorded_by_id) == (
        h.pk,
        plan.pk,
        "talked",
        personas["grid_worker"].pk,
    )


@pytest.mark.parametrize(
    "post",
    [
        {"client_id": "not-a-uuid", "outcome": "talked"},
        {"client_id": "00000000-0000-0000-0000-000000000000", "outcome": "talked"},  # the nil UUID: no key
        {"outcome": "talked"},
        {"client_id": str(uuid.uuid4()), "day": "2026-13-40", "outcome": "talked"},
        {"client_id": str(uuid.uuid4()), "outcome": "nonsense"},
        {
            "client_id": str(uuid.uuid4()),
            "day": (TODAY + datetime.timedelta(days=3)).isoformat(),
            "outcome": "talked",
        },
    ],
)
def test_malformed_visit_is_refused_with_a_message(grid: Grid, personas: dict, post: dict[str, Any]) -> None:
    h = _mine(grid)[0]
    response = client_for(personas["grid_worker"]).post(
        f"/party/households/{h.code}/visit/", post, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400 and 'class="error"' in response.content.decode()
    assert not Visit.objects.exists()


def test_visit_outside_the_workers_households_is_404(grid: Grid, personas: dict) -> None:
    post = {"client_id": str(uuid.uuid4()), "outcome": "talked"}
    response = client_for(personas["grid_worker"]).post(f"/party/households/{grid.h_other.code}/visit/", post)
    assert response.status_code == 404 and not Visit.objects.exists()


def test_plan_counter_updates_with_the_row(grid: Grid, personas: dict) -> None:
    """The plan page's "N / M households visited" stayed at 17 after saving: only the row was swapped."""
    plan = visit_plan_create(actor=None, microgrid=grid.m1, period=QUARTER)
    mine = _mine(grid)
    for h in mine[:2]:
        _visit(h, TODAY)
    post = {"household": mine[2].code, "client_id": str(uuid.uuid4()), "outcome": "talked"}
    row = client_for(personas["grid_worker"]).post(
        f"/party/plan/{plan.code}/visit/", post, HTTP_HX_REQUEST="true"
    )
    assert row.status_code == 200
    assert '<b id="visited" hx-swap-oob="true">3</b>' in row.content.decode()
    page = client_for(personas["grid_worker"]).get(f"/party/plan/{plan.code}/").content.decode()
    assert page.count('id="visited"') == 1 and "hx-swap-oob" not in page and '<b id="visited">3</b>' in page


def test_plan_lists_my_households_to_visit_first_and_all_on_request(grid: Grid, personas: dict) -> None:
    """Issue 14: the plan page listed every household of the micro-grid; a worker at the door wants theirs
    not visited yet, with the rest one tap away. The counter still counts the whole micro-grid."""
    plan = visit_plan_create(actor=None, microgrid=grid.m1, period=QUARTER)
    mine = _mine(grid)
    _visit(mine[0], TODAY)
    Household.objects.filter(pk=mine[1].pk).update(grid_worker=grid.w_other)  # someone else's now
    total = Household.objects.filter(building__microgrid=grid.m1).count()
    client = client_for(personas["grid_worker"])

    def listed(query: str = "") -> set[str]:
        page = client.get(f"/party/plan/{plan.code}/{query}", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        assert f'<b id="visited">1</b> / {total}' in page
        return set(re.findall(r'id="hh-([^"]+)"', page))

    expected = {h.code for h in mine[2:]}
    assert listed() == expected == listed("?show=mine")  # mine, not visited yet: the default
    assert listed("?show=todo") == expected | {mine[1].code}
    assert listed("?show=all") == expected | {mine[0].code, mine[1].code}
    assert listed("?show=nonsense") == expected
    page = client.get(f"/party/plan/{plan.code}/").content.decode()
    assert f"我的待走访住户 ({len(expected)})" in page and f"全部户 ({total})" in page
    # Someone who is not a grid worker (the secretary) starts from "not visited yet", without "mine".
    secretary = client_for(personas["community_secretary"]).get(f"/party/plan/{plan.code}/").content.decode()
    assert "?show=mine" not in secretary and len(re.findall(r'id="hh-', secretary)) == total - 1


def test_home_names_the_assignment_share_and_shows_the_visits_pages_figure(
    grid: Grid, personas: dict
) -> None:
    """Issue 14: "98.8% 覆盖率" on the worker's home was the share assigned to a worker, read beside visit
    counters; it is named so, and this quarter's visits stand beside it, as the visits page counts them."""
    _visit(_mine(grid)[0], TODAY)
    client = client_for(personas["grid_worker"])
    total = Household.objects.filter(building__microgrid=grid.m1).count()
    home = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "<span>已包责住户占比</span>" in home and "<span>覆盖率</span>" not in home
    assert 'id="visited-quarter"' in home and f"本微网格本季走访覆盖（1/{total} 户）" in home
    visits = client.get(f"/party/n/{grid.m1.code}/visits/").content.decode()
    share = fmt(
        1 / total, 1, "%"
    )  # lib.numbers: one format for shares (the home's figure and the visits page)
    assert f"<b>{share}</b>" in visits and f"{share}</a>" in home
    en = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Assigned to a grid worker" in en
    assert f"Micro-grid visit coverage this quarter (1 of {total} households)" in en


def test_home_shows_the_workers_own_figure_first_named_as_theirs(grid: Grid, personas: dict) -> None:
    """The home tile counted the whole micro-grid ("10%", 17/168) beside "my households" counting the worker's
    own (3/17), neither saying which: the worker's own figure comes first, as "my households" counts it, and
    the micro-grid's is named as the micro-grid's."""
    mine = _mine(grid)
    _visit(mine[0], TODAY)
    _visit(mine[1], TODAY)
    others = Household.objects.filter(building__microgrid=grid.m1).exclude(grid_worker=grid.w1).first()
    if others is not None:
        _visit(others, TODAY)  # counted for the micro-grid, not for the worker
    client = client_for(personas["grid_worker"])
    home = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    figures = home.split('<div class="figures">', 1)[1]
    assert figures.index('id="home-my-visited"') < figures.index('id="visited-quarter"')
    assert f'href="/grid/my/">2/{len(mine)}</a></b><span>我的包责户本季已走访</span>' in figures
    my = client.get("/grid/my/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f'我的包责户本季已走访: <b id="my-visited">2</b> / {len(mine)}' in my
    en = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "My households visited this quarter" in en
    assert 'id="home-my-visited"' not in client_for(personas["community_secretary"]).get("/").content.decode()
