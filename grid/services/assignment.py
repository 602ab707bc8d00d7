"""Assigning households to grid workers.

The planner is a pure function over plain tuples so that its invariants can be tested with hypothesis:

- no worker is given more than `hi` households;
- households of one building and stairwell ("block") stay with one worker wherever the numbers allow;
- on a fresh pool, loads are balanced so every worker lands in [lo, hi] when lo·W ≤ N ≤ hi·W;
- on a re-run, a household whose worker is still valid keeps that worker (minimal change);
- whatever cannot fit is left unassigned with a reason.

Pools: households of a building on micro-grid M go to M's workers first; what M cannot hold (and the
households of buildings with no micro-grid) spills to any worker of the residential area.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_bulk_field_changed
from grid.models import GridNode, GridWorker, Household, Level
from grid.scope import Scope
from grid.services.records import rule_for


class HH(NamedTuple):
    id: int
    building: int
    stairwell: str
    room: str
    microgrid: int | None
    worker: int | None


class W(NamedTuple):
    id: int
    microgrid: int


@dataclass
class Plan:
    assignment: dict[int, int | None]
    unassigned_reasons: dict[int, str] = field(default_factory=dict)

    def load(self) -> dict[int, int]:
        counts: dict[int, int] = defaultdict(int)
        for worker in self.assignment.values():
            if worker is not None:
                counts[worker] += 1
        return counts


def _room_key(room: str) -> tuple[int, str]:
    digits = "".join(ch for ch in room if ch.isdigit())
    return (int(digits) if digits else 0, room)


def _block_key(h: HH) -> tuple[int, str]:
    return (h.building, h.stairwell)


def _blocks(households: Iterable[HH]) -> list[list[HH]]:
    by_block: dict[tuple[int, str], list[HH]] = defaultdict(list)
    for h in households:
        by_block[_block_key(h)].append(h)
    return [sorted(by_block[k], key=lambda h: _room_key(h.room)) for k in sorted(by_block)]


def _balanced_fill(blocks: list[list[HH]], workers: list[int], lo: int, hi: int) -> dict[int, int]:
    """Walk the blocks in order, giving each worker a contiguous run; snap run ends to block edges when the
    rest of the pool stays feasible, so a building is split only where the numbers force it."""
    flat = [h for block in blocks for h in block]
    block_end: dict[int, int] = {}
    pos = 0
    for block in blocks:
        pos += len(block)
        for h in block:
            block_end[h.id] = pos
    n, w_count = len(flat), len(workers)
    result: dict[int, int] = {}
    start = 0
    for k, worker in enumerate(workers):
        left_workers = w_count - k
        remaining = n - start
        if remaining <= 0:
            break
        base, extra = divmod(remaining, left_workers)
        quota = min(hi, base + (1 if extra else 0))
        end = start + quota
        if left_workers > 1 and 0 < end < n:
            edge_after = block_end[flat[end - 1].id]
            # The start of the block that `end` cuts into.
            edge_before = end
            while edge_before > start and block_end[flat[edge_before - 1].id] == edge_after:
                edge_before -= 1
            rest_after, rest_before = n - edge_after, n - edge_before
            others = left_workers - 1
            if edge_after - start <= hi and others * lo <= rest_after <= others * hi:
                end = edge_after
            elif edge_before - start >= lo and others * lo <= rest_before <= others * hi:
                end = edge_before
        for h in flat[start:end]:
            result[h.id] = worker
        start = end
    return result


def _place_incremental(
    block: list[HH],
    candidates: list[int],
    load: dict[int, int],
    where: dict[int, set[tuple[int, str]]],
    hi: int,
) -> dict[int, int]:
    """Place the unassigned households of one block beside their neighbours' worker where possible."""
    result: dict[int, int] = {}
    todo = list(block)
    key = _block_key(block[0])
    building = block[0].building
    while todo:
        open_workers = [w for w in candidates if load[w] < hi]
        if not open_workers:
            break
        best = min(
            open_workers,
            key=lambda w: (
                0 if key in where[w] else 1,
                0 if any(b == building for b, _s in where[w]) else 1,
                load[w],
            ),
        )
        take = min(len(todo), hi - load[best])
        for h in todo[:take]:
            result[h.id] = best
        load[best] += take
        where[best].add(key)
        todo = todo[take:]
    return result


