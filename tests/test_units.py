"""Member units: registry figures, commitments need evidence to be done, meetings and attendance, checks,
and who sees what (a liaison only their own unit; phones masked for those who need not see them)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEntry
from grid.services.records import person_create
from tests.conftest import Grid, client_for
from units.models import CommitmentStatus
from units.selectors import registry, units_for
from units.services import (
    attendance_mark,
    commitment_add,
    commitment_update,
    liaison_add,
    meeting_create,
    unit_check_record,
    unit_create,
)

YEAR = 2026


@pytest.fixture
def units(grid: Grid, personas: dict) -> dict:
    # The school sits in residential area c1 (its staff see it); the firm is the sub-district's own.
    school = unit_create(
        actor=None, subdistrict=grid.sd, name="育婴堂路小学", kind="school", community=grid.c1
    )
    firm = unit_create(actor=None, subdistrict=grid.sd, name="中铁十五局集团", kind="enterprise")
    liaison = personas["unit_liaison"]
    liaison.person = person_create(actor=None, node=grid.sd, name="王联络", phone="13912345678")
    liaison.save()
    liaison_add(actor=None, unit=school, person=liaison.person, primary=True)
    return {"school": school, "firm": firm}


@pytest.mark.django_db
def test_commitment_needs_evidence_and_registry_counts(grid: Grid, units: dict) -> None:
    school, firm = units["school"], units["firm"]
    assert school.code == f"{grid.sd.code}-U01" and firm.code == f"{grid.sd.code}-U02"
    first = commitment_add(actor=None, unit=school, year=YEAR, title="桶边值守")
    commitment_add(actor=None, unit=school, year=YEAR, title="职工培训")
    commitment_add(actor=None, unit=school, year=YEAR - 1, title="去年的")
    with pytest.raises(ValidationError):
        commitment_update(actor=None, commitment=first, status=CommitmentStatus.DONE)
    with pytest.raises(ValidationError):
        commitment_update(actor=None, commitment=first, status="finished", evidence_note="x")
    exe = SimpleUploadedFile("x.exe", b"MZ", content_type="application/octet-stream")
    with pytest.raises(ValidationError):
        commitment_update(actor=None, commitment=first, status=CommitmentStatus.DONE, evidence=exe)
    commitment_update(actor=None, commitment=first, status=CommitmentStatus.DONE, evidence_note="值守 12 次")
    meeting = meeting_create(
        actor=None, subdistrict=grid.sd, title="联席会议", day=datetime.date(YEAR, 5, 28)
    )
    assert meeting.attendance.count() == 2  # every active unit invited
    attendance_mark(actor=None, meeting=meeting, unit=school, present=True, representative="王联络")
    unit_check_record(actor=None, unit=firm, day=datetime.date(YEAR, 3, 1), result="minor")
    unit_check_record(actor=None, unit=firm, day=datetime.date(YEAR, 6, 1), result="compliant")
    with pytest.raises(ValidationError):
        unit_check_record(actor=None, unit=firm, day=datetime.date(YEAR, 6, 1), result="great")
    rows = {r.unit.code: r for r in registry(units_for_all(grid), YEAR)}
    assert (rows[school.code].commitments, rows[school.code].done, rows[school.code].present) == (2, 1, 1)
    assert rows[firm.code].meetings == 1 and rows[firm.code].present == 0
    last = rows[firm.code].last_check
    assert last is not None and last.result == "compliant"
    assert AuditEntry.objects.filter(model="units.Commitment", action="update").count() == 1


def units_for_all(grid: Grid):  # type: ignore[no-untyped-def]
    from units.models import MemberUnit

    return MemberUnit.objects.filter(subdistrict=grid.sd)


@pytest.mark.django_db
def test_liaison_sees_and_updates_only_their_unit(grid: Grid, units: dict, personas: dict) -> None:
    school, firm = units["school"], units["firm"]
    commitment = commitment_add(actor=None, unit=school, year=YEAR, title="桶边值守")
    liaison = client_for(personas["unit_liaison"])
    assert list(units_for(personas["unit_liaison"])) == [school]
    assert liaison.get("/units/")["Location"] == f"/units/u/{school.code}/"
    assert liaison.get(f"/units/u/{firm.code}/").status_code == 404
    page = liaison.get(f"/units/u/{school.code}/").content.decode()
    assert "13912345678" in page  # their own number
    response = liaison.post(
        f"/units/u/{school.code}/",
        {"action": "commitment", "commitment": commitment.pk, "status": "done", "evidence_note": "已完成"},
    )
    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.status == "done"
    assert (
        liaison.post(
            f"/units/u/{school.code}/", {"action": "check", "day": "2026-06-01", "result": "compliant"}
        ).status_code
        == 404
    )
    # The area lead reads the registry but sees the liaison's phone masked.
    lead_page = client_for(personas["area_lead"]).get(f"/units/u/{school.code}/").content.decode()
    assert "13912345678" not in lead_page and "139****5678" in lead_page
    admin = client_for(personas["subdistrict_admin"])
    bad = admin.post(
        f"/units/u/{school.code}/", {"action": "check", "day": "yesterday", "result": "compliant"}
    )
    assert bad.status_code == 400
    response = admin.post("/units/meetings/", {"title": "联席会议", "day": "2026-05-28", "place": "街道"})
    assert response.status_code == 302
    meeting_url = response["Location"]
    admin.post(meeting_url, {"present": [school.code], f"rep-{school.code}": "王联络"})
    assert '<b id="present">1</b>' in admin.get(meeting_url).content.decode()
