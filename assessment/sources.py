"""Each indicator source as one grouped query: evidence rows per residential area and point (or category, or
inspection) and month. An indicator's tally is the sum of its evidence rows, so a score can always be shown
down to the rows it came from, and from a row down to the records (`records`)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils.translation import gettext as _

from assessment.models import Indicator, InspectionScore, Source
from grid.scope import Scope
from guide.models import CategoryKey
from lib.clock import local_now, local_time
from lib.periods import Period
from lib.validation import form_uuid
from supervision.models import PointDay, PurityCheck, PurityLevel, Shift, SignupStatus, purity_word
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


def _ended(today: datetime.date) -> Q:
    """Opening windows that are over: a window still open (or yet to come) later today is not evidence that
    it was staffed, nor that it was not. `today` before the local date: all its windows are over."""
    now = local_now()
    if today < now.date():
        return Q(day__lte=today)
    return Q(day__lt=today) | Q(day=today, end__lte=now.time())


def _grouped(qs: QuerySet[Any], community: str, detail: bool, *extra: str) -> QuerySet[Any, dict[str, Any]]:
    """Per residential area for scoring; per area, point and month for the evidence pages (one area at a time,
    so truncating every row's day to its month costs little there)."""
    if detail:
        return qs.annotate(month=TruncMonth("day")).values(
            community, "point__code", "point__name", "month", *extra
        )
    return qs.values(community, *extra)


def _rows_purity(
    ind: Indicator, scope: Scope, period: Period, today: datetime.date, detail: bool
) -> list[EvidenceRow]:
    out: dict[tuple[int, str, datetime.date | None], EvidenceRow] = {}
    query = PurityCheck.objects.in_scope(scope, via="point__").filter(
        day__gte=period.start, day__lte=_last_day(period, today)
    )
    for r in _grouped(query, "point__community_id", detail, "level").annotate(n=Count("id")).order_by():
        key = (r["point__community_id"], r.get("point__code", ""), r.get("month"))
        row = out.setdefault(key, EvidenceRow(key[0], r.get("point__name", ""), key[1], key[2]))
        row.num += PURITY_CREDIT[r["level"]] * r["n"]
        row.den += r["n"]
        row.sample += r["n"]
        if r["level"] == PurityLevel.SERIOUS:
            row.serious += r["n"]
    return list(out.values())


def _rows_correct(
    ind: Indicator, scope: Scope, period: Period, today: datetime.date, detail: bool
) -> list[EvidenceRow]:
    query = PointDay.objects.in_scope(scope).filter(day__gte=period.start, day__lte=_last_day(period, today))
    if detail:  # the evidence rows name the points: join them on the same shard
        query = query.filter(**scope.sd("point__"))
    query = (
        _grouped(query, "community_id", detail)
        .annotate(total=Sum("total"), correct=Sum("correct"))
        .order_by()
    )
    return [
        EvidenceRow(
            r["community_id"],
            r.get("point__name", ""),
            r.get("point__code", ""),
            r.get("month"),
            num=Decimal(r["correct"]),
            den=Decimal(r["total"]),
            sample=r["total"],
        )
        for r in query
    ]


def _rows_staffing(
    ind: Indicator, scope: Scope, period: Period, today: datetime.date, detail: bool
) -> list[EvidenceRow]:
    query = Shift.objects.in_scope(scope, via="point__").filter(
        _ended(today), day__gte=period.start, day__lte=_last_day(period, today)
    )
    query = (
        _grouped(query, "point__community_id", detail)
        .annotate(
            n=Count("id", distinct=True),
            staffed=Count(
                "id",
                filter=Q(signups__status__in=ON_DUTY, **scope.sd("signups__")),
                distinct=True,
            ),
        )
        .order_by()
    )
    return [
        EvidenceRow(
            r["point__community_id"],
            r.get("point__name", ""),
            r.get("point__code", ""),
            r.get("month"),
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
    ind: Indicator, scope: Scope, period: Period, today: datetime.date, detail: bool
) -> list[EvidenceRow]:
    label = _("days weighed")
    ids = scope.community_ids or []
    if not detail:
        days = period.days_until(today)
        counted = dict(
            TonnageRecord.objects.in_scope(scope)
            .filter(day__gte=period.start, day__lte=_last_day(period, today))
            .values_list("community_id")
            .annotate(days=Count("day", distinct=True))
            .order_by()
        )
        return [
            EvidenceRow(
                cid, label, "", None, num=Decimal(counted.get(cid, 0)), den=Decimal(days), sample=days
            )
            for cid in ids
            if days
        ]
    weighed = {
        (r["community_id"], r["month"]): r["days"]
        for r in TonnageRecord.objects.in_scope(scope)
        .filter(day__gte=period.start, day__lte=_last_day(period, today))
        .annotate(month=TruncMonth("day"))
        .values("community_id", "month")
        .annotate(days=Count("day", distinct=True))
        .order_by()
    }
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
    ind: Indicator, scope: Scope, period: Period, today: datetime.date, detail: bool
) -> list[EvidenceRow]:
    days = period.days_until(today)
    if not days:
        return []
    sums = {
        (r["community_id"], r["category"]): r
        for r in TonnageRecord.objects.in_scope(scope)
        .filter(day__gte=period.start, day__lte=_last_day(period, today))
        .values("community_id", "category")
        .annotate(kg=Sum("kg"), days=Count("day", distinct=True))
        .order_by()
    }
    baselines = {
        (t.node_id, t.category): t.baseline_kg_per_day
        for t in TonnageTarget.objects.filter(node_id__in=scope.community_ids or [], year=period.start.year)
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
    ind: Indicator, scope: Scope, period: Period, today: datetime.date, detail: bool
) -> list[EvidenceRow]:
    query = (
        InspectionScore.objects.in_scope(scope)
        .filter(indicator_code=ind.code, day__gte=period.start, day__lte=_last_day(period, today))
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


def _rows_visits(
    ind: Indicator, scope: Scope, period: Period, today: datetime.date, detail: bool
) -> list[EvidenceRow]:
    """Distinct households visited in the period out of all households, per micro-grid (they partition the
    area, so the rows add up to the area's share)."""
    from grid.models import Household
    from party.models import Visit

    group = (
        ["community_id", "building__microgrid__code", "building__microgrid__name"]
        if detail
        else ["community_id"]
    )
    sizes = Household.objects.in_scope(scope).values(*group).annotate(n=Count("id")).order_by()
    via = [f"household__{g}" for g in group]
    visited = {
        tuple(r[g] for g in via): r["n"]
        for r in Visit.objects.in_scope(scope, via="household__")
        .filter(day__gte=period.start, day__lte=_last_day(period, today))
        .values(*via)
        .annotate(n=Count("household_id", distinct=True))
        .order_by()
    }
    out = []
    for r in sizes:
        key = tuple(r[g] for g in group)
        out.append(
            EvidenceRow(
                r["community_id"],
                r.get("building__microgrid__name") or "",
                r.get("building__microgrid__code") or "",
                None,
                num=Decimal(visited.get(key, 0)),
                den=Decimal(r["n"]),
                sample=r["n"],
            )
        )
    return out


def _rows_four_leads(
    ind: Indicator, scope: Scope, period: Period, today: datetime.date, detail: bool
) -> list[EvidenceRow]:
    """Leads shown out of four per member serving the area; rows per branch."""
    from party.models import PartyMember
    from party.selectors import four_leads

    out: dict[tuple[int, str], EvidenceRow] = {}
    for m in four_leads(PartyMember.objects.in_scope(scope), period, today):
        key = (m.member.community_id, m.member.org.code if detail else "")
        row = out.setdefault(key, EvidenceRow(key[0], m.member.org.name if detail else "", key[1], None))
        row.num += m.count
        row.den += 4
        row.sample += 1
    return list(out.values())


ROWS = {
    Source.PURITY: _rows_purity,
    Source.CORRECT_RATE: _rows_correct,
    Source.STAFFING: _rows_staffing,
    Source.TONNAGE_DAYS: _rows_tonnage_days,
    Source.TONNAGE_TREND: _rows_tonnage_trend,
    Source.INSPECTION: _rows_inspection,
    Source.VISITS: _rows_visits,
    Source.FOUR_LEADS: _rows_four_leads,
}


def tallies(
    ind: Indicator,
    ids: Sequence[int],
    period: Period,
    today: datetime.date,
    *,
    detail: bool = False,
    scope: Scope | None = None,
) -> dict[int, Tally]:
    """Per residential area; with `detail`, as evidence rows per point (or category, inspection) and month.
    `today` is the last day counted: pages pass `last_whole_day()` (through `scoring.assess`). `scope`: the
    reader's, whose residential areas are `ids` (`scoring.assess` passes the node's); without it, a scope over
    `ids` is made."""
    out = {cid: Tally() for cid in ids}
    for row in ROWS[Source(ind.source)](
        ind, scope if scope is not None else Scope.of_communities(ids), period, today, detail
    ):
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
    """The records behind one evidence row: headers and rows for a table (up to `today`, the last day counted:
    the same `last_whole_day()` as the scores)."""
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
                    f"{local_time(c.checked_at):%H:%M}",
                    c.get_category_display(),
                    purity_word(c.level),
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
            # Every outcome has its column, so a row's outcomes add up to its drop-offs.
            [
                _("Day"),
                _("Bin"),
                _("Drop-offs"),
                _("Correct"),
                _("Corrected on the spot"),
                _("Mixed"),
                _("Bag not broken"),
                _("Refused"),
            ],
            [
                (
                    d.day,
                    d.get_category_display(),
                    d.total,
                    d.correct,
                    d.corrected,
                    d.mixed,
                    d.bag_not_broken,
                    d.refused,
                )
                for d in days
            ],
        )
    if source == Source.STAFFING:
        shifts = (
            Shift.objects.filter(
                _ended(today), point__community_id=community_id, point__code=key, day__gte=start, day__lte=end
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
    if source == Source.VISITS:
        from party.models import Visit

        visits = Visit.objects.filter(
            household__community_id=community_id,
            day__gte=start,
            day__lte=end,
            household__building__microgrid__code=key,
        ).select_related("household")
        return (
            [_("Day"), _("Household"), _("Outcome"), _("Issue raised")],
            [
                (v.day, v.household.code, v.get_outcome_display(), v.issue)
                for v in visits.order_by("day", "pk")
            ],
        )
    if source == Source.FOUR_LEADS:
        from party.models import PartyMember
        from party.selectors import four_leads

        members = PartyMember.objects.filter(community_id=community_id, org__code=key)
        return (
            [_("Name"), _("Pledge"), _("Sorts at home"), _("Hours on duty"), _("Visits"), _("Leads")],
            [
                (
                    m.member.person.name,
                    m.pledged_on or "—",
                    {True: "✓", False: "✗", None: "—"}[m.sorts],
                    m.hours,
                    m.visits,
                    m.count,
                )
                for m in four_leads(members, period, today)
            ],
        )
    # The key of an inspection row is the form's UUID; anything else names no inspection.
    form_id = form_uuid(key)
    scores = (
        InspectionScore.objects.filter(community_id=community_id, client_id=form_id)
        if form_id is not None
        else InspectionScore.objects.none()
    )
    return (
        [_("Day"), _("Inspector"), _("Score (%)"), _("Findings")],
        [(s.day, s.inspector, s.score, s.notes) for s in scores],
    )