def plan(households: Sequence[HH], workers: Sequence[W], *, lo: int, hi: int) -> Plan:
    valid = {w.id: w for w in workers}
    by_mg: dict[int, list[int]] = defaultdict(list)
    for w in sorted(workers, key=lambda w: w.id):
        by_mg[w.microgrid].append(w.id)
    all_workers = sorted(valid)

    assignment: dict[int, int | None] = {}
    load: dict[int, int] = defaultdict(int)
    where: dict[int, set[tuple[int, str]]] = defaultdict(set)
    kept_by_worker: dict[int, list[HH]] = defaultdict(list)

    # 1. Keep what is still valid: the worker exists and serves the building's micro-grid (or any, when the
    #    building has none or was placed by spill-over).
    for h in households:
        if h.worker is not None and h.worker in valid:
            kept_by_worker[h.worker].append(h)
    for worker, hs in kept_by_worker.items():
        if len(hs) > hi:
            # Trim an overloaded worker, giving up the blocks it holds fewest of first.
            per_block: dict[tuple[int, str], int] = defaultdict(int)
            for h in hs:
                per_block[_block_key(h)] += 1
            hs = sorted(hs, key=lambda h: (-per_block[_block_key(h)], _block_key(h), _room_key(h.room)))[:hi]
        for h in hs:
            assignment[h.id] = worker
            load[worker] += 1
            where[worker].add(_block_key(h))

    pending = [h for h in households if h.id not in assignment]
    reasons: dict[int, str] = {}

    # 2. Place the rest, micro-grid pool first.
    pending_by_mg: dict[int | None, list[HH]] = defaultdict(list)
    for h in pending:
        pending_by_mg[h.microgrid if h.microgrid in by_mg else None].append(h)

    spill: list[HH] = list(pending_by_mg.pop(None, []))
    for mg, hs in sorted(pending_by_mg.items(), key=lambda kv: kv[0] or 0):
        pool = by_mg[mg] if mg is not None else []
        fresh = all(load[w] == 0 for w in pool)
        if fresh:
            fill = _balanced_fill(_blocks(hs), pool, lo, hi)
            for h in hs:
                if h.id in fill:
                    assignment[h.id] = fill[h.id]
                    load[fill[h.id]] += 1
                    where[fill[h.id]].add(_block_key(h))
                else:
                    spill.append(h)
        else:
            for block in _blocks(hs):
                placed = _place_incremental(block, pool, load, where, hi)
                assignment.update(placed)
                spill.extend(h for h in block if h.id not in placed)

    # 3. Spill-over to any worker of the residential area.
    for block in _blocks(spill):
        placed = _place_incremental(block, all_workers, load, where, hi)
        assignment.update(placed)
        for h in block:
            if h.id not in placed:
                assignment[h.id] = None
                reasons[h.id] = (
                    _(
                        "No grid worker in this residential area has room: %(w)d workers × %(hi)d households < %(n)d."
                    )
                    % {"w": len(all_workers), "hi": hi, "n": len(households)}
                    if all_workers
                    else _("This residential area has no active grid worker.")
                )
    return Plan(assignment=assignment, unassigned_reasons=reasons)


@dataclass
class AssignmentResult:
    community: str
    households: int
    changed: int
    unassigned: dict[str, str]
    underloaded: list[str]
    workers: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "community": self.community,
            "households": self.households,
            "workers": self.workers,
            "changed": self.changed,
            "unassigned": self.unassigned,
            "underloaded_workers": self.underloaded,
        }


@transaction.atomic
def households_assign(*, actor: Any, community: GridNode) -> AssignmentResult:
    """Assign every household of a residential area to its grid workers, changing as little as possible.
    PermissionDenied when the area is outside the actor's scope."""
    Scope.of(actor).require(community)
    if community.level != Level.COMMUNITY:
        raise ValueError("households_assign works on one residential area")
    rule = rule_for(community.subdistrict)
    rows = list(
        Household.objects.filter(community=community).values_list(
            "id", "building_id", "stairwell", "room", "building__microgrid_id", "grid_worker_id", "code"
        )
    )
    workers = list(
        GridWorker.objects.filter(microgrid__parent=community, active=True).values_list(
            "id", "microgrid_id", "code"
        )
    )
    hhs = [HH(r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows]
    result = plan(hhs, [W(w[0], w[1]) for w in workers], lo=rule.households_min, hi=rule.households_max)

    old = {h.id: h.worker for h in hhs}
    changed_by_worker: dict[int | None, list[int]] = defaultdict(list)
    for hid, worker in result.assignment.items():
        if old[hid] != worker:
            changed_by_worker[worker].append(hid)
    now = timezone.now()
    for worker, ids in changed_by_worker.items():
        for i in range(0, len(ids), 900):  # stay under SQLite's variable limit
            Household.objects.filter(pk__in=ids[i : i + 900]).update(grid_worker_id=worker, updated_at=now)
    codes = {r[0]: r[6] for r in rows}
    changed_ids = [hid for ids in changed_by_worker.values() for hid in ids]
    audit_bulk_field_changed(
        actor=actor,
        model=Household,
        field="grid_worker_id",
        rows=(
            (hid, codes[hid], community.subdistrict_id, old[hid], result.assignment[hid])
            for hid in changed_ids
        ),
        reason="households_assign",
    )

    load = result.load()
    return AssignmentResult(
        community=community.code,
        households=len(hhs),
        workers=len(workers),
        changed=len(changed_ids),
        unassigned={codes[hid]: reason for hid, reason in result.unassigned_reasons.items()},
        underloaded=[code for wid, _mg, code in workers if load.get(wid, 0) < rule.households_min],
    )


def households_assign_all(*, actor: Any, root: GridNode, progress: Any = None) -> list[AssignmentResult]:
    Scope.of(actor).require(root)
    communities = list(GridNode.objects.subtree(root).filter(level=Level.COMMUNITY).order_by("path"))
    results = []
    for community in communities:
        results.append(households_assign(actor=actor, community=community))
        if progress is not None:
            progress(1)
    return results
