"""The registry's figures per unit, in a constant number of queries."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from accounts.models import Role, User
from grid.scope import Scope
from lib.clock import local_today
from units.models import Attendance, Commitment, CommitmentStatus, MemberUnit, UnitCheck


def units_for(user: User) -> QuerySet[MemberUnit]:
    """Staff see the units in their scope: the sub-district's staff all of its units, an area lead or a
    secretary only the units placed in their residential areas; a liaison sees the unit(s) they speak for."""
    if user.is_superuser and user.node_id is None:
        return MemberUnit.objects.all()
    if user.role == Role.UNIT_LIAISON:
        return MemberUnit.objects.filter(liaisons__person_id=user.person_id or 0)
    if user.role in (Role.SUBDISTRICT_ADMIN, Role.AREA_LEAD, Role.COMMUNITY_SECRETARY):
        scope = Scope.of(user)
        return MemberUnit.objects.filter(scope.q("subdistrict") | scope.q("community"))
    return MemberUnit.objects.none()


@dataclass
class UnitRow:
    unit: MemberUnit
    commitments: int
    done: int
    meetings: int
    present: int
    last_check: UnitCheck | None

    @property
    def done_pct(self) -> str:
        return f"{self.done * 100 / self.commitments:.0f}%" if self.commitments else "—"


def registry(units: QuerySet[MemberUnit], year: int) -> list[UnitRow]:
    rows = list(
        units.annotate(
            n_commitments=Count("commitments", filter=Q(commitments__year=year), distinct=True),
            n_done=Count(
                "commitments",
                filter=Q(commitments__year=year, commitments__status=CommitmentStatus.DONE),
                distinct=True,
            ),
        ).order_by("code")
    )
    attendance: dict[int, Any] = {
        r["unit_id"]: r
        # Invited to and attended: meetings that have taken place only (attendance is recorded from the
        # meeting's day on, `lib.attendance`), so a future invitation is no "1 of 2 attended".
        for r in Attendance.objects.filter(
            unit__in=rows, meeting__day__year=year, meeting__day__lte=local_today()
        )
        .values("unit_id")
        .annotate(n=Count("id"), present=Count("id", filter=Q(present=True)))
        .order_by()
    }
    last: dict[int, UnitCheck] = {}
    for check in UnitCheck.objects.filter(unit__in=rows).order_by("unit_id", "-day", "-pk"):
        last.setdefault(check.unit_id, check)
    return [
        UnitRow(
            u,
            u.n_commitments,  # type: ignore[attr-defined]
            u.n_done,  # type: ignore[attr-defined]
            attendance.get(u.pk, {}).get("n", 0),
            attendance.get(u.pk, {}).get("present", 0),
            last.get(u.pk),
        )
        for u in rows
    ]


@dataclass
class LiaisonDesk:
    """What a liaison's home shows for one of their units: this year's commitments (open ones first), the
    meetings to answer (from today on) and the last ones with whether the unit came, the last own checks."""

    unit: MemberUnit
    commitments: list[Commitment]
    upcoming: list[Attendance]
    past: list[Attendance]
    checks: list[UnitCheck]

    @property
    def open_commitments(self) -> int:
        return sum(c.status != CommitmentStatus.DONE for c in self.commitments)


def liaison_desk(user: User, today: datetime.date) -> list[LiaisonDesk]:
    """One desk per unit the liaison speaks for (usually one); 4 queries per unit."""
    desks = []
    for unit in units_for(user).order_by("code")[:5]:
        attendance = unit.attendance.select_related("meeting")
        desks.append(
            LiaisonDesk(
                unit=unit,
                commitments=list(
                    unit.commitments.filter(year__gte=today.year - 1)
                    .exclude(year__lt=today.year, status=CommitmentStatus.DONE)
                    .order_by("-year", "due", "pk")
                ),
                upcoming=list(attendance.filter(meeting__day__gte=today).order_by("meeting__day")[:10]),
                past=list(attendance.filter(meeting__day__lt=today).order_by("-meeting__day")[:5]),
                checks=list(unit.checks.order_by("-day", "-pk")[:5]),
            )
        )
    return desks


def overdue_commitments(user: User, today: datetime.date) -> int:
    """Commitments of the units the user sees whose due day has passed and that are not done (a decision
    for staff: remind, or record them as not met)."""
    return (
        Commitment.objects.filter(unit__in=units_for(user), due__lt=today)
        .exclude(status__in=[CommitmentStatus.DONE, CommitmentStatus.MISSED])
        .count()
    )
