"""Each indicator source as one grouped query: evidence rows per residential area and point (or category, or
inspection) and month. An indicator's tally is the sum of its evidence rows, so a score can always be shown
down to the rows it came from, and from a row down to the records (`records`)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils.translation import gettext as _

from assessment.models import Indicator, InspectionScore, Source
from guide.models import CategoryKey
from lib.periods import Period
from supervision.models import PointDay, PurityCheck, PurityLevel, Shift, SignupStatus
from tonnage.models import TonnageRecord, TonnageTarget

ZERO = Decimal(0)
PURITY_CREDIT: dict[str, Decimal] = {
    PurityLevel.CLEAN: Decimal(1),
    PurityLevel.SLIGHT: Decimal("0.5"),
    PurityLevel.SERIOUS: ZERO,
}
ON_DUTY = [SignupStatus.SIGNED_UP, SignupStatus.ASSIGNED]
SHOULD_GROW = {"recyclable", "hazardous", "wet"}


@dataclass
class EvidenceRow:
    community_id: int
    label: str  # the point, category or inspector
    key: str  # what `records` needs to list this row's records: a point code, a category, an inspection id
    month: datetime.date | None
    num: Decimal = ZERO
    den: Decimal = ZERO
    sample: int = 0
    serious: int = 0  # purity checks that found serious mixing (the veto)
    note: str = ""
    evidence_url: str = ""


@dataclass
class Tally:
    num: Decimal = ZERO
    den: Decimal = ZERO
    sample: int = 0
    serious: int = 0
    rows: list[EvidenceRow] = field(default_factory=list)

    def add(self, row: EvidenceRow) -> None:
        self.num += row.num
        self.den += row.den
        self.sample += row.sample
        self.serious += row.serious
        self.rows.append(row)


def _last_day(period: Period, today: datetime.date) -> datetime.date:
    return min(period.end, today)


def _rows_purity(
    ind: Indicator, ids: Sequence[int], period: Period, today: datetime.date
) -> list[EvidenceRow]:
    out: dict[tuple[int, str, datetime.date], EvidenceRow] = {}
    query = (
        PurityCheck.objects.filter(
            point__community_id__in=ids, day__gte=period.start, day__lte=_last_day(period, today)
        )
        .annotate(month=TruncMonth("day"))
        .values("point__community_id", "point__code", "point__name", "month", "level")
        .annotate(n=Count("id"))
        .order_by()
    )
    for r in query:
        key = (r["point__community_id"], r["point__code"], r["month"])
        row = out.setdefault(key, EvidenceRow(key[0], r["point__name"], r["point__code"], r["month"]))
        row.num += PURITY_CREDIT[r["level"]] * r["n"]
        row.den += r["n"]
        row.sample += r["n"]
        if r["level"] == PurityLevel.SERIOUS:
            row.serious += r["n"]
    return list(out.values())


def _rows_correct(
    ind: Indicator, ids: Sequence[int], period: Period, today: datetime.date
) -> list[EvidenceRow]:
    query = (
        PointDay.objects.filter(
            community_id__in=ids, day__gte=period.start, day__lte=_last_day(period, today)
        )
        .annotate(month=TruncMonth("day"))
        .values("community_id", "point__code", "point__name", "month")
        .annotate(total=Sum("total"), correct=Sum("correct"))
        .order_by()
    )
    return [
        EvidenceRow(
            r["community_id"],
            r["point__name"],
            r["point__code"],
            r["month"],
            num=Decimal(r["correct"]),
            den=Decimal(r["total"]),
            sample=r["total"],
        )
        for r in query
    ]


def _rows_staffing(
    ind: Indicator, ids: Sequence[int], period: Period, today: datetime.date
) -> list[EvidenceRow]:
    query = (
        Shift.objects.filter(
            point__community_id__in=ids, day__gte=period.start, day__lte=_last_day(period, today)
        )
        .annotate(month=TruncMonth("day"))
        .values("point__community_id", "point__code", "point__name", "month")
        .annotate(
            n=Count("id", distinct=True),
            staffed=Count("id", filter=Q(signups__status__in=ON_DUTY), distinct=True),
        )
        .order_by()
    )
    return [
        EvidenceRow(
            r["point__community_id"],
            r["point__name"],
            r["point__code"],
            r["month"],
            num=Decimal(r["staffed"]),
            den=Decimal(r["n"]),
            sample=r["n"],
        )
        for r in query
    ]


def _months(period: Period, today: datetime.date) -> list[tuple[datetime.date, int]]:
    """(first day, days of it inside the period and not in the future) for each month begun."""
    out = []
    last = _last_day(period, today)
    month = period.start
    while month <= last:
        following = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        out.append((month, (min(following - datetime.timedelta(days=1), last) - month).days + 1))
        month = following
    return out


def _rows_tonnage_days(
    ind: Indicator, ids: Sequence[int], period: Period, today: datetime.date
) -> list[EvidenceRow]:
    weighed = {
        (r["community_id"], r["month"]): r["days"]
        for r in TonnageRecord.objects.filter(
            community_id__in=ids, day__gte=period.start, day__lte=_last_day(period, today)
        )
        .annotate(month=TruncMonth("day"))
        .values("community_id", "month")
        .annotate(days=Count("day", distinct=True))
        .order_by()
    }
    label = _("days weighed")
    return [
        EvidenceRow(
            cid,
            label,
            "",
            month,
            num=Decimal(weighed.get((cid, month), 0)),
            den=Decimal(days),
            sample=days,
        )
        for cid in ids
        for month, days in _months(period, today)
    ]


def _rows_tonnage_trend(
    ind: Indicator, ids: Sequence[int], period: Period, today: datetime.date
) -> list[EvidenceRow]:
    days = period.days_until(today)
    if not days:
        return []
    sums = {
        (r["community_id"], r["category"]): r
        for r in TonnageRecord.objects.filter(
            community_id__in=ids, day__gte=period.start, day__lte=_last_day(period, today)
        )
        .values("community_id", "category")
        .annotate(kg=Sum("kg"), days=Count("day", distinct=True))
        .order_by()
    }
    baselines = {
        (t.node_id, t.category): t.baseline_kg_per_day
        for t in TonnageTarget.objects.filter(node_id__in=ids, year=period.start.year)
    }
    labels = dict(CategoryKey.choices)
    out = []
    for (cid, category), baseline in baselines.items():
        got = sums.get((cid, category))
        if not got or not baseline:
            continue
        per_day = Decimal(got["kg"]) / days
        right_way = per_day > baseline if category in SHOULD_GROW else per_day < baseline
        out.append(
            EvidenceRow(
                cid,
                str(labels[category]),
                category,
                None,
                num=Decimal(int(right_way)),
                den=Decimal(1),
                sample=got["days"],
                note=f"{per_day:.1f} kg/d · {_('baseline')} {baseline} kg/d",
            )
        )
    return out


def _rows_inspection(
    ind: Indicator, ids: Sequence[int], period: Period, today: datetime.date
) -> list[EvidenceRow]:
    query = (
        InspectionScore.objects.filter(
            community_id__in=ids, indicator_code=ind.code, day__gte=period.start, day__lte=period.end
        )
        .select_related("community")
        .order_by("day", "pk")
    )
    return [
        EvidenceRow(
            s.community_id,
            f"{s.inspector} · {s.day:%Y-%m-%d}",
            str(s.client_id),
            s.day.replace(day=1),
            num=s.score / 100,
            den=Decimal(1),
            sample=1,
            note=s.notes,
            evidence_url=reverse("assessment:evidence_file", args=[s.community.code, s.client_id])
            if s.evidence
            else "",
        )
        for s in query
    ]


ROWS = {
    Source.PURITY: _rows_purity,
    Source.CORRECT_RATE: _rows_correct,
    Source.STAFFING: _rows_staffing,
    Source.TONNAGE_DAYS: _rows_tonnage_days,
    Source.TONNAGE_TREND: _rows_tonnage_trend,
    Source.INSPECTION: _rows_inspection,
}


def tallies(ind: Indicator, ids: Sequence[int], period: Period, today: datetime.date) -> dict[int, Tally]:
    out = {cid: Tally() for cid in ids}
    for row in ROWS[Source(ind.source)](ind, ids, period, today):
        out[row.community_id].add(row)
    return out


def records(
    ind: Indicator,
    community_id: int,
    period: Period,
    today: datetime.date,
    key: str,
    month: datetime.date | None,
) -> tuple[list[str], list[Sequence[Any]]]:
    """The records behind one evidence row: headers and rows for a table."""
    start = max(period.start, month) if month else period.start
    end = _last_day(period, today)
    if month:
        end = min(
            end, (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(1)
        )
    source = Source(ind.source)
    if source == Source.PURITY:
        checks = PurityCheck.objects.filter(
            point__community_id=community_id, point__code=key, day__gte=start, day__lte=end
        ).order_by("day", "checked_at", "category")
        return (
            [_("Day"), _("Time"), _("Bin"), _("Finding"), _("Credit"), _("Notes")],
            [
                (
                    c.day,
                    f"{c.checked_at:%H:%M}",
                    c.get_category_display(),
                    c.get_level_display(),
                    PURITY_CREDIT[PurityLevel(c.level)],
                    c.notes,
                )
                for c in checks
            ],
        )
    if source == Source.CORRECT_RATE:
        days = PointDay.objects.filter(
            community_id=community_id, point__code=key, day__gte=start, day__lte=end
        ).order_by("day", "category")
        return (
            [_("Day"), _("Bin"), _("Drop-offs"), _("Correct"), _("Mixed"), _("Bag not broken"), _("Refused")],
            [
                (d.day, d.get_category_display(), d.total, d.correct, d.mixed, d.bag_not_broken, d.refused)
                for d in days
            ],
        )
    if source == Source.STAFFING:
        shifts = (
            Shift.objects.filter(
                point__community_id=community_id, point__code=key, day__gte=start, day__lte=end
            )
            .annotate(on_duty=Count("signups", filter=Q(signups__status__in=ON_DUTY)))
            .order_by("day", "start")
        )
        return (
            [_("Day"), _("Window"), _("People needed"), _("On duty"), _("Staffed")],
            [
                (
                    s.day,
                    f"{s.start:%H:%M}–{s.end:%H:%M}",
                    s.needed,
                    s.on_duty,
                    _("yes") if s.on_duty else _("no"),
                )
                for s in shifts
            ],
        )
    if source in (Source.TONNAGE_DAYS, Source.TONNAGE_TREND):
        weighings = TonnageRecord.objects.filter(community_id=community_id, day__gte=start, day__lte=end)
        if source == Source.TONNAGE_TREND:
            weighings = weighings.filter(category=key)
        return (
            [_("Day"), _("Category"), _("kg"), _("Source"), _("Ticket / reference")],
            [
                (w.day, w.get_category_display(), w.kg, w.get_source_display(), w.ref)
                for w in weighings.order_by("day", "category", "ref")
            ],
        )
    scores = InspectionScore.objects.filter(community_id=community_id, client_id=key)
    return (
        [_("Day"), _("Inspector"), _("Score (%)"), _("Findings")],
        [(s.day, s.inspector, s.score, s.notes) for s in scores],
    )
