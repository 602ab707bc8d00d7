"""The model's own frame (党建"芷引力"): exemplar candidates chosen from the records, and the figures that
report the work under the seven mechanisms and the four inclusions (四个纳入)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from activities.models import Activity, ActivityStatus, Registration
from assessment.models import Scheme
from grid.models import GridNode, Household, Person
from lib.periods import Period
from party.models import (
    Exemplar,
    ExemplarKind,
    Inclusion,
    MemberKind,
    PartyMember,
    PartyOrg,
    Pledge,
    Project,
    Responsibility,
    Talent,
    Visit,
    WorkStatus,
)
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


@dataclass
class Mechanism:
    key: str
    name: str
    figures: list[tuple[str, Any]] = field(default_factory=list)
    link: str = ""


@dataclass
class InclusionStatus:
    key: str
    label: str
    items: int
    done: int
    note: str = ""


def frame_report(
    sd: GridNode, year: int, today: datetime.date
) -> tuple[list[Mechanism], list[InclusionStatus]]:
    period = Period.containing("year", datetime.date(year, 1, 1))
    end = min(period.end, today)
    orgs = dict(
        PartyOrg.objects.filter(subdistrict=sd).values_list("kind").annotate(n=Count("id")).order_by()
    )
    members = PartyMember.objects.filter(subdistrict=sd, active=True)
    kinds = dict(members.values_list("kind").annotate(n=Count("id")).order_by())
    reported = members.filter(kind=MemberKind.IN_SERVICE, reported_on__year=year).count()
    pledged = Pledge.objects.filter(member__in=members).values("member_id").distinct().count()
    held = Activity.objects.filter(subdistrict=sd, status=ActivityStatus.DONE, starts_at__year=year)
    attended = Registration.objects.filter(activity__in=held, checked_in_at__isnull=False).count()
    duty = (
        ShiftSignup.objects.filter(
            shift__subdistrict=sd, shift__day__gte=period.start, shift__day__lte=end
        ).aggregate(m=Sum("minutes"))["m"]
        or 0
    )
    visits = Visit.objects.filter(subdistrict=sd, day__gte=period.start, day__lte=end)
    lines = Responsibility.objects.filter(org__subdistrict=sd)
    exemplars = dict(
        Exemplar.objects.filter(subdistrict=sd, year=year)
        .values_list("kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    talents = Talent.objects.filter(subdistrict=sd, active=True)
    sessions = held.filter(speaker__talent__in=talents).count()
    total_members = sum(kinds.values())
    mechanisms = [
        Mechanism(
            "organisation",
            _("Organisation (组织引力)"),
            [
                (_("party organisations"), sum(orgs.values())),
                (_("party members"), total_members),
                (_("in-service members reporting here"), kinds.get(MemberKind.IN_SERVICE, 0)),
                (_("reported this year"), reported),
            ],
            "party:home",
        ),
        Mechanism(
            "values",
            _("Values (价值引力)"),
            [
                (_("members who signed the pledge"), f"{pledged} / {total_members}"),
            ],
        ),
        Mechanism(
            "action",
            _("Action (行动引力)"),
            [
                (_("activities held"), held.count()),
                (_("attendances"), attended),
                (_("hours on duty at the bins"), round(duty / 60)),
                (_("door-to-door visits"), visits.count()),
            ],
        ),
        Mechanism(
            "rules",
            _("Rules (制度引力)"),
            [
                (
                    _("responsibility items done"),
                    f"{lines.filter(status=WorkStatus.DONE).count()} / {lines.count()}",
                ),
            ],
            "party:projects",
        ),
        Mechanism(
            "service",
            _("Service (服务引力)"),
            [
                (_("households reached"), visits.values("household_id").distinct().count()),
                (_("issues raised"), visits.exclude(issue="").count()),
                (
                    _("follow-ups done"),
                    f"{visits.filter(follow_up_done=True).count()} / {visits.exclude(follow_up='').count()}",
                ),
            ],
        ),
        Mechanism(
            "exemplars",
            _("Exemplars (典型引力)"),
            [(str(label), exemplars.get(key, 0)) for key, label in ExemplarKind.choices],
            "party:exemplars",
        ),
        Mechanism(
            "talent",
            _("Talent (人才引力)"),
            [
                (_("people in the talent pool"), talents.count()),
                (_("sessions they gave this year"), sessions),
            ],
            "party:talents",
        ),
    ]
    projects = Project.objects.filter(subdistrict=sd, year=year)
    scheme = Scheme.in_force(sd.pk, datetime.date(year, 1, 1))
    scheme_has_party = bool(scheme and scheme.indicators.filter(source__in=["visits", "four_leads"]).exists())
    inclusions = [
        InclusionStatus(
            Inclusion.RESPONSIBILITY,
            str(Inclusion.RESPONSIBILITY.label),
            lines.count(),
            lines.filter(status=WorkStatus.DONE).count(),
        ),
        InclusionStatus(
            Inclusion.ASSESSMENT,
            str(Inclusion.ASSESSMENT.label),
            1 if scheme else 0,
            1 if scheme else 0,
            (str(scheme) + (" · " + _("scores party work") if scheme_has_party else ""))
            if scheme
            else _("no scheme in force"),
        ),
    ]
    for key in (Inclusion.PRACTICAL, Inclusion.CO_GOVERNANCE):
        mine = projects.filter(inclusion=key)
        inclusions.append(
            InclusionStatus(
                key, str(Inclusion(key).label), mine.count(), mine.filter(status=WorkStatus.DONE).count()
            )
        )
    return mechanisms, inclusions
