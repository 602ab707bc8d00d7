"""Member units: registry figures, commitments need evidence to be done, meetings and attendance, checks,
and who sees what (a liaison only their own unit; phones masked for those who need not see them)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEntry
from grid.services.records import person_create
from lib.clock import SHANGHAI, local_today
from tests.conftest import Grid, client_for
from units.models import CommitmentStatus, Meeting
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
    on_the_day = datetime.datetime(YEAR, 5, 28, 10, tzinfo=SHANGHAI)
    attendance_mark(
        actor=None, meeting=meeting, unit=school, present=True, representative="王联络", now=on_the_day
    )
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
    # Attendance is recorded on the meeting's day (lib.attendance): a meeting held today.
    form = {"title": "联席会议", "day": local_today().isoformat(), "place": "街道"}
    asked = admin.post("/units/meetings/", form)  # calling a meeting cannot be undone: asked once more
    assert asked.status_code == 200 and 'id="confirm-yes"' in asked.content.decode()
    assert not Meeting.objects.exists()
    response = admin.post("/units/meetings/", {**form, "confirmed": "1"})
    assert response.status_code == 302
    meeting_url = response["Location"]
    admin.post(meeting_url, {"present": [school.code], f"rep-{school.code}": "王联络"})
    assert '<b id="present">1</b>' in admin.get(meeting_url).content.decode()


@pytest.mark.django_db
def test_staff_link_a_liaison_login_to_a_unit_after_confirming(grid: Grid, personas: dict) -> None:
    from accounts.models import Role
    from tests.conftest import make_user
    from units.models import Liaison

    school = unit_create(
        actor=None, subdistrict=grid.sd, name="育婴堂路小学", kind="school", community=grid.c1
    )
    login = make_user("unit2", Role.UNIT_LIAISON, grid.sd)
    admin = client_for(personas["subdistrict_admin"])
    form = {"action": "link_liaison", "username": "unit2", "title": "党建联络员"}
    asked = admin.post(f"/units/u/{school.code}/", form)
    assert asked.status_code == 200 and 'id="confirm-yes"' in asked.content.decode()
    assert not Liaison.objects.exists()  # nothing written before the confirmation
    assert admin.post(f"/units/u/{school.code}/", {**form, "confirmed": "1"}).status_code == 302
    login.refresh_from_db()
    assert login.person is not None and Liaison.objects.filter(unit=school, person=login.person).exists()
    assert units_for(login).get() == school
    assert AuditEntry.objects.filter(model="accounts.User", object_id=str(login.pk), action="update").exists()
    assert AuditEntry.objects.filter(model="units.Liaison", action="create").exists()
    # Not a liaison login: refused with a message, nothing written; a secretary may not link at all.
    refused = admin.post(
        f"/units/u/{school.code}/", {"action": "link_liaison", "username": "volunteer", "confirmed": "1"}
    )
    assert refused.status_code == 400 and Liaison.objects.count() == 1
    secretary = client_for(personas["community_secretary"])
    assert secretary.post(f"/units/u/{school.code}/", {**form, "confirmed": "1"}).status_code == 404


@pytest.mark.django_db
def test_liaison_answers_invitations_until_the_meeting(grid: Grid, units: dict, personas: dict) -> None:

    from units.models import Attendance, Reply

    school, firm = units["school"], units["firm"]
    today = local_today()
    coming = meeting_create(
        actor=None, subdistrict=grid.sd, title="联席会议", day=today + datetime.timedelta(days=3)
    )
    past = meeting_create(
        actor=None, subdistrict=grid.sd, title="上次会议", day=today - datetime.timedelta(days=3)
    )
    mine = Attendance.objects.get(meeting=coming, unit=school)
    liaison = client_for(personas["unit_liaison"])
    # Joint meetings are the liaison's too: the list shows their unit's, not a bare 403.
    listing = liaison.get("/units/meetings/")
    assert listing.status_code == 200 and "联席会议" in listing.content.decode()
    page = liaison.get(f"/units/meetings/{coming.code}/").content.decode()
    assert firm.name not in page and 'name="attend"' in page
    assert "reply-change" not in page  # not answered yet: the buttons show at once
    response = liaison.post(
        f"/units/attendance/{mine.code}/reply/", {"attend": "yes", "representative": "王联络", "next": "home"}
    )
    assert response.status_code == 302 and response["Location"] == "/"
    mine.refresh_from_db()
    assert (mine.reply, mine.representative, mine.present) == (Reply.CONFIRMED, "王联络", False)
    # Issue 17: the reply is confirmed, shown, and the buttons fold behind "change the reply".
    home = liaison.get("/").content.decode()
    assert f"已记录回复：{school.name} 将参加“联席会议”" in home
    assert "已确认参加" in home
    assert '<details class="reply-change"><summary>更改回复</summary>' in home
    liaison.post(f"/units/attendance/{mine.code}/reply/", {"attend": "no"})
    mine.refresh_from_db()
    assert mine.reply == Reply.DECLINED
    replies = AuditEntry.objects.filter(model="units.Attendance", object_id=str(mine.pk), action="update")
    assert replies.count() == 2  # besides the invitation's own entry
    # After the meeting: refused with a message (zh by default), nothing changed.
    old = Attendance.objects.get(meeting=past, unit=school)
    late = liaison.post(f"/units/attendance/{old.code}/reply/", {"attend": "yes"})
    assert late.status_code == 400 and "会议已召开" in late.content.decode()
    old.refresh_from_db()
    assert old.reply == ""
    bad = liaison.post(f"/units/attendance/{mine.code}/reply/", {"attend": "maybe"})
    assert bad.status_code == 400
    other = Attendance.objects.get(meeting=coming, unit=firm)
    assert liaison.post(f"/units/attendance/{other.code}/reply/", {"attend": "yes"}).status_code == 404
    # Another role is told it may not, on a page that says so.
    refused = client_for(personas["volunteer"]).get("/units/meetings/")
    assert (
        refused.status_code == 403
        and "Ask your administrator" in refused.content.decode()
        or (refused.status_code == 403 and "管理员" in refused.content.decode())
    )


@pytest.mark.django_db
def test_liaison_home_shows_the_unit_and_takes_evidence(grid: Grid, units: dict, personas: dict) -> None:

    from tests.files import pdf_bytes

    school = units["school"]
    today = local_today()
    commitment = commitment_add(actor=None, unit=school, year=today.year, title="桶边值守每月两次")
    meeting_create(
        actor=None, subdistrict=grid.sd, title="年度推进会", day=today + datetime.timedelta(days=5)
    )
    unit_check_record(actor=None, unit=school, day=today, result="minor", notes="其他垃圾桶满溢")
    liaison = client_for(personas["unit_liaison"])
    home = liaison.get("/").content.decode()
    for shown in ("育婴堂路小学", "桶边值守每月两次", "年度推进会", "其他垃圾桶满溢", 'name="evidence"'):
        assert shown in home
    assert "中铁十五局集团" not in home
    upload = SimpleUploadedFile("record.pdf", pdf_bytes(), content_type="application/pdf")
    response = liaison.post(
        f"/units/u/{school.code}/",
        {
            "action": "commitment",
            "commitment": commitment.pk,
            "status": "done",
            "evidence": upload,
            "next": "home",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/"
    commitment.refresh_from_db()
    assert commitment.status == "done" and str(commitment.evidence.name).endswith(".pdf")
    assert commitment.evidence.read().startswith(b"%PDF")


@pytest.mark.django_db
def test_demo_units_read_like_real_ones_and_the_liaison_speaks_for_one(grid: Grid, personas: dict) -> None:
    from units.demo import units_demo_generate
    from units.models import MemberUnit

    liaison = personas["unit_liaison"]
    assert units_demo_generate(grid.sd) == 36
    names = list(MemberUnit.objects.values_list("name", flat=True))
    assert len(set(names)) == 36 and not any("示意" in n or "成员单位" in n for n in names)
    liaison.refresh_from_db()
    assert [u.name for u in units_for(liaison)] == ["育婴堂路小学"]
    # A refreshed demo (the logins re-bound) keeps or restores the link.
    liaison.person = None
    liaison.save()
    assert units_demo_generate(grid.sd) == 0
    liaison.refresh_from_db()
    assert [u.name for u in units_for(liaison)] == ["育婴堂路小学"]
    assert "育婴堂路小学" in client_for(liaison).get("/").content.decode()


@pytest.mark.django_db
def test_saved_evidence_is_confirmed_linked_and_served_only_in_scope(
    grid: Grid, units: dict, personas: dict
) -> None:
    from tests.files import png_bytes
    from units.models import Commitment

    school, firm = units["school"], units["firm"]
    commitment = commitment_add(actor=None, unit=school, year=YEAR, title="桶边值守")
    other = commitment_add(actor=None, unit=firm, year=YEAR, title="食堂减量")
    commitment_update(
        actor=None,
        commitment=other,
        status=CommitmentStatus.DONE,
        evidence=SimpleUploadedFile("o.png", png_bytes(), content_type="image/png"),
    )
    liaison = client_for(personas["unit_liaison"])
    response = liaison.post(
        f"/units/u/{school.code}/",
        {
            "action": "commitment",
            "commitment": commitment.pk,
            "status": "done",
            "evidence_note": "已完成宣传",
            "evidence": SimpleUploadedFile("photo.png", png_bytes(), content_type="image/png"),
            "next": "home",
        },
        follow=True,
    )
    html = response.content.decode()
    commitment = Commitment.objects.get(pk=commitment.pk)
    assert commitment.status == "done" and commitment.evidence_note == "已完成宣传" and commitment.evidence
    url = f"/units/commitments/{commitment.code}/evidence/"
    assert "承诺事项已保存" in html and url in html
    served = liaison.get(url)
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff" and served.getvalue()[:4] == b"\x89PNG"
    assert url in liaison.get(f"/units/u/{school.code}/").content.decode()
    # Another unit's file, a commitment without one, and roles without the registry: 404 / 403.
    assert liaison.get(f"/units/commitments/{other.code}/evidence/").status_code == 404
    bare = commitment_add(actor=None, unit=school, year=YEAR, title="无附件")
    assert liaison.get(f"/units/commitments/{bare.code}/evidence/").status_code == 404
    assert client_for(personas["resident"]).get(url).status_code == 403
    assert client_for(personas["subdistrict_admin"]).get(url).status_code == 200


@pytest.mark.django_db
def test_a_meeting_tells_confirmed_replies_from_recorded_attendance(
    grid: Grid, units: dict, personas: dict
) -> None:

    from units.services import attendance_reply

    meeting = meeting_create(
        actor=None, subdistrict=grid.sd, title="推进会", day=local_today() + datetime.timedelta(days=3)
    )
    mine = meeting.attendance.get(unit=units["school"])
    attendance_reply(actor=personas["unit_liaison"], attendance=mine, attend=True, representative="王联络")
    html = client_for(personas["subdistrict_admin"]).get(f"/units/meetings/{meeting.code}/").content.decode()
    assert '<b id="confirmed">1</b> / 2 家单位已确认参加' in html
    # Chinese labels end in the full-width colon (the translation carries it), never "会前回复:".
    assert "会前回复：" in html and "会上登记出席：" in html and "会前回复:" not in html
    assert 'id="present-pending"' in html and 'id="present"' not in html  # not recorded before the day


@pytest.mark.django_db
def test_a_meetings_attendance_is_saved_once_said_and_headed(
    grid: Grid, units: dict, personas: dict, noon: datetime.date
) -> None:
    """Issue 18: the admin's list of invited units is saved through one service call, with a message; the
    table has column headers."""
    from units.services import attendance_mark_many

    school, firm = units["school"], units["firm"]
    meeting = meeting_create(actor=None, subdistrict=grid.sd, title="联席会议", day=noon)
    assert attendance_mark_many(actor=None, meeting=meeting, present=[school.code], representatives={}) == 1
    admin = client_for(personas["subdistrict_admin"])
    url = f"/units/meetings/{meeting.code}/"
    page = admin.get(url).content.decode()
    assert "<th>" in page[page.index('id="attendance"') :]
    answer = admin.post(
        url, {"present": [school.code, firm.code], f"rep-{firm.code}": "李代表"}, follow=True
    ).content.decode()
    assert "2家出席" in answer
    present = dict(meeting.attendance.values_list("unit__code", "representative"))
    assert present == {school.code: "", firm.code: "李代表"}


@pytest.mark.django_db
def test_attendance_is_recorded_from_the_meetings_day_on(
    grid: Grid, units: dict, personas: dict, noon: datetime.date
) -> None:
    """Fresh-user walk: attendance for a meeting nine days ahead was saved and counted (2/2 attended). The
    service takes it from the meeting's day on (lib.attendance; the sign-in sheet may come in later);
    the page says when it opens instead of offering a form that would fail, and the registry counts no
    attendance at a meeting that has not taken place."""
    from units.services import attendance_mark_many

    school = units["school"]
    ahead = meeting_create(
        actor=None, subdistrict=grid.sd, title="联席会议", day=noon + datetime.timedelta(days=9)
    )
    with pytest.raises(ValidationError, match="会议当天"):
        attendance_mark_many(actor=None, meeting=ahead, present=[school.code], representatives={})
    with pytest.raises(ValidationError):
        attendance_mark(actor=None, meeting=ahead, unit=school, present=True)
    assert not ahead.attendance.filter(present=True).exists()
    admin = client_for(personas["subdistrict_admin"])
    url = f"/units/meetings/{ahead.code}/"
    page = admin.get(url).content.decode()
    assert 'id="attendance-later"' in page and "保存出席情况" not in page and 'name="present"' not in page
    assert f"于会议当天（{ahead.day:%Y-%m-%d}）开放登记" in page
    refused = admin.post(url, {"present": [school.code]})
    assert refused.status_code == 400 and not ahead.attendance.filter(present=True).exists()
    # On the day it is taken, and the day after still (from the paper sheet).
    on_the_day = datetime.datetime.combine(ahead.day, datetime.time(9), tzinfo=SHANGHAI)
    assert (
        attendance_mark_many(
            actor=None, meeting=ahead, present=[school.code], representatives={}, now=on_the_day
        )
        == 1
    )
    later = on_the_day + datetime.timedelta(days=1)
    assert attendance_mark_many(actor=None, meeting=ahead, present=[], representatives={}, now=later) == 0
    assert not ahead.attendance.filter(present=True).exists()
    rows = {r.unit.code: r for r in registry(units_for_all(grid), ahead.day.year)}
    assert rows[school.code].present == 0  # the meeting has not taken place yet (today is noon)
    # Nor is it counted as held: an invitation nine days ahead is no meeting the units missed ("0 of 1").
    assert (rows[school.code].meetings, rows[units["firm"].code].meetings) == (0, 0)
