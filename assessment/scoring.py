"""Scores per residential area, grades and rankings per node, computed from the records on demand (one
grouped query per indicator for the whole node, whatever its size)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

from assessment.models import Grade, Indicator, Scheme, Source
from assessment.sources import Tally, tallies
from grid.models import GridNode, Level
from grid.scope import Scope
from lib.clock import local_today
from lib.numbers import pct
from lib.periods import Period, last_whole_day

CENT = Decimal("0.01")
RECORD_DENOMINATORS = {Source.PURITY, Source.CORRECT_RATE, Source.INSPECTION, Source.TONNAGE_TREND}


class NoScheme(Exception):
    """No assessment scheme is in force for this node and period."""


class FuturePeriod(ValueError):
    """The period has not begun: there is nothing to grade yet (a grade of 差 for 2027-01 would be a lie)."""


@dataclass
class IndicatorScore:
    indicator: Indicator
    tally: Tally

    @property
    def enough(self) -> bool:
        return self.tally.sample >= self.indicator.min_sample and self.tally.den > 0

    @property
    def has_records(self) -> bool:
        """Something was recorded: a count above zero, or a denominator made of records (checks, drop-offs,
        inspections, weighings). Days in the period, households and planned windows are not records."""
        return self.tally.num > 0 or (self.tally.den > 0 and self.indicator.source in RECORD_DENOMINATORS)

    @property
    def rate(self) -> Decimal | None:
        return self.tally.num / self.tally.den if self.tally.den else None

    @property
    def score(self) -> Decimal | None:
        """weight × min(1, rate / target), to the cent; None below the minimum sample."""
        if not self.enough or self.rate is None:
            return None
        achieved = min(Decimal(1), self.rate / self.indicator.target)
        return (self.indicator.weight * achieved).quantize(CENT, ROUND_HALF_UP)

    @property
    def rate_pct(self) -> str:
        return str(pct(self.rate))


@dataclass
class AreaScore:
    node: GridNode
    scores: list[IndicatorScore]
    vetoed: bool = False
    meets: bool = False
    rank: int | None = None

    @property
    def complete(self) -> bool:
        return all(s.enough for s in self.scores)

    @property
    def has_data(self) -> bool:
        """Any record at all behind any indicator (else the area is "no data", not "fails")."""
        return any(s.has_records for s in self.scores)

    @property
    def points(self) -> Decimal:
        """The points earned so far (indicators with enough data)."""
        return sum((s.score for s in self.scores if s.score is not None), Decimal(0))

    @property
    def total(self) -> Decimal | None:
        return self.points if self.complete else None

    @property
    def rated(self) -> bool:
        """Scored on every indicator: only then does the area meet the standard or not (else "not rated",
        never a fail: a month without data is no verdict)."""
        return self.complete


@dataclass
class GroupScore:
    """A node above the residential areas (the sub-district, an area): its areas' results and its grade."""

    node: GridNode
    areas: list[AreaScore] = field(default_factory=list)
    grade: str | None = None
    rank: int | None = None

    @property
    def met(self) -> int:
        return sum(a.meets for a in self.areas)

    @property
    def has_data(self) -> bool:
        return any(a.has_data for a in self.areas)

    @property
    def share(self) -> float | None:
        return self.met / len(self.areas) if self.areas else None

    @property
    def average(self) -> Decimal | None:
        totals = [a.total for a in self.areas if a.total is not None]
        return (sum(totals, Decimal(0)) / len(totals)).quantize(CENT) if totals else None

    @property
    def grade_label(self) -> str:
        return str(Grade(self.grade).label) if self.grade else "—"


@dataclass
class Assessment:
    scheme: Scheme
    period: Period
    root: GridNode
    indicators: list[Indicator]
    areas: list[AreaScore]
    overall: GroupScore
    groups: list[GroupScore]
    through: datetime.date  # the last day counted: whole days only, like the numbers pages and the report

    @property
    def running(self) -> bool:
        """The period goes on past the last day counted (the page says "up to yesterday")."""
        return self.through < self.period.end

    @property
    def has_data(self) -> bool:
        """False for a period without a single record: pages and reports say "no data", grade nothing."""
        return self.overall.has_data

    def area(self, code: str) -> AreaScore | None:
        return next((a for a in self.areas if a.node.code == code), None)


