"""Writes for member units (all audited)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_created, audit_updated, saved_user, snapshot
from grid.models import GridNode, Level, Person
from lib.codes import next_code
from units.models import (
    Attendance,
    CheckResult,
    Commitment,
    CommitmentStatus,
    Liaison,
    Meeting,
    MemberUnit,
    UnitCheck,
    UnitKind,
)

EVIDENCE_TYPES = {"image/jpeg", "image/png", "image/webp", "application/pdf"}


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
    if subdistrict.level != Level.SUBDISTRICT:
        raise ValidationError(_("Member units belong to a sub-district."))
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
    liaison, created = Liaison.objects.get_or_create(
        unit=unit, person=person, defaults={"title": title[:50], "primary": primary}
    )
    if created:
        audit_created(actor=actor, obj=liaison)
    return liaison


def commitment_add(
    *, actor: Any, unit: MemberUnit, year: int, title: str, due: datetime.date | None = None
) -> Commitment:
    if not title.strip():
        raise ValidationError(_("Say what the unit commits to."))
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
    if status not in CommitmentStatus.values:
        raise ValidationError(_("Unknown status."))
    if evidence is not None and evidence.content_type not in EVIDENCE_TYPES:
        raise ValidationError(_("Evidence must be a photo (JPEG, PNG, WebP) or a PDF."))
    note = evidence_note.strip()[:300] or commitment.evidence_note
    if status == CommitmentStatus.DONE and not (note or evidence or commitment.evidence):
        raise ValidationError(_("Say what was done (or attach a photo or PDF) before marking it done."))
    before = snapshot(commitment)
    commitment.status = status
    commitment.evidence_note = note
    commitment.updated_by = saved_user(actor)
    if evidence is not None:
        commitment.evidence.save(evidence.name or "evidence", evidence, save=False)
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
    meeting = Meeting.objects.create(
        subdistrict=subdistrict, title=title.strip()[:150], day=day, place=place[:100]
    )
    invited = units if units is not None else MemberUnit.objects.filter(subdistrict=subdistrict, active=True)
    Attendance.objects.bulk_create(Attendance(meeting=meeting, unit=u) for u in invited)
    audit_created(actor=actor, obj=meeting)
    return meeting


def attendance_mark(
    *, actor: Any, meeting: Meeting, unit: MemberUnit, present: bool, representative: str = ""
) -> Attendance:
    attendance, _created = Attendance.objects.get_or_create(meeting=meeting, unit=unit)
    before = snapshot(attendance)
    attendance.present = present
    attendance.representative = representative.strip()[:50]
    attendance.save()
    audit_updated(actor=actor, obj=attendance, before=before)
    return attendance


def unit_check_record(
    *, actor: Any, unit: MemberUnit, day: datetime.date, result: str, notes: str = "", inspector: str = ""
) -> UnitCheck:
    if result not in CheckResult.values:
        raise ValidationError(_("Unknown result."))
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
