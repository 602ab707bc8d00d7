"""Reads over the grid: per-node figures for the tree, and the coverage (全覆盖) report."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, Sum

from grid.models import GridNode, GridRule, GridWorker, Household, ImportJob, ImportKind, ImportStatus, Level
from grid.services.records import rule_for
from lib.distribution import in_sd
from lib.numbers import Num, pct


@dataclass
class NodeStats:
    node: GridNode
    households: int = 0
    assigned: int = 0
    workers: int = 0
    microgrids: int = 0
    overloaded_workers: int = 0
    underloaded_workers: int = 0
    microgrids_out_of_range: int = 0
    children: list[NodeStats] = field(default_factory=list)

    @property
    def unassigned(self) -> int:
        return self.households - self.assigned

    @property
    def coverage(self) -> float:
        return self.assigned / self.households if self.households else 1.0

    @property
    def coverage_pct(self) -> Num:
        return pct(self.coverage)  # lib.numbers: one format for shares on every page


@dataclass
class WorkerLoad:
    code: str
    name: str
    microgrid: GridNode
    households: int


@dataclass
class CoverageReport:
    root: NodeStats
    rule: GridRule
    rows: list[NodeStats]
    overloaded: list[WorkerLoad]
    underloaded: list[WorkerLoad]
    microgrids_out_of_range: list[NodeStats]
    unassigned_sample: list[Household]

    @property
    def ok(self) -> bool:
        return not (
            self.root.unassigned or self.overloaded or self.underloaded or self.microgrids_out_of_range
        )


def grid_stats(root: GridNode, rule: GridRule | None = None) -> dict[int, NodeStats]:
    """Figures for every node of root's subtree in four grouped queries, whatever its size."""
    rule = rule or rule_for(root.subdistrict)
    nodes = list(GridNode.objects.subtree(root).order_by("path"))
    stats = {n.pk: NodeStats(node=n) for n in nodes}
    for n in nodes:
        if n.parent_id in stats and n.pk != root.pk:
            stats[n.parent_id].children.append(stats[n.pk])

    def add_up(node_id: int | None, attr: str, amount: int) -> None:
        while node_id in stats:
            st = stats[node_id]
            setattr(st, attr, getattr(st, attr) + amount)
            if node_id == root.pk:
                break
            node_id = st.node.parent_id

    scope = Household.objects.in_node(root)
    sd = in_sd(root)
    for row in (
        scope.filter(**in_sd(root, "building__"))
        .values("community_id", "building__microgrid_id")
        .annotate(total=Count("id"), assigned=Count("grid_worker_id"))
    ):
        target = (
            row["building__microgrid_id"] if row["building__microgrid_id"] in stats else row["community_id"]
        )
        add_up(target, "households", row["total"])
        add_up(target, "assigned", row["assigned"])

    loads = dict(
        scope.filter(grid_worker__isnull=False)
        .values_list("grid_worker_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    workers_per_mg: dict[int, int] = defaultdict(int)
    for wid, mg in GridWorker.objects.filter(
        **sd, active=True, microgrid__path__startswith=root.path
    ).values_list("id", "microgrid_id"):
        workers_per_mg[mg] += 1
        load = loads.get(wid, 0)
        if load > rule.households_max:
            add_up(mg, "overloaded_workers", 1)
        elif load < rule.households_min:
            add_up(mg, "underloaded_workers", 1)
    for n in nodes:
        if n.level == Level.MICROGRID:
            count = workers_per_mg.get(n.pk, 0)
            add_up(n.pk, "workers", count)
            add_up(n.pk, "microgrids", 1)
            if not rule.workers_min <= count <= rule.workers_max:
                add_up(n.pk, "microgrids_out_of_range", 1)
    return stats


def coverage_report(root: GridNode, *, sample: int = 200) -> CoverageReport:
    rule = rule_for(root.subdistrict)
    stats = grid_stats(root, rule)
    scope = Household.objects.in_node(root)
    sd = in_sd(root)
    loads = (
        GridWorker.objects.filter(**sd, active=True, microgrid__path__startswith=root.path)
        .select_related("person", "microgrid")
        .annotate(n=Count("households", filter=Q(**in_sd(root, "households__"))))
        .order_by("code")
    )
    over, under = [], []
    for w in loads:
        item = WorkerLoad(code=w.code, name=w.person.name, microgrid=w.microgrid, households=w.n)
        if w.n > rule.households_max:
            over.append(item)
        elif w.n < rule.households_min:
            under.append(item)
    rows = [s for s in stats.values() if s.node.level != Level.MICROGRID or root.level == Level.COMMUNITY]
    return CoverageReport(
        root=stats[root.pk],
        rule=rule,
        rows=rows,
        overloaded=over,
        underloaded=under,
        microgrids_out_of_range=[
            s for s in stats.values() if s.node.level == Level.MICROGRID and s.microgrids_out_of_range
        ],
        unassigned_sample=list(
            scope.filter(grid_worker__isnull=True).select_related("building", "community")[:sample]
        ),
    )


def imports_recent(user: Any, since: datetime.datetime, limit: int = 5) -> list[Any]:
    """The user's own imports (the only ones the import pages show them) started since `since` or still
    running, newest first, without the file's bytes: for the home page."""
    running = [ImportStatus.PENDING, ImportStatus.CHECKING, ImportStatus.WRITING]
    return list(
        ImportJob.objects.defer("data")
        .filter(created_by=user)
        .filter(Q(created_at__gte=since) | Q(status__in=running))
        .order_by("-created_at")[:limit]
    )


def import_outcome(job: Any, buildings_max: int = 5) -> dict[str, Any]:
    """For a finished households import: {"added": the households this import created (each keeps its job,
    Household.import_job), "unassigned": how many of them have no grid worker yet, "buildings": [(code, name)]
    of the buildings they are in, at most `buildings_max` (for links to them; empty when there are more)}.
    Empty for other kinds. Two queries."""
    if job.kind != ImportKind.HOUSEHOLDS:
        return {}
    added = Household.objects.in_node(job.node).filter(import_job=job)
    out: dict[str, Any] = added.aggregate(
        added=Count("id"), unassigned=Count("id", filter=Q(grid_worker__isnull=True))
    )
    buildings = list(
        added.order_by("building__code")
        .values_list("building__code", "building__name")
        .distinct()[: buildings_max + 1]
    )
    out["buildings"] = buildings if len(buildings) <= buildings_max else []
    return out


def imports_summary(root: GridNode, start: datetime.datetime, end: datetime.datetime) -> tuple[int, int, int]:
    """(imports done, rows they imported, imports rejected) at `root` or below between two moments. One
    query."""
    done, failed = Q(status=ImportStatus.DONE), Q(status=ImportStatus.FAILED)
    counts = ImportJob.objects.filter(
        node__path__startswith=root.path, created_at__gte=start, created_at__lt=end
    ).aggregate(
        n=Count("id", filter=done), rows=Sum("created", filter=done), failed=Count("id", filter=failed)
    )
    return counts["n"], counts["rows"] or 0, counts["failed"]


def household_count(node: GridNode) -> int:
    """Households at `node` or below (a micro-grid: its own buildings' households)."""
    return Household.objects.in_node(node).count()
