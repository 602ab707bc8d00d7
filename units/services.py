"""Writes for member units (all audited)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from audit.services import audit_bulk_created, audit_created, audit_updated, saved_user, snapshot
from grid.models import GridNode, Level, Person
from grid.scope import OUT_OF_SCOPE, Scope
from grid.services.records import person_create
from lib import attendance as attendance_rule
from lib.bilingual import Msg
from lib.clock import local_today
from lib.codes import next_code
from lib.uploads import clean_upload
from lib.validation import check_day, check_year
from units.models import (
    Attendance,
    CheckResult,
    Commitment,
    CommitmentStatus,
    Liaison,
    Meeting,
    MemberUnit,
    Reply,
    UnitCheck,
    UnitKind,
)

NOT_A_LIAISON = Msg(
    "只能关联角色为“成员单位联络员”的账号。",
    "Only an account with the member-unit liaison role can be linked.",
)
ATTENDANCE_NOT_OPEN = Msg(
    "会议出席自会议当天（{day}）起登记。",
    "Attendance at a meeting is recorded from its day ({day}) on.",
)
MEETING_PAST = Msg(
    "会议已召开，不能再答复；出席情况由街道登记。",
    "The meeting has taken place: replies are closed; the sub-district records who came.",
)


def _require_unit(actor: Any, unit: MemberUnit) -> None:
    """PermissionDenied unless the unit is one the actor sees (`units_for`: the same scope as the pages)."""
    from units.selectors import units_for

    if actor is not None and not units_for(actor).filter(pk=unit.pk).exists():
        raise PermissionDenied(str(OUT_OF_SCOPE))


@transaction.atomic
def unit_create(
    *,
    actor: Any,
    subdistrict: GridNode,
    name: str,
    kind: str = UnitKind.OTHER,
    address: str = "",
    community: GridNode | None = None,
    joined_on: datetime.date | None = None,
) -> MemberUnit:
    Scope.of(actor).require(community or subdistrict)
    if subdistrict.level != Level.SUBDISTRICT:
        raise ValidationError(_("Member units belong to a sub-district."))
    if community is not None and community.subdistrict_id != subdistrict.pk:
        raise PermissionDenied(str(OUT_OF_SCOPE))
    if joined_on is not None:
        check_day(joined_on)
    unit = MemberUnit(
        subdistrict=subdistrict,
        code=next_code(MemberUnit, f"{subdistrict.code}-U", 2),
        name=name.strip(),
        kind=kind,
        address=address,
        community=community,
        joined_on=joined_on,
    )
    unit.full_clean()
    unit.save()
    audit_created(actor=actor, obj=unit)
    return unit


def liaison_add(
    *, actor: Any, unit: MemberUnit, person: Person, title: str = "", primary: bool = False
) -> Liaison:
    _require_unit(actor, unit)
    liaison, created = Liaison.objects.get_or_create(
        unit=unit, person=person, defaults={"title": title[:50], "primary": primary}
    )
    if created:
        audit_created(actor=actor, obj=liaison)
    return liaison


@transaction.atomic
def liaison_account_link(*, actor: Any, unit: MemberUnit, user: Any, title: str = "") -> Liaison:
    """Make a liaison login speak for `unit`: the account gets a person on the grid (created at the unit's
    sub-district, named after the account, if it has none) and that person becomes one of the unit's liaisons.
    Staff only, within their scope (the unit's sub-district); linking twice changes nothing. The account's
    change is audited with the liaison row. Raises PermissionDenied (out of scope) or ValidationError (the
    account is not a liaison login, or is bound to another sub-district)."""
    Scope.of(actor).require(unit.subdistrict)
    if user.role != Role.UNIT_LIAISON:
        raise ValidationError(str(NOT_A_LIAISON))
    if user.node is None or user.node.subdistrict_id != unit.subdistrict_id:
        raise PermissionDenied(str(OUT_OF_SCOPE))
    if user.person is None:
        person = person_create(actor=actor, node=unit.subdistrict, name=user.display_name[:50])
        before = snapshot(user)
        user.person = person
        user.save(update_fields=["person"])
        audit_updated(actor=actor, obj=user, before=before, reason=f"liaison of {unit.code}")
    return liaison_add(actor=actor, unit=unit, person=user.person, title=title or _("Party-building liaison"))


def commitment_add(
    *, actor: Any, unit: MemberUnit, year: int, title: str, due: datetime.date | None = None
) -> Commitment:
    _require_unit(actor, unit)
    if not title.strip():
        raise ValidationError(_("Say what the unit commits to."))
    check_year(year)
    if due is not None:
        check_day(due)
    commitment = Commitment.objects.create(
        unit=unit, year=year, title=title.strip()[:150], due=due, updated_by=saved_user(actor)
    )
    audit_created(actor=actor, obj=commitment)
    return commitment


@transaction.atomic
def commitment_update(
    *,
    actor: Any,
    commitment: Commitment,
    status: str,
    evidence_note: str = "",
    evidence: UploadedFile | None = None,
) -> Commitment:
    """A commitment is done only with evidence: a note of what was done, or a photo / PDF."""
    _require_unit(actor, commitment.unit)
    if status not in CommitmentStatus.values:
        raise ValidationError(_("Unknown status."))
    # Checked by content, whatever the upload claims to be (lib.uploads); stored re-encoded if an image.
    clean = clean_upload(evidence) if evidence is not None else None
    note = evidence_note.strip()[:300] or commitment.evidence_note
    if status == CommitmentStatus.DONE and not (note or evidence or commitment.evidence):
        raise ValidationError(_("Say what was done (or attach a photo or PDF) before marking it done."))
    before = snapshot(commitment)
    commitment.status = status
    commitment.evidence_note = note
    commitment.updated_by = saved_user(actor)
    if clean is not None:
        clean.save_to(commitment.evidence, getattr(evidence, "name", None), default="evidence")
    commitment.save()
    audit_updated(actor=actor, obj=commitment, before=before)
    return commitment


@transaction.atomic
def meeting_create(
    *,
    actor: Any,
    subdistrict: GridNode,
    title: str,
    day: datetime.date,
    place: str = "",
    units: Iterable[MemberUnit] | None = None,
) -> Meeting:
    """A joint meeting; every active unit is invited (attendance to be marked)."""
    Scope.of(actor).require(subdistrict)
    check_day(day)
    meeting = Meeting.objects.create(
        subdistrict=subdistrict, title=title.strip()[:150], day=day, place=place[:100]
    )
    invited = units if units is not None else MemberUnit.objects.filter(subdistrict=subdistrict, active=True)
    invitations = Attendance.objects.bulk_create(Attendance(meeting=meeting, unit=u) for u in invited)
    audit_created(actor=actor, obj=meeting)
    audit_bulk_created(actor=actor, objs=invitations, reason="invited to the meeting")
    return meeting


def attendance_window(meeting: Meeting) -> attendance_rule.Window:
    """When attendance at `meeting` is recorded: from its day on (a meeting has no hours; the sign-in sheet
    may come in later), `lib.attendance`'s rule. The meeting page offers its form only then."""
    return attendance_rule.day_window(meeting.day)


def attendance_mark(
    *,
    actor: Any,
    meeting: Meeting,
    unit: MemberUnit,
    present: bool,
    representative: str = "",
    now: datetime.datetime | None = None,
) -> Attendance:
    """Who came to the meeting, recorded from its day on; ValidationError (zh/en) before it."""
    Scope.of(actor).require(meeting.subdistrict)
    if not attendance_window(meeting).is_open(now):
        raise ValidationError(str(ATTENDANCE_NOT_OPEN.format(day=f"{meeting.day:%Y-%m-%d}")))
    if unit.subdistrict_id != meeting.subdistrict_id:
        raise PermissionDenied(str(OUT_OF_SCOPE))
    attendance, _created = Attendance.objects.get_or_create(meeting=meeting, unit=unit)
    before = snapshot(attendance)
    attendance.present = present
    attendance.representative = representative.strip()[:50]
    attendance.save()
    audit_updated(actor=actor, obj=attendance, before=before)
    return attendance


@transaction.atomic
def attendance_mark_many(
    *,
    actor: Any,
    meeting: Meeting,
    present: Iterable[str],
    representatives: dict[str, str],
    now: datetime.datetime | None = None,
) -> int:
    """Record the attendance of every invited unit at once (the meeting's list, saved once): those whose
    codes are in `present` came, the others did not; `representatives` by unit code (a unit left out keeps
    its representative). Each change audited through `attendance_mark`. Returns how many units came."""
    if not attendance_window(meeting).is_open(now):
        raise ValidationError(str(ATTENDANCE_NOT_OPEN.format(day=f"{meeting.day:%Y-%m-%d}")))
    came = set(present)
    for attendance in meeting.attendance.select_related("unit").order_by("unit__code"):
        attendance_mark(
            actor=actor,
            meeting=meeting,
            unit=attendance.unit,
            present=attendance.unit.code in came,
            representative=representatives.get(attendance.unit.code, attendance.representative),
            now=now,
        )
    return meeting.attendance.filter(present=True).count()


@transaction.atomic
def attendance_reply(
    *, actor: Any, attendance: Attendance, attend: bool, representative: str = ""
) -> Attendance:
    """The unit's answer to a meeting invitation (its liaison's, or staff's for it): will attend (who comes)
    or cannot. Possible until the meeting day is over; answering again replaces the answer. Raises
    PermissionDenied when the unit is not the actor's, ValidationError (zh/en) once the meeting has passed."""
    _require_unit(actor, attendance.unit)
    if attendance.meeting.day < local_today():
        raise ValidationError(str(MEETING_PAST))
    locked = Attendance.objects.select_for_update().get(pk=attendance.pk)
    before = snapshot(locked)
    locked.reply = Reply.CONFIRMED if attend else Reply.DECLINED
    locked.replied_at = timezone.now()
    if attend:
        locked.representative = representative.strip()[:50] or locked.representative
    locked.save(update_fields=["reply", "replied_at", "representative"])
    audit_updated(actor=actor, obj=locked, before=before)
    return locked


def unit_check_record(
    *, actor: Any, unit: MemberUnit, day: datetime.date, result: str, notes: str = "", inspector: str = ""
) -> UnitCheck:
    _require_unit(actor, unit)
    if result not in CheckResult.values:
        raise ValidationError(_("Unknown result."))
    check_day(day)
    check = UnitCheck.objects.create(
        unit=unit,
        day=day,
        result=result,
        notes=notes.strip()[:300],
        inspector=inspector.strip()[:80],
        recorded_by=saved_user(actor),
    )
    audit_created(actor=actor, obj=check)
    return check
