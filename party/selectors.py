"""The four leads (四个带头) per member from the records, visit coverage per micro-grid, and who to visit."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, Max, Min, OuterRef, Q, QuerySet, Sum

from grid.models import GridNode, Household, Level
from grid.scope import ScopedQuerySet
from lib.distribution import in_sd
from lib.numbers import Num, hours, pct
from lib.periods import Period
from party.models import PartyMember, PartyOrg, Pledge, Visit, VisitPlan
from supervision.models import HouseholdDay, ShiftSignup, SignupStatus

# What counts as leading, stated where the page can show it.
SORTS_MIN_DROPS = 10  # drop-offs in the period before the household's rate means anything
SORTS_MIN_RATE = 0.9  # share of them correct
DUTY_MIN_MINUTES = 60  # at least one window's worth of time at the bins
VISITS_MIN = 1


@dataclass
class MemberLeads:
    member: PartyMember
    pledged_on: datetime.date | None
    drops: int
    correct: int
    minutes: int
    visits: int

    @property
    def pledge(self) -> bool:
        return self.pledged_on is not None

    @property
    def sorts(self) -> bool | None:
        """None: no household on record, or too few drop-offs to judge."""
        if self.member.person.household_id is None or self.drops < SORTS_MIN_DROPS:
            return None
        return self.correct >= SORTS_MIN_RATE * self.drops

    @property
    def correct_pct(self) -> Num:
        return pct(self.correct / self.drops if self.drops else None)

    @property
    def duty(self) -> bool:
        return self.minutes >= DUTY_MIN_MINUTES

    @property
    def hours(self) -> Num:
        return hours(self.minutes)

    @property
    def visiting(self) -> bool:
        return self.visits >= VISITS_MIN

    @property
    def count(self) -> int:
        return sum(bool(x) for x in (self.pledge, self.sorts, self.duty, self.visiting))


def orgs_visible(node: GridNode) -> QuerySet[PartyOrg]:
    return PartyOrg.objects.filter(node__path__startswith=node.path)


def org_subtree(org: PartyOrg) -> list[int]:
    ids, frontier = [org.pk], [org.pk]
    while frontier:
        frontier = list(PartyOrg.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids += frontier
    return ids


def four_leads(members: QuerySet[PartyMember], period: Period, today: datetime.date) -> list[MemberLeads]:
    """Five grouped queries whatever the number of members."""
    end = min(period.end, today)
    rows = list(
        members.filter(active=True)
        .select_related("person", "org", "community")
        .order_by("org__code", "person__name")
    )
    ids = [m.pk for m in rows]
    pledged = dict(
        Pledge.objects.filter(member_id__in=ids, signed_on__lte=end)
        .values_list("member_id")
        .annotate(first=Min("signed_on"))
        .order_by()
    )
    households = {m.person.household_id for m in rows if m.person.household_id}
    sds = {m.subdistrict_id for m in rows}
    sd = {"subdistrict_id": sds.pop()} if len(sds) == 1 else {}  # the shard, when one sub-district
    sorting: dict[int, Any] = {
        r["household_id"]: r
        for r in HouseholdDay.objects.filter(
            **sd, household_id__in=households, day__gte=period.start, day__lte=end
        )
        .values("household_id")
        .annotate(total=Sum("total"), correct=Sum("correct"))
        .order_by()
    }
    minutes = dict(
        ShiftSignup.objects.filter(
            **sd,
            **{f"shift__{k}": v for k, v in sd.items()},
            person_id__in=[m.person_id for m in rows],
            shift__day__gte=period.start,
            shift__day__lte=end,
            status__in=[SignupStatus.SIGNED_UP, SignupStatus.ASSIGNED],
        )
        .values_list("person_id")
        .annotate(m=Sum("minutes"))
        .order_by()
    )
    visits = dict(
        Visit.objects.filter(**sd, visitors__in=ids, day__gte=period.start, day__lte=end)
        .values_list("visitors")
        .annotate(n=Count("id"))
        .order_by()
    )
    out = []
    for m in rows:
        s = sorting.get(m.person.household_id or -1, {})
        out.append(
            MemberLeads(
                m,
                pledged.get(m.pk),
                s.get("total") or 0,
                s.get("correct") or 0,
                minutes.get(m.person_id) or 0,
                visits.get(m.pk, 0),
            )
        )
    return out


@dataclass
class Coverage:
    microgrid: GridNode
    households: int
    visited: int
    plan: VisitPlan | None

    @property
    def share(self) -> float | None:
        return self.visited / self.households if self.households else None

    @property
    def pct(self) -> Num:
        return pct(self.share)


def visit_coverage(node: GridNode, period: Period, today: datetime.date) -> list[Coverage]:
    """Share of households visited in the period, per micro-grid under `node`."""
    if node.level == Level.MICROGRID:
        grids = [node]
    else:
        grids = list(GridNode.objects.subtree(node).filter(level=Level.MICROGRID).order_by("path"))
    ids = [g.pk for g in grids]
    sd = in_sd(node)
    sizes = dict(
        Household.objects.filter(**sd, **in_sd(node, "building__"), building__microgrid_id__in=ids)
        .values_list("building__microgrid_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    visited = dict(
        Visit.objects.filter(
            **sd, microgrid_id__in=ids, day__gte=period.start, day__lte=min(period.end, today)
        )
        .values_list("microgrid_id")
        .annotate(n=Count("household_id", distinct=True))
        .order_by()
    )
    plans = {p.microgrid_id: p for p in VisitPlan.objects.filter(microgrid_id__in=ids, quarter=period.key)}
    return [Coverage(g, sizes.get(g.pk, 0), visited.get(g.pk, 0), plans.get(g.pk)) for g in grids]


def visits_due_since(today: datetime.date) -> datetime.date:
    """The one rule of "needs a visit": a household with no door-to-door visit since this day (the start of the
    current quarter, as the coverage counter counts) needs one. Asked through `needs_visit` (a household's
    last visit day, in Python: the grid worker's "my households", the home page) and `visits_since_due` (the
    same rule in SQL: the dashboard's households to visit, the visited counters)."""
    return Period.containing("quarter", today).start


def needs_visit(last_visit: datetime.date | None, today: datetime.date) -> bool:
    return last_visit is None or last_visit < visits_due_since(today)


def visits_since_due(today: datetime.date) -> ScopedQuerySet[Visit]:
    """The visits that leave their household needing none (`visits_due_since` on): `needs_visit` as a
    queryset, to narrow by sub-district or `.in_scope(scope, via="household__")` and read as
    `.values("household_id")` (a subquery of the households visited, to exclude or count)."""
    return Visit.objects.filter(day__gte=visits_due_since(today))


def last_visits(subdistrict_id: int, household_ids: list[int]) -> dict[int, datetime.date]:
    """Each household's last visit day (households never visited are absent), for `needs_visit`. One grouped
    query."""
    return dict(
        Visit.objects.filter(subdistrict_id=subdistrict_id, household_id__in=household_ids)
        .values_list("household_id")
        .annotate(last=Max("day"))
        .order_by()
    )


@dataclass
class ToVisit:
    household: Household
    mistakes: int
    visits: list[Visit]


def plan_households(
    plan: VisitPlan, today: datetime.date, *, since_days: int = 90, only: Household | None = None
) -> list[ToVisit]:
    """Every household of the plan's micro-grid (or `only` that one), those with the most recent mistakes
    first, then those not visited yet this quarter."""
    period = Period.parse(plan.quarter)
    since = today - datetime.timedelta(days=since_days)
    sd = {"subdistrict_id": plan.subdistrict_id}
    scope = Household.objects.filter(**sd, building__microgrid_id=plan.microgrid_id)
    if only is not None:
        scope = scope.filter(pk=only.pk)
    households = list(
        scope.select_related("building", "building__microgrid", "community", "grid_worker__person")
    )
    mistakes = dict(
        HouseholdDay.objects.filter(**sd, household_id__in=[h.pk for h in households], day__gte=since)
        .values_list("household_id")
        .annotate(n=Sum("mistakes"))
        .order_by()
    )
    visits: dict[int, list[Visit]] = {}
    for v in Visit.objects.filter(
        **sd, household_id__in=[h.pk for h in households], day__gte=period.start, day__lte=period.end
    ).order_by("-day"):
        visits.setdefault(v.household_id, []).append(v)
    rows = [ToVisit(h, mistakes.get(h.pk) or 0, visits.get(h.pk, [])) for h in households]
    rows.sort(key=lambda r: (-r.mistakes, bool(r.visits), r.household.code))
    return rows


def plan_search(plan: VisitPlan, q: str, *, personal: bool, rooms: bool) -> set[int]:
    """The ids of the plan's households that the plan page's search `q` finds, by the household list's own
    search and rules (`HouseholdQuerySet.search`: "3号楼 102", "3号楼102", "11号楼 1-301", full-width digits):
    rooms only for readers shown them (`rooms`, the plan's visitors, or `personal`), names and phones only
    with `personal`; anyone else finds buildings and codes by their start. One query."""
    sd = plan.subdistrict_id
    households = Household.objects.filter(
        subdistrict_id=sd, building__subdistrict_id=sd, building__microgrid_id=plan.microgrid_id
    )
    return set(households.search(q, personal=personal, rooms=rooms).values_list("pk", flat=True))


def member_for(user: Any) -> PartyMember | None:
    person = getattr(user, "person", None)
    return getattr(person, "party_member", None) if person is not None else None


@dataclass
class PlanTally:
    """The plan page's counter ("18 / 170 visited") and its filter counts, from one query, so the two never
    disagree after a visit (issue 14): `todo` is what is left of `total` once `visited` is taken away."""

    total: int
    visited: int
    mine_todo: int  # the grid worker's own households not visited yet (0 for anyone else)

    @property
    def todo(self) -> int:
        return self.total - self.visited


def plan_tally(plan: VisitPlan, worker_id: int | None = None) -> PlanTally:
    """Households of the plan's micro-grid and those visited in its quarter (as `plan_households` reads
    them: any visit to the household in the quarter), in one aggregate query."""
    period = Period.parse(plan.quarter)
    sd = plan.subdistrict_id
    seen = Exists(
        Visit.objects.filter(
            subdistrict_id=sd, household_id=OuterRef("pk"), day__gte=period.start, day__lte=period.end
        )
    )
    row = Household.objects.filter(
        subdistrict_id=sd, building__subdistrict_id=sd, building__microgrid_id=plan.microgrid_id
    ).aggregate(
        total=Count("pk"),
        visited=Count("pk", filter=Q(seen)),
        mine_todo=Count("pk", filter=Q(~seen, grid_worker_id=worker_id or 0)),
    )
    return PlanTally(row["total"], row["visited"], row["mine_todo"])


def plan_for(household: Household, today: datetime.date) -> VisitPlan | None:
    """This quarter's visit plan of the household's micro-grid, if one was made."""
    return VisitPlan.objects.filter(
        microgrid_id=household.building.microgrid_id, quarter=Period.containing("quarter", today).key
    ).first()


def household_visits(household: Household, limit: int = 10) -> list[Visit]:
    """A household's last visits, newest first."""
    return list(
        Visit.objects.filter(subdistrict_id=household.subdistrict_id, household=household).order_by(
            "-day", "-created_at"
        )[:limit]
    )


def worker_visited(worker_id: int, subdistrict_id: int, today: datetime.date) -> tuple[int, int]:
    """(households visited this quarter by `visits_since_due`, households) of one grid worker: the counter on
    their pages."""
    total = Household.objects.filter(subdistrict_id=subdistrict_id, grid_worker_id=worker_id).count()
    return worker_visited_count(worker_id, subdistrict_id, today), total


def worker_visited_count(worker_id: int, subdistrict_id: int, today: datetime.date) -> int:
    """How many of one grid worker's households were visited this quarter (`visits_since_due`): the home
    page's own figure and `worker_visited`'s. One query."""
    return (
        visits_since_due(today)
        .filter(
            subdistrict_id=subdistrict_id,
            household__subdistrict_id=subdistrict_id,
            household__grid_worker_id=worker_id,
        )
        .values("household_id")
        .distinct()
        .count()
    )


def leads_of(member: PartyMember, period: Period, today: datetime.date) -> MemberLeads | None:
    """One member's four leads, computed by the branch table's own `four_leads` (None: not active)."""
    rows = four_leads(PartyMember.objects.filter(pk=member.pk), period, today)
    return rows[0] if rows else None


def plans_for(member: PartyMember, period: Period) -> list[VisitPlan]:
    """The quarter's visit plans the member goes on; when none, those of their residential area (any member
    of the area may join a round: recording a visit from the plan adds them to its visitors)."""
    quarter = Period.containing("quarter", period.start).key
    plans = VisitPlan.objects.filter(quarter=quarter).select_related("microgrid").order_by("microgrid__code")
    return list(plans.filter(members=member)) or list(plans.filter(microgrid__parent_id=member.community_id))
