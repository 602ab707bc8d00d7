"""What a dashboard shows for a node and a span of days, read from the rollups (PointDay, shifts, purity
checks, tonnage), never from the raw bin-side records."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from assessment.scoring import Assessment, NoScheme, assess
from grid.models import GridNode
from grid.scope import Scope
from grid.selectors import household_count
from guide.models import CategoryKey
from lib.numbers import Num, pct
from lib.periods import Period
from party.selectors import visits_since_due
from supervision.models import PurityLevel
from supervision.selectors import (
    Rate,
    numbers_by_child,
    point_rates,
    repeat_offenders,
    trend,
)
from supervision.selectors import has_drop_offs as _has_drop_offs
from tonnage.selectors import CategoryTonnage, kg_by_day, shares, tonnage_summary

BUCKETS = ("day", "week", "month")


def bucket_of(day: datetime.date, by: str) -> datetime.date:
    if by == "week":
        return day - datetime.timedelta(days=day.weekday())
    if by == "month":
        return day.replace(day=1)
    return day


def default_bucket(start: datetime.date, end: datetime.date) -> str:
    days = (end - start).days + 1
    return "day" if days <= 45 else ("week" if days <= 190 else "month")


@dataclass
class WeakPoint:
    code: str
    name: str
    rate: Rate


@dataclass
class Dashboard:
    node: GridNode
    start: datetime.date
    end: datetime.date
    by: str
    households: int
    drops: Rate
    purity_checks: int
    purity_clean: int
    staffed: int
    shifts: int
    tonnage: list[CategoryTonnage]
    assessment: Assessment | None
    children: list[Any]
    weakest: list[WeakPoint]
    visits: list[Any]
    series: dict[str, Any] = field(default_factory=dict)

    @property
    def purity_pct(self) -> Num:
        """Clean bin checks as a share (lib.numbers: the page, the PDF and the .xlsx show it alike)."""
        return pct(self.purity_clean / self.purity_checks if self.purity_checks else None)

    @property
    def staffing_pct(self) -> Num:
        return pct(self.staffed / self.shifts if self.shifts else None)

    @property
    def kg_per_day(self) -> Decimal:
        return sum((t.kg_per_day for t in self.tonnage), Decimal(0))


def dashboard(
    node: GridNode, start: datetime.date, end: datetime.date, by: str | None = None, *, today: datetime.date
) -> Dashboard:
    """Asks the owning apps' selectors only, with one `Scope` of the node computed here for all of them."""
    by = by if by in BUCKETS else default_bucket(start, end)
    scope = Scope.of_node(node)
    rows = numbers_by_child(node, start, end, scope=scope)
    total = rows[0]  # the node's own total: its children's rows add up to it
    purity: dict[str, int] = defaultdict(int)
    for levels in total.purity.values():
        for level, n in levels.items():
            purity[level] += n
    try:
        assessment: Assessment | None = assess(
            node, Period.containing("month", end), today=today, scope=scope
        )
    except NoScheme:
        assessment = None

    # Trends, bucketed.
    correct: dict[datetime.date, Rate] = {}
    for day, rate in trend(node, start, end, scope=scope):
        correct.setdefault(bucket_of(day, by), Rate()).add(rate)
    kg: dict[datetime.date, dict[str, float]] = defaultdict(lambda: dict.fromkeys(CategoryKey.values, 0.0))
    for day, category, weighed in kg_by_day(node, start, end, scope=scope):
        kg[bucket_of(day, by)][category] += float(weighed)
    labels = sorted(set(correct) | set(kg))
    summary = tonnage_summary(node, start, end, scope=scope)
    series = {
        "labels": [d.isoformat() for d in labels],
        "correct": [
            round(correct[d].correct * 100 / correct[d].total, 1)
            if d in correct and correct[d].total
            else None
            for d in labels
        ],
        "drops": [correct[d].total if d in correct else 0 for d in labels],
        "tonnage": {c: [round(kg[d][c], 1) if d in kg else 0 for d in labels] for c in CategoryKey.values},
        "shares": {c: round(v * 100, 1) for c, v in shares(summary).items()},
        "names": {c: str(label) for c, label in CategoryKey.choices},
    }

    # Mistakes as on every other page (supervision.selectors.Rate): corrected on the spot is not one.
    weakest = [
        WeakPoint(p.code, p.label, p.rate)
        for p in point_rates(node, start, end, scope=scope)
        if p.rate.total >= 20
    ]
    weakest.sort(key=lambda w: (w.rate.correct_rate or 0, w.code))
    return Dashboard(
        node=node,
        start=start,
        end=end,
        by=by,
        households=household_count(node),
        drops=total.drops,
        purity_checks=sum(purity.values()),
        purity_clean=purity.get(PurityLevel.CLEAN, 0),
        staffed=total.staffed,
        shifts=total.shifts,
        tonnage=summary,
        assessment=assessment,
        children=rows[1:],
        weakest=weakest[:5],
        visits=to_visit(node, start, today, scope=scope),
        series=series,
    )


def to_visit(
    node: GridNode, since: datetime.date, today: datetime.date, *, scope: Scope, limit: int = 10
) -> list[Any]:
    """ "Households to visit": repeated mistakes since `since` (supervision's repeat offenders, the most first)
    among those that need a visit by party's one rule (`party.selectors.visits_since_due`, the grid worker's
    "my households" marks them by the same), so a household visited this quarter is not listed again. The
    visited are left out in the query, within the scope's sub-district: `limit` rows whenever that many
    households still need a visit, however many of the worst were visited already."""
    visited = visits_since_due(today).in_scope(scope, via="household__").values("household_id")
    return list(
        repeat_offenders(node, since=since, min_mistakes=3, limit=limit, scope=scope, exclude=visited)
    )


def has_drop_offs(node: GridNode, start: datetime.date, end: datetime.date) -> bool:
    """Any bin-side record of `node` in the span: the core of a report (drop-offs, correct rates, the
    assessment's evidence). Weighings alone come from the transfer station and may reach back further."""
    return _has_drop_offs(node, start, end)


def report_jobs_recent(node: GridNode, since: datetime.datetime, limit: int = 5) -> list[Any]:
    """Report builds for `node` or below requested since `since` or still running, newest first."""
    from django.db.models import Q

    from reports.models import ReportJob, ReportStatus

    return list(
        ReportJob.objects.filter(node__path__startswith=node.path)
        .filter(Q(created_at__gte=since) | Q(status__in=[ReportStatus.PENDING, ReportStatus.RUNNING]))
        .select_related("node")
        .order_by("-created_at")[:limit]
    )