def scheme_for(node: GridNode, on: datetime.date) -> Scheme:
    sd_id = node.pk if node.level == Level.SUBDISTRICT else node.subdistrict_id
    scheme = Scheme.in_force(sd_id, on)
    if scheme is None:
        raise NoScheme(node.code)
    return scheme


def _rank(items: list[AreaScore] | list[GroupScore], key: dict[int, tuple[Decimal, ...]]) -> None:
    """Competition ranking (1, 2, 2, 4) by key, highest first; items without a key are not ranked."""
    ranked = sorted((i for i in items if id(i) in key), key=lambda i: key[id(i)], reverse=True)
    previous: tuple[Decimal, ...] | None = None
    for position, item in enumerate(ranked, start=1):
        if key[id(item)] != previous:
            rank = position
            previous = key[id(item)]
        item.rank = rank


_Ranked = TypeVar("_Ranked", AreaScore, GroupScore)


def in_rank_order(items: Iterable[_Ranked]) -> list[_Ranked]:
    """Best first, unranked (not enough data) last by code: the order people read a ranking in (the area lead
    read #5, #1, #4, #2, #3 in tree order). Pages, exports and the report PDF list rankings through here."""
    return sorted(items, key=lambda x: (x.rank or 10**6, x.node.code))


def assess(
    root: GridNode,
    period: Period,
    *,
    today: datetime.date | None = None,
    detail: bool = False,
    scope: Scope | None = None,
) -> Assessment:
    """`detail` keeps each indicator's evidence rows per point and month (for one residential area's pages).
    FuturePeriod when `period` starts after `today`; a node (or group) without any record in the period gets
    no grade (None), not 差. A running period counts whole days up to yesterday (`last_whole_day`), as the
    numbers pages, dashboard and report do: scores do not move during the day, and a report's assessment
    table covers the report's own span. `scope`: the root's (`Scope.of_node`), when the caller has it: the
    residential areas scored are its `communities` (a micro-grid's is its residential area)."""
    today = today or local_today()
    if period.start > today:
        raise FuturePeriod(period.key)
    through = min(period.end, last_whole_day(today))
    scheme = scheme_for(root, period.start)
    indicators = list(scheme.indicators.all())
    scope = scope or Scope.of_node(root)
    communities = scope.communities
    ids = [c.pk for c in communities]
    per_indicator = {
        ind.pk: tallies(ind, ids, period, through, detail=detail, scope=scope) for ind in indicators
    }
    # The veto looks at every purity check, whether or not the scheme scores purity.
    purity = next((ind for ind in indicators if ind.source == Source.PURITY), None)
    bins = (
        per_indicator[purity.pk]
        if purity
        else tallies(Indicator(source=Source.PURITY), ids, period, through, scope=scope)
    )
    areas = []
    for community in communities:
        scores = [IndicatorScore(ind, per_indicator[ind.pk][community.pk]) for ind in indicators]
        area = AreaScore(community, scores)
        checks, serious = bins[community.pk].den, bins[community.pk].serious
        area.vetoed = bool(
            scheme.veto_serious_share is not None and checks and serious > scheme.veto_serious_share * checks
        )
        area.meets = area.total is not None and area.total >= scheme.pass_mark and not area.vetoed
        areas.append(area)
    _rank(areas, {id(a): (a.total,) for a in areas if a.total is not None})

    def group(node: GridNode, members: list[AreaScore]) -> GroupScore:
        g = GroupScore(node, members)
        # Graded only when some area has a complete score: "0 of 18 meet, 差" for a month without data is false.
        g.grade = scheme.grade(g.met, len(members)) if any(a.total is not None for a in members) else None
        return g

    overall = group(root, areas)
    groups: list[GroupScore] = []
    if root.level in (Level.CITY, Level.DISTRICT, Level.SUBDISTRICT):
        by_path = sorted(areas, key=lambda a: a.node.path)
        for child in root.children.order_by("sort_order", "code"):
            groups.append(group(child, [a for a in by_path if a.node.path.startswith(child.path)]))
        _rank(
            groups,
            {
                id(g): (Decimal(g.met) / len(g.areas), g.average or Decimal(0))
                for g in groups
                if g.areas and g.has_data
            },
        )
    return Assessment(scheme, period, root, indicators, areas, overall, groups, through)
