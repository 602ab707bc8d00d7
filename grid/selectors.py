"""Reads over the grid: per-node figures for the tree, and the coverage (全覆盖) report."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Q, Sum

from grid.models import GridNode, GridRule, GridWorker, Household, ImportJob, ImportKind, ImportStatus, Level
from grid.services.records import rule_for
from lib.distribution import in_sd
from lib.periods import Period


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
    def coverage_pct(self) -> str:
        return f"{self.coverage * 100:.1f}%"


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


# --- a grid worker's own households, who needs attention first --------------------------------------------

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
    quarter_start: datetime.date

    @property
    def visited_this_quarter(self) -> bool:
        return self.last_visit is not None and self.last_visit >= self.quarter_start

    @property
    def needs_visit(self) -> bool:
        """Not visited yet this quarter: exactly the households the coverage counter still misses, so that
        "needs a visit" and "visited this quarter" add up to all of them."""
        return not self.visited_this_quarter

    def attention_key(self) -> tuple[bool, int, datetime.date, str]:
        """Who needs attention first: an open case, then the most mistakes, then the longest without a visit
        (never visited first), then by code so that the order is stable."""
        return (not self.open_case, -self.mistakes, self.last_visit or datetime.date.min, self.household.code)


def worker_households(user: Any, today: datetime.date) -> tuple[GridWorker | None, list[HouseholdState]]:
    """The user's own households (as their active grid worker, within their Scope) with each one's state,
    ordered by `HouseholdState.attention_key`. Six queries whatever the number of households (the worker, the
    households, then one grouped query each over HouseholdDay, PointsAccount, Case and Visit), every one naming
    the sub-district (the distribution key). (None, []) for a user who is no active grid worker."""
    from enforcement.models import Case, CaseStatus
    from party.models import Visit
    from points.models import PointsAccount
    from supervision.models import HouseholdDay

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
    visits = dict(
        Visit.objects.filter(**sd, household_id__in=ids)
        .values_list("household_id")
        .annotate(last=Max("day"))
        .order_by()
    )
    quarter_start = Period.containing("quarter", today).start
    states = [
        HouseholdState(
            household=h,
            mistakes=days.get(h.pk, {}).get("recent_mistakes") or 0,
            last_mistake=days.get(h.pk, {}).get("last_mistake"),
            last_dropoff=days.get(h.pk, {}).get("last_dropoff"),
            points=points.get(h.pk, 0),
            open_case=cases.get(h.pk, ""),
            last_visit=visits.get(h.pk),
            quarter_start=quarter_start,
        )
        for h in households
    ]
    states.sort(key=HouseholdState.attention_key)
    return worker, states


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
