"""Assignment: invariants of the planner (hypothesis) and the service's minimal-change behaviour."""

from __future__ import annotations

from collections import defaultdict

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from audit.models import AuditEntry
from grid.models import GridWorker, Household
from grid.services.assignment import HH, W, households_assign, plan
from grid.services.records import grid_worker_deactivate, household_create
from tests.conftest import Grid, make_worker

LO, HI = 15, 20


def make_pool(building_sizes: list[int], workers: int, mg: int = 1) -> tuple[list[HH], list[W]]:
    households = []
    next_id = 1
    for b, size in enumerate(building_sizes):
        for r in range(size):
            households.append(HH(next_id, b, f"{r // 12}", f"{r + 101}", mg, None))
            next_id += 1
    return households, [W(1000 + i, mg) for i in range(workers)]


pools = st.lists(st.integers(min_value=1, max_value=60), min_size=1, max_size=25).flatmap(
    lambda sizes: st.tuples(st.just(sizes), st.integers(min_value=1, max_value=25))
)


@settings(max_examples=150, deadline=None)
@given(pools)
def test_no_worker_is_ever_overloaded_and_all_fit_when_capacity_allows(pool: tuple[list[int], int]) -> None:
    sizes, workers = pool
    hs, ws = make_pool(sizes, workers)
    result = plan(hs, ws, lo=LO, hi=HI)
    load = result.load()
    assert all(n <= HI for n in load.values())
    unassigned = [h for h, w in result.assignment.items() if w is None]
    if len(hs) <= workers * HI:
        assert unassigned == []
    else:
        assert len(unassigned) == len(hs) - workers * HI  # the remainder is minimal
        assert all(result.unassigned_reasons[h] for h in unassigned)


@settings(max_examples=150, deadline=None)
@given(pools)
def test_fresh_pool_is_balanced_within_the_rule_when_numbers_allow(pool: tuple[list[int], int]) -> None:
    sizes, workers = pool
    hs, ws = make_pool(sizes, workers)
    if not workers * LO <= len(hs) <= workers * HI:
        return
    load = plan(hs, ws, lo=LO, hi=HI).load()
    assert sorted(load) == sorted(w.id for w in ws)
    assert all(LO <= n <= HI for n in load.values()), load


@settings(max_examples=150, deadline=None)
@given(pools)
def test_blocks_are_split_only_at_run_boundaries(pool: tuple[list[int], int]) -> None:
    sizes, workers = pool
    hs, ws = make_pool(sizes, workers)
    result = plan(hs, ws, lo=LO, hi=HI)
    pairs = {((h.building, h.stairwell), result.assignment[h.id]) for h in hs if result.assignment[h.id]}
    blocks = {(h.building, h.stairwell) for h in hs}
    # Contiguous runs: each extra worker in a block is one run boundary, at most W-1 of them (plus blocks
    # larger than one worker can hold).
    oversize = sum(len([h for h in hs if (h.building, h.stairwell) == b]) // HI for b in blocks)
    assert len(pairs) <= len(blocks) + len(ws) - 1 + oversize


@settings(max_examples=100, deadline=None)
@given(pools, st.data())
def test_rerun_after_moves_keeps_every_valid_assignment(
    pool: tuple[list[int], int], data: st.DataObject
) -> None:
    sizes, workers = pool
    hs, ws = make_pool(sizes, workers)
    first = plan(hs, ws, lo=LO, hi=HI).assignment
    # Some households move out, a few move in (unassigned).
    leaving = set(data.draw(st.lists(st.sampled_from([h.id for h in hs]), max_size=10)))
    staying = [h._replace(worker=first[h.id]) for h in hs if h.id not in leaving]
    arriving = [HH(10_000 + i, 0, "0", f"{900 + i}", 1, None) for i in range(data.draw(st.integers(0, 8)))]
    again = plan(staying + arriving, ws, lo=LO, hi=HI).assignment
    changed = [h for h in staying if h.worker is not None and again[h.id] != h.worker]
    assert changed == []
    # And a second run with nothing changed moves nothing at all.
    settled = [h._replace(worker=again[h.id]) for h in staying + arriving]
    assert plan(settled, ws, lo=LO, hi=HI).assignment == {h.id: h.worker for h in settled}


def test_spill_over_uses_other_micro_grids_before_giving_up() -> None:
    hs = [HH(i, 1, "", str(i), 1, None) for i in range(30)]  # 30 households on micro-grid 1
    ws = [W(1, 1), W(2, 2)]  # one worker each on micro-grids 1 and 2
    result = plan(hs, ws, lo=LO, hi=HI)
    assert result.load() == {1: 20, 2: 10}


def test_a_residential_area_without_workers_explains_the_remainder() -> None:
    hs = [HH(i, 1, "", str(i), 1, None) for i in range(5)]
    with translation.override("en"):
        result = plan(hs, [], lo=LO, hi=HI)
    assert set(result.assignment.values()) == {None}
    assert "no active grid worker" in result.unassigned_reasons[0]
    assert "没有在岗的网格员" in plan(hs, [], lo=LO, hi=HI).unassigned_reasons[0]


@pytest.mark.django_db
def test_service_changes_only_what_moved_and_audits_it(grid: Grid) -> None:
    before = dict(Household.objects.filter(community=grid.c1).values_list("code", "grid_worker_id"))
    assert None not in before.values()
    new = household_create(actor=None, building=grid.b1, room="701")
    audit_count = AuditEntry.objects.filter(model="grid.Household", changes__has_key="grid_worker_id").count()
    result = households_assign(actor=None, community=grid.c1)
    assert result.changed == 1
    after = dict(Household.objects.filter(community=grid.c1).values_list("code", "grid_worker_id"))
    assert {k: v for k, v in after.items() if k != new.code} == before
    # The newcomer joins the worker who already looks after its building.
    assert after[new.code] == grid.w1.pk
    assert (
        AuditEntry.objects.filter(model="grid.Household", changes__has_key="grid_worker_id").count()
        == audit_count + 1
    )


@pytest.mark.django_db
def test_deactivated_worker_households_are_reassigned(grid: Grid) -> None:
    extra = make_worker(grid.m1, "新网格员", "13900000009")
    grid_worker_deactivate(actor=None, worker=grid.w1, reason="moved away")
    result = households_assign(actor=None, community=grid.c1)
    assert result.changed == 18
    loads: dict[int | None, int] = defaultdict(int)
    for worker_id in Household.objects.filter(building=grid.b1).values_list("grid_worker_id", flat=True):
        loads[worker_id] += 1
    assert loads == {extra.pk: 18}
    assert not GridWorker.objects.get(pk=grid.w1.pk).households.exists()
