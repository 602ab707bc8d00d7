"""The party-building frame report (党建"芷引力"): the figures that report the work under the seven
mechanisms and the four inclusions (四个纳入). It reads party, activities, supervision and assessment, so it
lives on the reports floor; the page is mounted as `party:frame` by the project's urls."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from activities.models import Activity, ActivityStatus, Registration
from assessment.models import Scheme
from grid.models import GridNode
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
from supervision.models import ShiftSignup


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
