"""Numbers from the rollups (never from the raw records): correct rates, purity, staffing, trends, repeat
offenders."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum

from accounts.roles import READ_COVERAGE, READ_POINTS, RECORD_SORTING
from grid.models import GridNode, GridWorker, Household, Level
from grid.scope import Scope
from guide.models import CategoryKey
from lib.clock import local_today
from lib.numbers import Num, pct
from supervision.ingest.observations import points_for
from supervision.models import (
    DropOffPoint,
    HouseholdDay,
    OfferStatus,
    PointDay,
    PurityCheck,
    Shift,
    ShiftOffer,
    ShiftSignup,
    SignupStatus,
    purity_word,
)
from supervision.outcomes import HOUSEHOLD_DAY_SUMS, MISTAKE_Q, POINT_DAY_SUMS

ACTIVE = [SignupStatus.SIGNED_UP, SignupStatus.ASSIGNED]


@dataclass
class Rate:
    """Drop-offs by outcome, one definition for every page: correct + corrected + mistakes == total.
    Mistakes are `supervision.outcomes.MISTAKES` (mixed, bag not broken, refused; `HouseholdDay.mistakes`);
    corrected on the spot (纠正后正确) is neither correct nor a mistake and is shown as its own figure. The
    sums a Rate is made of: `outcomes.POINT_DAY_SUMS` / `HOUSEHOLD_DAY_SUMS`, read by `point_day_rate`."""

    total: int = 0
    correct: int = 0
    mistakes: int = 0

    @property
    def corrected(self) -> int:
        # What remains: the rollups' total counts all five outcomes, so this is exactly "corrected".
        return self.total - self.correct - self.mistakes

    def add(self, other: Rate) -> None:
        self.total += other.total
        self.correct += other.correct
        self.mistakes += other.mistakes

    def _share(self, part: int) -> float | None:
        return part / self.total if self.total else None

    @property
    def correct_rate(self) -> float | None:
        return self._share(self.correct)

    @property
    def corrected_rate(self) -> float | None:
        return self._share(self.corrected)

    @property
    def mistakes_rate(self) -> float | None:
        return self._share(self.mistakes)

    @property
    def pct(self) -> Num:
        return pct(self.correct_rate)

    @property
    def corrected_pct(self) -> Num:
        return pct(self.corrected_rate)

    @property
    def mistakes_pct(self) -> Num:
        return pct(self.mistakes_rate)


def point_day_rate(row: Mapping[str, Any]) -> Rate:
    """A Rate from a rollup aggregate with keys total, correct, mistakes: `.annotate(**POINT_DAY_SUMS)` (which
    PointDay columns are mistakes is said in `supervision.outcomes`) or `**HOUSEHOLD_DAY_SUMS`."""
    return Rate(row["total"] or 0, row["correct"] or 0, row["mistakes"] or 0)


@dataclass
class NodeNumbers:
    node: GridNode
    drops: Rate = field(default_factory=Rate)
    shifts: int = 0
    staffed: int = 0
    purity: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def staffing(self) -> str:
        return f"{self.staffed * 100 / self.shifts:.0f}%" if self.shifts else "—"


def numbers_by_child(
    node: GridNode, start: datetime.date, end: datetime.date, *, scope: Scope | None = None
) -> list[NodeNumbers]:
    """[the node's total, then each child]: drop-offs by outcome, staffing and purity. The first row is the
    whole node (its children's figures plus any record of the node not under a child), so its figures are
    the sum of the rows below it. `scope`: the node's (`Scope.of_node`), when the caller has it already."""
    scope = scope or Scope.of_node(node)
    # A residential area's rows are its own (its micro-grids hang no points); a micro-grid has no children.
    leaf = node.level in (Level.COMMUNITY, Level.MICROGRID)
    children = [] if leaf else list(node.children.order_by("sort_order", "code"))
    community_of_child: dict[int, int] = {}
    if children:  # each residential area of the scope lies under one child (or is one)
        for community in scope.communities:
            for child in children:
                if community.path.startswith(child.path):
                    community_of_child[community.pk] = child.pk
    rows = NodeNumbers(node=node)
    out = {c.pk: NodeNumbers(node=c) for c in children}

    def targets(community_id: int) -> list[NodeNumbers]:
        """Every figure counts in the node's total and in the child it lies under (if any)."""
        child = out.get(community_of_child.get(community_id, -1))
        return [rows, child] if child is not None else [rows]

    drops = (
        PointDay.objects.in_scope(scope)
        .filter(day__gte=start, day__lte=end)
        .values("community_id")
        .annotate(**POINT_DAY_SUMS)
    )
    for r in drops:
        for target in targets(r["community_id"]):
            target.drops.add(point_day_rate(r))
    shifts = (
        Shift.objects.in_scope(scope, via="point__")
        .filter(day__gte=start, day__lte=end)
        .values("point__community_id")
        .annotate(
            n=Count("id", distinct=True),
            staffed=Count("id", filter=Q(signups__status__in=ACTIVE, **scope.sd("signups__")), distinct=True),
        )
    )
    for s in shifts:
        for target in targets(s["point__community_id"]):
            target.shifts += s["n"]
            target.staffed += s["staffed"]
    # Grouped by point, not joined to it: the points' residential areas come from their small table.
    points = dict(DropOffPoint.objects.in_scope(scope).values_list("id", "community_id"))
    purity = (
        PurityCheck.objects.filter(**scope.sd(), point_id__in=list(points), day__gte=start, day__lte=end)
        .values("point_id", "category", "level")
        .annotate(n=Count("id"))
        .order_by()
    )
    for p in purity:
        for target in targets(points[p["point_id"]]):
            # Plain dicts: a template's `levels.items` on a defaultdict looks up "items" first and gets 0.
            levels = target.purity.setdefault(p["category"], {})
            levels[p["level"]] = levels.get(p["level"], 0) + p["n"]
    return [rows, *out.values()]


def trend(
    node: GridNode, start: datetime.date, end: datetime.date, *, scope: Scope | None = None
) -> list[tuple[datetime.date, Rate]]:
    by_day: dict[datetime.date, Rate] = {}
    for r in (
        PointDay.objects.in_scope(scope or Scope.of_node(node))
        .filter(day__gte=start, day__lte=end)
        .values("day")
        .annotate(**POINT_DAY_SUMS)
        .order_by("day")
    ):
        by_day[r["day"]] = point_day_rate(r)
    return sorted(by_day.items())


@dataclass
class RepeatOffender:
    household: Household
    mistakes: int
    refused: int
    drops: int


def repeat_offenders(
    node: GridNode,
    *,
    since: datetime.date,
    min_mistakes: int = 3,
    limit: int = 100,
    scope: Scope | None = None,
    exclude: QuerySet[Any] | None = None,
) -> list[RepeatOffender]:
    """Households with repeated mistakes: the input to door-to-door visits and to enforcement. `exclude`: a
    subquery of household ids (`.values("household_id")`) left out in the query itself, before `limit`, so
    `limit` rows come back whenever that many remain (party's households visited this quarter:
    reports.selectors.to_visit)."""
    # Only days with mistakes are read (a partial index holds just those, a fraction of all household-days);
    # a whole sub-district needs no household subquery, its key says it all. Rows of households: a micro-grid
    # reads its own households (`in_node`), not its residential area's.
    sd = (scope or Scope.of_node(node)).sd()
    days = HouseholdDay.objects.filter(**sd, day__gte=since)
    if node.level != Level.SUBDISTRICT:
        days = days.filter(household__in=Household.objects.in_node(node))
    if exclude is not None:
        days = days.exclude(household_id__in=exclude)
    rows = list(
        days.filter(mistakes__gt=0)
        .values("household_id")
        .annotate(mistakes=Sum("mistakes"), refused=Sum("refused"))
        .filter(mistakes__gte=min_mistakes)
        .order_by("-mistakes", "-refused", "household_id")[:limit]
    )
    ids = [r["household_id"] for r in rows]
    drops = dict(
        HouseholdDay.objects.filter(**sd, household_id__in=ids, day__gte=since)
        .values_list("household_id")
        .annotate(n=Sum("total"))
        .order_by()
    )
    households = Household.objects.select_related(
        "community", "building__microgrid", "grid_worker__person"
    ).in_bulk(ids)
    return [
        RepeatOffender(
            households[r["household_id"]], r["mistakes"], r["refused"], drops.get(r["household_id"], 0)
        )
        for r in rows
    ]


def with_people(shifts: QuerySet[Shift]) -> QuerySet[Shift]:
    """`shifts` annotated with `people`: how many are signed up (by themselves or by staff, ACTIVE), the
    number every list of shifts shows beside `needed` ("3 signed up / 1 needed") and `is_full` reads."""
    return shifts.annotate(people=Count("signups", filter=Q(signups__status__in=ACTIVE)))


def is_full(people: int, needed: int) -> bool:
    """A window is full once as many people are signed up as it needs (one needing nobody is always full).
    A full window takes no more sign-ups of volunteers (services.shift_signup) and the pages offer none;
    staff arranging the roster may still put someone extra on it, on purpose."""
    return people >= needed


def gaps(node: GridNode, day: datetime.date) -> list[Shift]:
    """Windows with fewer people signed up than needed ("1/2 people" is understaffed): the one rule of the
    secretary's home, the area lead's decisions and the understaffed-windows page."""
    scope = Scope.of_node(node)
    return list(
        Shift.objects.in_scope(scope, via="point__")
        .filter(day=day)
        .annotate(people=Count("signups", filter=Q(signups__status__in=ACTIVE, **scope.sd("signups__"))))
        .filter(people__lt=F("needed"))
        .select_related("point__community")
        .order_by("start", "point__code")
    )


def missed(node: GridNode, day: datetime.date, now: datetime.datetime) -> list[Shift]:
    """Windows of `day` that ended by `now` with nobody checked in (未到岗), however many signed up: what
    happened at the bins, not what was promised (issue 14). `people`: the sign-ups it had."""
    scope = Scope.of_node(node)
    ended: list[Shift] = [
        s
        for s in Shift.objects.in_scope(scope, via="point__")
        .filter(day=day)
        .annotate(
            people=Count("signups", filter=Q(signups__status__in=ACTIVE, **scope.sd("signups__"))),
            present=Count("signups", filter=Q(signups__checked_in_at__isnull=False, **scope.sd("signups__"))),
        )
        .filter(present=0, needed__gt=0)
        .select_related("point__community")
        .order_by("start", "point__code")
        if now >= s.ends_at
    ]
    return ended


def points_readable(user: Any) -> Any:
    """Drop-off points whose page the user may read: where they record (`points_for`), and for the other
    readers of points (READ_POINTS: the area lead) the active points of their scope (read, never recorded at)."""
    if user.has_role(RECORD_SORTING):
        return points_for(user)
    if not user.has_role(READ_POINTS):
        return DropOffPoint.objects.none()
    return Scope.of(user).filter(DropOffPoint.objects.filter(active=True), "community")


def offer_readable(user: Any, code: str) -> ShiftOffer | None:
    """A hand-over offer the user may read: one they are part of (made by or to their person), or any offer
    at a point of their scope for the readers of rosters (READ_COVERAGE); else None (the page answers 404)."""
    offer = (
        ShiftOffer.objects.select_related("signup__shift__point__community", "signup__person", "to_person")
        .filter(code=code)
        .first()
    )
    if offer is None:
        return None
    party = user.person_id is not None and user.person_id in (offer.to_person_id, offer.signup.person_id)
    overseer = user.has_role(READ_COVERAGE) and Scope.of(user).covers(offer.signup.shift.point.community)
    return offer if party or overseer else None


def point_shifts(user: Any, shift: Shift, days: int = 7) -> list[Shift]:
    """The other windows of `shift`'s point from today on (`days` days), in the user's scope: a roster links
    to them."""
    today = local_today()
    return list(
        with_people(shifts_for(user))
        .filter(point_id=shift.point_id, day__gte=today, day__lt=today + datetime.timedelta(days=days))
        .exclude(pk=shift.pk)
        .order_by("day", "start")
    )


def shifts_for(user: Any) -> Any:
    """Shifts whose point lies in the user's scope: the roster pages read through this (the area lead reads
    their area's rosters; signing up and withdrawing stay with the services' own checks)."""
    return Scope.of(user).filter(Shift.objects.filter(point__active=True), "point__community")


def my_signups(person_id: int, start: datetime.date, days: int = 7) -> list[ShiftSignup]:
    return list(
        ShiftSignup.objects.filter(
            person_id=person_id,
            shift__day__gte=start,
            shift__day__lt=start + datetime.timedelta(days=days),
            status__in=ACTIVE,
        )
        .select_related("shift__point")
        .order_by("shift__day", "shift__start")
    )


@dataclass
class LabelledRate:
    label: str
    code: str
    rate: Rate


def by_point(community: GridNode, start: datetime.date, end: datetime.date) -> list[LabelledRate]:
    scope = Scope.of_node(community)
    rows = (
        PointDay.objects.in_scope(scope)
        .filter(**scope.sd("point__"), day__gte=start, day__lte=end)
        .values("point__code", "point__name")
        .annotate(**POINT_DAY_SUMS)
        .order_by("point__code")
    )
    return [LabelledRate(r["point__name"], r["point__code"], point_day_rate(r)) for r in rows]


def point_rates(
    node: GridNode, start: datetime.date, end: datetime.date, *, scope: Scope | None = None
) -> list[LabelledRate]:
    """Each drop-off point of the scope with drop-offs in the span, and its rate (the dashboard's weakest
    points). Grouped by point on the rollup; codes and names come from the points' small table, not a join."""
    scope = scope or Scope.of_node(node)
    names = {p.pk: p for p in DropOffPoint.objects.in_scope(scope).only("code", "name")}
    rows = (
        PointDay.objects.in_scope(scope)
        .filter(day__gte=start, day__lte=end)
        .values("point_id")
        .annotate(**POINT_DAY_SUMS)
        .order_by()
    )
    return [
        LabelledRate(names[r["point_id"]].name, names[r["point_id"]].code, point_day_rate(r)) for r in rows
    ]


def has_drop_offs(
    node: GridNode, start: datetime.date, end: datetime.date, *, scope: Scope | None = None
) -> bool:
    """Any bin-side record of `node` in the span (from the rollup)."""
    return (
        PointDay.objects.in_scope(scope or Scope.of_node(node)).filter(day__gte=start, day__lte=end).exists()
    )


def by_household_group(
    node: GridNode, start: datetime.date, end: datetime.date, group: str
) -> list[LabelledRate]:
    """Correct rate of the households each grid worker (group="worker") or micro-grid (group="microgrid")
    looks after, from the per-household rollup."""
    # Grouped by the worker's / micro-grid's id on the sub-district's shard; names come from their tables.
    column = {"worker": "household__grid_worker_id", "microgrid": "household__building__microgrid_id"}[group]
    scope = Scope.of_node(node)
    keys = {
        **scope.sd(),
        **scope.sd("household__"),
        **(scope.sd("household__building__") if group == "microgrid" else {}),
    }
    rows = list(
        HouseholdDay.objects.filter(
            **keys, household__in=Household.objects.in_node(node), day__gte=start, day__lte=end
        )
        .values(column)
        .annotate(**HOUSEHOLD_DAY_SUMS)
        .order_by()
    )
    ids = [r[column] for r in rows if r[column]]
    if group == "worker":
        names = {
            w.pk: (w.code, w.person.name)
            for w in GridWorker.objects.filter(**scope.sd(), pk__in=ids).select_related("person")
        }
    else:
        names = {n.pk: (n.code, n.name) for n in GridNode.objects.filter(pk__in=ids)}
    out = [
        LabelledRate(
            names.get(r[column], ("—", "—"))[1],
            names.get(r[column], ("—", "—"))[0],
            Rate(r["total"], r["correct"], r["mistakes"]),
        )
        for r in rows
    ]
    return sorted(out, key=lambda x: x.code)


def weekly(
    node: GridNode, start: datetime.date, end: datetime.date, *, scope: Scope | None = None
) -> list[tuple[datetime.date, Rate]]:
    weeks: dict[datetime.date, Rate] = {}
    for day, rate in trend(node, start, end, scope=scope):
        monday = day - datetime.timedelta(days=day.weekday())
        weeks.setdefault(monday, Rate()).add(rate)
    return sorted(weeks.items())


def household_recent(household: Household, since: datetime.date, limit: int = 10) -> dict[str, Any]:
    """Per household: drop-offs and correct rate since a day, and its last mistakes (raw records, by index)."""
    from supervision.models import Observation

    agg = HouseholdDay.objects.filter(
        subdistrict_id=household.subdistrict_id, household=household, day__gte=since
    ).aggregate(**HOUSEHOLD_DAY_SUMS)
    last = list(
        Observation.objects.filter(
            subdistrict_id=household.subdistrict_id, household_id=household.pk, day__gte=since
        )
        .filter(MISTAKE_Q)
        .select_related("point")
        .order_by("-day", "-observed_at")[:limit]
    )
    return {"rate": Rate(agg["total"] or 0, agg["correct"] or 0, agg["mistakes"] or 0), "last_mistakes": last}


@dataclass(frozen=True)
class PurityRound:
    """One purity check as it was saved (one form: a level per bin and one note): when, by whom (their
    name, else their login), the (bin, level) words in the bins' usual order, and the note."""

    checked_at: datetime.datetime
    by: str
    levels: list[tuple[str, str]]
    notes: str


def purity_checks_recent(
    point: DropOffPoint, start: datetime.date, end: datetime.date, *, reader: Any
) -> list[PurityRound]:
    """The point's purity checks from `start` to `end`, newest first, one entry per saved form (the rows
    one form wrote share their time and recorder), each with its note: what staff read of a point's checks.
    The recorder's name is masked for a `reader` who does not see personal data (an area lead)."""
    order = {key: n for n, key in enumerate(CategoryKey.values)}
    rounds: dict[tuple[datetime.datetime, int | None], list[PurityCheck]] = {}
    for c in (
        PurityCheck.objects.filter(
            subdistrict_id=point.subdistrict_id, point=point, day__gte=start, day__lte=end
        )
        .select_related("recorded_by__person")
        .order_by("-checked_at", "category")
    ):
        rounds.setdefault((c.checked_at, c.recorded_by_id), []).append(c)
    out = []
    for (at, _by), rows in rounds.items():
        user = rows[0].recorded_by
        rows.sort(key=lambda c: order.get(c.category, len(order)))
        out.append(
            PurityRound(
                checked_at=at,
                by=user.display_name_for(reader) if user is not None else "",
                levels=[(str(c.get_category_display()), purity_word(c.level)) for c in rows],
                notes=next((c.notes for c in rows if c.notes), ""),
            )
        )
    return out


def handed_over(person_id: int, start: datetime.date, days: int = 14) -> list[ShiftOffer]:
    """The person's shifts from `start` on (`days` days, as "my shifts") that someone accepted from them:
    the sender's notice that a hand-over went through ("12-03 18:30 已由 蒋涛红 接班"), since the shift leaves
    their list then. Offers with the shift and the taker loaded, by shift time."""
    return list(
        ShiftOffer.objects.filter(
            signup__person_id=person_id,
            status=OfferStatus.ACCEPTED,
            signup__shift__day__gte=start,
            signup__shift__day__lt=start + datetime.timedelta(days=days),
        )
        .select_related("signup__shift__point", "to_person")
        .order_by("signup__shift__day", "signup__shift__start")
    )
