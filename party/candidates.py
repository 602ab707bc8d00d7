"""Exemplar candidates (党建"芷引力"): who the records say stands out this year, each with the reason in
figures. The party's own exemplar roll is chosen from these; the seven-mechanism report is `reports.frame`."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from grid.models import GridNode, Household, Person
from lib.periods import Period
from party.models import Exemplar, ExemplarKind, PartyMember
from party.selectors import four_leads
from supervision.models import HouseholdDay, ShiftSignup, SignupStatus
from units.models import CheckResult, CommitmentStatus, MemberUnit, UnitCheck

MODEL_HOUSEHOLD_DROPS = 5  # drop-offs recorded in the year, all correct, before a household is put forward


@dataclass
class Candidate:
    kind: str
    name: str
    reason: str
    household: Household | None = None
    person: Person | None = None
    unit: MemberUnit | None = None
    chosen: bool = False


def candidates(sd: GridNode, year: int, today: datetime.date, limit: int = 10) -> dict[str, list[Candidate]]:
    """Who the records say stands out this year, each with the reason in figures."""
    period = Period.containing("year", datetime.date(year, 1, 1))
    end = min(period.end, today)
    chosen = set(
        Exemplar.objects.filter(subdistrict=sd, year=year).values_list(
            "kind", "household_id", "person_id", "unit_id"
        )
    )
    out: dict[str, list[Candidate]] = {k: [] for k in ExemplarKind.values}
    # Households: many drop-offs, none wrong.
    rows = (
        HouseholdDay.objects.filter(subdistrict_id=sd.pk, day__gte=period.start, day__lte=end)
        .values("household_id")
        .annotate(total=Sum("total"), mistakes=Sum("mistakes"))
        .filter(mistakes=0, total__gte=MODEL_HOUSEHOLD_DROPS)
        .order_by("-total", "household_id")[:limit]
    )
    households = Household.objects.in_bulk([r["household_id"] for r in rows])
    for r in rows:
        h = households[r["household_id"]]
        out[ExemplarKind.HOUSEHOLD].append(
            Candidate(
                ExemplarKind.HOUSEHOLD,
                h.code,
                _("%(n)d drop-offs recorded this year, every one correct") % {"n": r["total"]},
                household=h,
                chosen=(ExemplarKind.HOUSEHOLD, h.pk, None, None) in chosen,
            )
        )
    # Members who lead in the most of the four, then most hours.
    leads = [m for m in four_leads(PartyMember.objects.filter(subdistrict=sd), period, today) if m.count >= 3]
    leads.sort(key=lambda m: (-m.count, -m.minutes, -m.visits, m.member.person.name))
    for m in leads[:limit]:
        out[ExemplarKind.MEMBER].append(
            Candidate(
                ExemplarKind.MEMBER,
                m.member.person.name,
                _(
                    "Leads in %(n)d of four: pledge %(pledge)s, household %(rate)s correct, %(hours)s h on duty, %(visits)d visits"
                )
                % {
                    "n": m.count,
                    "pledge": m.pledged_on.isoformat() if m.pledged_on else "—",
                    "rate": m.correct_pct,
                    "hours": m.hours,
                    "visits": m.visits,
                },
                person=m.member.person,
                chosen=(ExemplarKind.MEMBER, None, m.member.person_id, None) in chosen,
            )
        )
    # Volunteers (not party members) with the most time at the bins.
    duty = (
        ShiftSignup.objects.filter(
            shift__subdistrict=sd,
            shift__day__gte=period.start,
            shift__day__lte=end,
            status__in=[SignupStatus.SIGNED_UP, SignupStatus.ASSIGNED],
            person__party_member__isnull=True,
        )
        .values("person_id")
        .annotate(minutes=Sum("minutes"), windows=Count("id"))
        .filter(minutes__gt=0)
        .order_by("-minutes", "person_id")[:limit]
    )
    people = Person.objects.in_bulk([d["person_id"] for d in duty])
    for d in duty:
        p = people[d["person_id"]]
        out[ExemplarKind.VOLUNTEER].append(
            Candidate(
                ExemplarKind.VOLUNTEER,
                p.name,
                _("%(hours).1f h on duty at the bins in %(n)d windows")
                % {"hours": d["minutes"] / 60, "n": d["windows"]},
                person=p,
                chosen=(ExemplarKind.VOLUNTEER, None, p.pk, None) in chosen,
            )
        )
    # Units: every commitment of the year done, and their own sorting compliant at the last check.
    units = list(
        MemberUnit.objects.filter(subdistrict=sd, active=True).annotate(
            n=Count("commitments", filter=Q(commitments__year=year), distinct=True),
            done=Count(
                "commitments",
                filter=Q(commitments__year=year, commitments__status=CommitmentStatus.DONE),
                distinct=True,
            ),
        )
    )
    last: dict[int, UnitCheck] = {}
    for check in UnitCheck.objects.filter(unit__in=units).order_by("unit_id", "-day", "-pk"):
        last.setdefault(check.unit_id, check)
    for u in units:
        latest = last.get(u.pk)
        if u.n and u.n == u.done and latest is not None and latest.result == CheckResult.COMPLIANT:  # type: ignore[attr-defined]
            out[ExemplarKind.UNIT].append(
                Candidate(
                    ExemplarKind.UNIT,
                    u.name,
                    _("All %(n)d commitments done; own sorting compliant (%(day)s)")
                    % {"n": u.n, "day": latest.day},  # type: ignore[attr-defined]
                    unit=u,
                    chosen=(ExemplarKind.UNIT, None, None, u.pk) in chosen,
                )
            )
    out[ExemplarKind.UNIT] = out[ExemplarKind.UNIT][:limit]
    return out
