"""Every role × every scoped page and API endpoint → the expected status."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import Grid, client_for

ROLES = [
    "subdistrict_admin",
    "area_lead",
    "community_secretary",
    "grid_worker",
    "volunteer",
    "party_member",
    "unit_liaison",
    "enforcement_officer",
    "resident",
    "outsider",
]
READERS = {
    "subdistrict_admin": 200,
    "area_lead": 200,
    "community_secretary": 200,
    "grid_worker": 200,
    "outsider": 200,
}


def expect(default: int, base: dict[str, int] | None = None, **overrides: int) -> dict[str, int]:
    merged = {**(base or {}), **overrides}
    return {role: merged.get(role, default) for role in ROLES}


# Pages of c1 for those who read coverage (outsider: the other residential area's secretary).
IN_C1 = expect(403, subdistrict_admin=200, area_lead=200, community_secretary=200, outsider=404)
# Party-building pages of the user's own sub-district.
PARTY = expect(
    403, subdistrict_admin=200, area_lead=200, community_secretary=200, party_member=200, outsider=200
)

# (method, url with {placeholders}, role → status). Anonymous users are checked separately.
MATRIX = [
    ("get", "/", expect(200)),
    ("get", "/grid/", expect(403, READERS)),
    ("get", "/grid/n/{c1}/", expect(403, READERS, grid_worker=404, outsider=404)),
    ("get", "/grid/n/{m1}/", expect(403, READERS, outsider=404)),
    ("get", "/grid/n/{c2}/", expect(403, READERS, community_secretary=404, grid_worker=404)),
    ("get", "/grid/households/", expect(403, READERS)),
    ("get", "/grid/households/{h1}/", expect(403, READERS, resident=200, outsider=404)),
    (
        "get",
        "/grid/households/{h_other}/",
        expect(403, READERS, community_secretary=404, grid_worker=404, resident=404),
    ),
    ("get", "/grid/my/", expect(403, grid_worker=200)),
    # What a scanned household QR names (issue 14): JSON for the scanner, within the actor's scope.
    ("get", "/grid/households/resolve/?q={h1}", expect(200, resident=403, unit_liaison=403, outsider=404)),
    # The service worker, its offline page and the list of pages it keeps: for everyone (nothing of a user).
    ("get", "/sw.js", expect(200)),
    ("get", "/offline/", expect(200)),
    ("get", "/offline/pages.json", expect(200)),
    # The household's own page for a resident's login, its QR sheet and re-issue (issue 14).
    ("get", "/h/", expect(403, resident=200)),
    ("get", "/h/k/{h1}/sheet.pdf", IN_C1),
    (
        "post",
        "/h/k/{h1}/reissue/",
        expect(403, subdistrict_admin=302, community_secretary=302, outsider=404),
    ),
    (
        "get",
        "/grid/n/{c1}/coverage/",
        IN_C1,
    ),
    ("get", "/grid/import/", expect(403, subdistrict_admin=200, community_secretary=200, outsider=200)),
    (
        "get",
        "/grid/import/template/households.xlsx",
        expect(403, subdistrict_admin=200, community_secretary=200, outsider=200),
    ),
    (
        "post",
        "/grid/n/{c1}/assign/",
        expect(403, subdistrict_admin=302, community_secretary=302, outsider=404),
    ),
    ("get", "/audit/", expect(403, subdistrict_admin=200)),
    ("get", "/accounts/people/", expect(403, subdistrict_admin=200, community_secretary=200, outsider=200)),
    ("get", "/admin/", expect(302, subdistrict_admin=200)),
    ("get", "/guide/", expect(200)),
    ("get", "/guide/review/", expect(403, subdistrict_admin=200, community_secretary=200, outsider=200)),
    (
        "get",
        "/guide/qr/{c1}/households.pdf",
        IN_C1,
    ),
    (
        "get",
        "/supervision/",
        expect(
            403,
            subdistrict_admin=200,
            community_secretary=200,
            grid_worker=200,
            volunteer=200,
            party_member=200,
            outsider=200,
        ),
    ),
    (
        "get",
        "/supervision/numbers/{c1}/",
        IN_C1,
    ),
    ("get", "/api/v1/supervision/points", expect(200)),
    ("get", "/points/h/{h1}/", expect(403, READERS, resident=200, outsider=404)),
    (
        "get",
        "/points/counter/",
        expect(403, subdistrict_admin=200, community_secretary=200, volunteer=200, outsider=200),
    ),
    (
        "get",
        "/cases/",
        expect(
            403,
            subdistrict_admin=200,
            area_lead=200,
            community_secretary=200,
            enforcement_officer=200,
            outsider=200,
        ),
    ),
    ("get", "/cases/new/", expect(403, subdistrict_admin=200, community_secretary=200, outsider=200)),
    ("get", "/cases/propose/", expect(403, subdistrict_admin=200, community_secretary=200, outsider=200)),
    ("get", "/cases/to-close/", expect(403, subdistrict_admin=200, enforcement_officer=200)),
    (
        "get",
        "/points/n/{c1}/leaders/",
        IN_C1,
    ),
    (
        "get",
        "/tonnage/n/{c1}/",
        IN_C1,
    ),
    (
        "get",
        "/tonnage/n/{c1}/record/",
        expect(403, subdistrict_admin=200, community_secretary=200, outsider=404),
    ),
    (
        "get",
        "/assessment/n/{c1}/",
        IN_C1,
    ),
    (
        "get",
        "/assessment/n/{sd}/",
        expect(403, subdistrict_admin=200, area_lead=404, community_secretary=404, outsider=404),
    ),
    (
        "get",
        "/assessment/n/{c1}/i/correct/",
        IN_C1,
    ),
    (
        "get",
        "/assessment/n/{c1}/i/correct/records/?key=x",
        IN_C1,
    ),
    ("get", "/assessment/n/{sd}/inspect/", expect(403, subdistrict_admin=200)),
    (
        "get",
        "/reports/dashboard/{c1}/",
        IN_C1,
    ),
    (
        "get",
        "/reports/dashboard/{area}/",
        expect(403, subdistrict_admin=200, area_lead=200, community_secretary=404, outsider=404),
    ),
    (
        "get",
        "/reports/n/{c1}/",
        IN_C1,
    ),
    (
        "get",
        "/api/v1/assessment/{c1}",
        IN_C1,
    ),
    (
        "get",
        "/party/",
        expect(
            403, subdistrict_admin=200, area_lead=200, community_secretary=200, party_member=200, outsider=200
        ),
    ),
    (
        "get",
        "/party/n/{c1}/visits/",
        expect(
            403,
            subdistrict_admin=200,
            area_lead=200,
            community_secretary=200,
            party_member=200,
            grid_worker=404,
            outsider=404,
        ),
    ),
    (
        "get",
        "/party/n/{m1}/visits/",
        expect(
            403,
            subdistrict_admin=200,
            area_lead=200,
            community_secretary=200,
            party_member=200,
            grid_worker=200,
            outsider=404,
        ),
    ),
    ("get", "/contests/n/{c1}/", expect(200, grid_worker=404, outsider=404)),
    ("get", "/activities/n/{c1}/", expect(200, grid_worker=404, outsider=404)),
    (
        "get",
        "/units/",
        expect(
            403, subdistrict_admin=200, area_lead=200, community_secretary=200, unit_liaison=200, outsider=200
        ),
    ),
    (
        "get",
        "/units/meetings/",
        expect(
            403, subdistrict_admin=200, area_lead=200, community_secretary=200, unit_liaison=200, outsider=200
        ),
    ),
    (
        # My four leads: the party readers get the page (a login that is no member is told so), others 403.
        "get",
        "/party/me/",
        expect(
            403, subdistrict_admin=200, area_lead=200, community_secretary=200, party_member=200, outsider=200
        ),
    ),
    (
        "get",
        "/party/frame/",
        expect(
            403, subdistrict_admin=200, area_lead=200, community_secretary=200, party_member=200, outsider=200
        ),
    ),
    (
        "get",
        "/party/projects/",
        expect(
            403, subdistrict_admin=200, area_lead=200, community_secretary=200, party_member=200, outsider=200
        ),
    ),
    (
        "get",
        "/party/exemplars/",
        expect(
            403, subdistrict_admin=200, area_lead=200, community_secretary=200, party_member=200, outsider=200
        ),
    ),
    (
        "get",
        "/party/talents/",
        expect(
            403, subdistrict_admin=200, area_lead=200, community_secretary=200, party_member=200, outsider=200
        ),
    ),
    ("get", "/api/v1/me", expect(200)),
    ("get", "/api/v1/grid/nodes/{c1}", expect(403, READERS, grid_worker=404, outsider=404)),
    ("get", "/api/v1/grid/households", expect(403, READERS, resident=200)),
    ("get", "/api/v1/grid/households/{h1}", expect(403, READERS, resident=200, outsider=404)),
    (
        "get",
        "/api/v1/grid/households/{h_other}",
        expect(403, READERS, community_secretary=404, grid_worker=404, resident=404),
    ),
    (
        "get",
        "/api/v1/grid/nodes/{c1}/coverage",
        IN_C1,
    ),
    (
        "post",
        "/api/v1/grid/nodes/{c1}/assign",
        expect(403, subdistrict_admin=200, community_secretary=200, outsider=404),
    ),
]


def _url(template: str, grid: Grid) -> str:
    return template.format(
        sd=grid.sd.code,
        area=grid.area.code,
        c1=grid.c1.code,
        c2=grid.c2.code,
        m1=grid.m1.code,
        h1=grid.h1.code,
        h_other=grid.h_other.code,
    )


@pytest.mark.django_db
def test_permission_matrix(grid: Grid, personas: dict) -> None:
    # The sub-district admin is a superuser for the back office, bound to their sub-district.
    admin = personas["subdistrict_admin"]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    mismatches = []
    for role in ROLES:
        client = client_for(personas[role])
        for method, template, expected in MATRIX:
            url = _url(template, grid)
            response = getattr(client, method)(url)
            if response.status_code != expected[role]:
                mismatches.append(
                    f"{role} {method.upper()} {url}: {response.status_code} != {expected[role]}"
                )
    assert mismatches == []


@pytest.mark.django_db
def test_anonymous_is_sent_to_login_or_told_401(grid: Grid) -> None:
    client = Client()
    for method, template, _expected in MATRIX:
        url = _url(template, grid)
        if url in ("/guide/", "/sw.js", "/offline/", "/offline/pages.json"):
            assert client.get(url).status_code == 200  # public
            continue
        if url.startswith("/grid/households/resolve/"):  # asked by a script: told, not redirected
            assert client.get(url).status_code == 401
            continue
        response = getattr(client, method)(url)
        if url.startswith("/api/"):
            assert response.status_code == 401, url
            assert response.json()["code"] == "unauthenticated"
        else:
            assert response.status_code == 302, url
            assert "login" in response["Location"], url


@pytest.mark.django_db
def test_admin_back_office_is_scoped_to_the_sub_district(grid: Grid, personas: dict) -> None:
    from grid.services.records import building_create, node_create

    other_sd = node_create(actor=None, level="subdistrict", name="别的街道", code="OTH")
    other_area = node_create(actor=None, level="area", name="片区", parent=other_sd)
    other_c = node_create(actor=None, level="community", name="别的居民区", parent=other_area)
    foreign = building_create(actor=None, community=other_c, name="99号楼")
    admin = personas["subdistrict_admin"]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client = client_for(admin)
    listing = client.get("/admin/grid/building/").content.decode()
    assert grid.b1.code in listing and foreign.code not in listing
    assert (
        client.get(f"/admin/grid/building/{foreign.pk}/change/").status_code == 302
    )  # "doesn't exist" redirect


# --- object routes and writes ----------------------------------------------------------------------------
# One object of each kind in residential area c1 (a case, a contest, an activity, a visit plan, a sign-up and
# its hand-over offer, a report job, an inspection's evidence file, a member unit), then every role reads its
# page and tries every write. A refused write answers 403 or 404 and leaves every table as it was.


def _pdf() -> bytes:
    import io

    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    page = canvas.Canvas(buf)
    page.drawString(72, 720, "evidence")
    page.save()
    return buf.getvalue()


@pytest.fixture
def objects(grid: Grid, personas: dict) -> dict[str, str]:
    import datetime
    import uuid

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from activities.services import activity_create
    from assessment.services import inspection_record
    from contests.models import Question
    from contests.services import contest_create
    from enforcement.services import case_open, case_step
    from grid.services.records import person_create
    from lib.periods import Period
    from party.services import visit_plan_create
    from reports.models import ReportJob
    from supervision.ingest import SHANGHAI
    from supervision.models import Shift
    from supervision.services import point_create, shift_offer, shift_signup, shifts_generate
    from units.services import unit_create

    today = timezone.localdate()
    # Two cases; the second gets a rectification notice: its PDF exists only after the notice step.
    case, noticed = (
        case_open(
            actor=None,
            community=grid.c1,
            subject="individual",
            source="manual",
            violation_day=today,
            article_code="57(2)",
            household=grid.h1,
        )
        for _ in range(2)
    )
    for status in ("persuasion", "notice"):
        case_step(actor=None, case=noticed, status=status)
    for n in range(3):
        Question.objects.create(kind="which_bin", text=f"问题{n}", choices=["甲", "乙"], answer=0)
    contest = contest_create(actor=None, node=grid.c1, title="测试赛", questions=3, seconds=10, seed=1)
    start = timezone.now() + datetime.timedelta(days=1)
    activity = activity_create(
        actor=None,
        node=grid.c1,
        kind="training",
        title="培训",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        capacity=50,
        publish=True,
    )
    plan = visit_plan_create(actor=None, microgrid=grid.m1, period=Period.containing("quarter", today))
    point = point_create(
        actor=None,
        community=grid.c1,
        name="甲1号点",
        code="TSD-P1",
        windows=[(d, datetime.time(7), datetime.time(9)) for d in range(7)],
    )
    shifts_generate(
        points=[point], start=timezone.now().astimezone(SHANGHAI).date() + datetime.timedelta(days=1), days=1
    )
    shift = Shift.objects.get()
    volunteer, member = personas["volunteer"], personas["party_member"]
    volunteer.person = person_create(actor=None, node=grid.c1, name="志愿者甲", phone="13500000001")
    volunteer.save()
    member.person = person_create(actor=None, node=grid.m1, name="党员乙", phone="13500000002")
    member.save()
    signup = shift_signup(actor=None, shift=shift, person=volunteer.person)
    offer = shift_offer(actor=None, signup=signup, to=member.person)
    job = ReportJob.objects.create(
        public_id=uuid.uuid4(), node=grid.c1, period=f"{today:%Y-%m}", steps=4, created_by=None
    )
    client_id = uuid.uuid4()
    inspection_record(
        actor=None,
        community=grid.c1,
        indicator_code="facilities",
        day=today,
        score="90",
        inspector="检查员",
        evidence=SimpleUploadedFile("e.pdf", _pdf(), content_type="application/pdf"),
        client_id=client_id,
    )
    unit = unit_create(actor=None, subdistrict=grid.sd, community=grid.c1, name="育婴堂路小学", kind="school")
    return {
        "case": case.code,
        "noticed": noticed.code,
        "contest": contest.code,
        "activity": activity.code,
        "plan": str(plan.pk),
        "shift": str(shift.pk),
        "signup": str(signup.pk),
        "offer": str(offer.pk),
        "job": str(job.public_id),
        "evidence": str(client_id),
        "unit": unit.code,
        "c1": grid.c1.code,
        "m1": grid.m1.code,
        "sd": grid.sd.code,
        "h1": grid.h1.code,
        "today": f"{today:%Y-%m-%d}",
        "loner": str(person_create(actor=None, node=grid.c1, name="待关联").pk),  # a person with no account
    }


# Sub-district and c1 staff and those who take part; the outsider (c2's secretary) never sees c1's objects.
STAFF_C1 = {"subdistrict_admin": 200, "area_lead": 200, "community_secretary": 200}
# Acts on a volunteer's own signup: only the volunteer holding it; other staff of c1 do not see it.
SIGNUP_HOLDER = expect(
    403,
    subdistrict_admin=404,
    community_secretary=404,
    grid_worker=404,
    volunteer=302,
    party_member=404,
    outsider=404,
)
RECORDER_ROLES = {
    "subdistrict_admin",
    "community_secretary",
    "grid_worker",
    "volunteer",
    "party_member",
    "outsider",
}

OBJECT_MATRIX: list[tuple[str, str, dict[str, str], dict[str, int]]] = [
    ("get", "/cases/c/{case}/", {}, expect(403, STAFF_C1, enforcement_officer=404, outsider=404)),
    (
        "get",
        "/cases/c/{noticed}/notice.pdf",
        {},
        expect(403, subdistrict_admin=200, community_secretary=200, outsider=404),
    ),
    ("get", "/contests/c/{contest}/", {}, expect(403, STAFF_C1, outsider=404)),
    ("get", "/contests/c/{contest}/play/", {}, expect(200, outsider=404)),
    ("get", "/activities/a/{activity}/", {}, expect(200, outsider=404)),
    # The roster of one window, where the secretary's "understaffed windows" lead: staff who sign people up,
    # and the area lead, who reads it from "understaffed tomorrow" (issue 17).
    ("get", "/supervision/shifts/{shift}/roster/", {}, expect(403, STAFF_C1, outsider=404)),
    ("get", "/supervision/understaffed/{c1}/", {}, expect(403, STAFF_C1, outsider=404)),
    # Reading is not signing up: the area lead's POST is refused.
    (
        "post",
        "/supervision/shifts/{shift}/roster/",
        {"action": "withdraw", "signup": "0"},
        expect(403, subdistrict_admin=400, community_secretary=400, outsider=404),
    ),
    (
        "get",
        "/party/plan/{plan}/",
        {},
        expect(403, STAFF_C1, party_member=200, grid_worker=200, outsider=404),
    ),
    (
        "get",
        "/supervision/offers/{offer}/",
        {},
        expect(
            403,
            subdistrict_admin=200,
            community_secretary=200,
            volunteer=200,
            party_member=200,
            grid_worker=404,
            outsider=404,
        ),
    ),
    ("get", "/reports/job/{job}/", {}, expect(403, STAFF_C1, outsider=404)),
    ("get", "/assessment/n/{c1}/evidence/{evidence}/", {}, expect(403, STAFF_C1, outsider=404)),
    ("get", "/units/u/{unit}/", {}, expect(403, STAFF_C1, unit_liaison=404, outsider=404)),
]

WRITE_MATRIX: list[tuple[str, str, dict[str, str], dict[str, int]]] = [
    (
        "post",
        "/accounts/people/{loner}/account/",
        {"username": "newbie", "role": "volunteer"},
        expect(403, subdistrict_admin=200, community_secretary=200, outsider=404),
    ),
    (
        "post",
        "/accounts/people/{loner}/link/",
        {"account": "1"},
        expect(403, subdistrict_admin=302, community_secretary=302, outsider=404),
    ),
    (
        "post",
        "/cases/propose/",
        {},
        expect(403, subdistrict_admin=302, community_secretary=302, outsider=302),
    ),
    (
        "post",
        "/cases/c/{case}/act/",
        {"action": "persuasion"},
        expect(
            403,
            subdistrict_admin=302,
            community_secretary=302,
            area_lead=404,
            enforcement_officer=404,
            outsider=404,
        ),
    ),
    (
        "post",
        "/cases/new/",
        {"community": "{c1}", "subject": "individual", "violation_day": "{today}", "article": "57(2)"},
        expect(403, subdistrict_admin=302, community_secretary=302, outsider=200),
    ),
    (
        "post",
        "/contests/c/{contest}/",
        {"action": "start"},
        expect(403, subdistrict_admin=302, area_lead=302, community_secretary=302, outsider=404),
    ),
    (
        "post",
        "/activities/a/{activity}/",
        # Staff may end an activity, but not this one before its start (tomorrow): refused with a message.
        {"action": "close", "summary": "好", "confirmed": "1"},
        expect(404, subdistrict_admin=400, area_lead=400, community_secretary=400),
    ),
    (
        "post",
        "/activities/n/{c1}/",
        {"kind": "training", "title": "新的", "day": "{today}"},
        expect(404, subdistrict_admin=302, area_lead=302, community_secretary=302),
    ),
    (
        "post",
        "/party/n/{m1}/visits/",
        {"microgrid": "{m1}"},
        expect(
            403,
            subdistrict_admin=302,
            community_secretary=302,
            area_lead=404,
            grid_worker=404,
            party_member=404,
            outsider=404,
        ),
    ),
    (
        "post",
        "/party/plan/{plan}/visit/",
        {"household": "{h1}", "outcome": "talked", "client_id": "00000000-0000-4000-8000-000000000001"},
        expect(
            403,
            subdistrict_admin=200,
            community_secretary=200,
            grid_worker=200,
            party_member=200,
            outsider=404,
        ),
    ),
    (
        "post",
        "/party/households/{h1}/visit/",
        {"outcome": "talked", "client_id": "00000000-0000-4000-8000-000000000002"},
        expect(
            403,
            subdistrict_admin=200,
            community_secretary=200,
            grid_worker=200,
            party_member=200,
            outsider=404,
        ),
    ),
    (
        "post",
        "/supervision/shifts/{shift}/signup/",
        {},
        expect(
            403,
            subdistrict_admin=302,
            community_secretary=302,
            grid_worker=302,
            volunteer=302,
            party_member=302,
            outsider=404,
        ),
    ),
    (
        "post",
        "/supervision/signups/{signup}/swap/",
        {"phone": "13500000002"},
        SIGNUP_HOLDER,
    ),
    (
        "post",
        "/supervision/signups/{signup}/check-in/",
        {},
        SIGNUP_HOLDER,
    ),
    (
        "post",
        "/supervision/offers/{offer}/",
        {"action": "accept"},
        expect(
            403,
            subdistrict_admin=302,
            community_secretary=302,
            volunteer=403,
            party_member=302,
            grid_worker=404,
            outsider=404,
        ),
    ),
    (
        "post",
        "/reports/n/{c1}/",
        {"period": "2026-10"},
        expect(403, subdistrict_admin=302, area_lead=302, community_secretary=302, outsider=404),
    ),
    (
        "post",
        "/tonnage/n/{c1}/record/",
        # request_key: the rendered form always carries one (an empty key is refused, see lib.idempotency)
        {"community": "{c1}", "day": "{today}", "category": "wet", "kg": "12", "request_key": "perm-matrix"},
        expect(403, subdistrict_admin=302, community_secretary=302, outsider=404),
    ),
    (
        "post",
        "/assessment/n/{c1}/inspect/",
        {
            "community": "{c1}",
            "indicator": "facilities",
            "day": "{today}",
            "score": "80",
            "inspector": "甲",
            "form_id": "00000000-0000-4000-8000-000000000002",
        },
        expect(403, subdistrict_admin=302),
    ),
    (
        "post",
        "/units/u/{unit}/",
        {"action": "add_commitment", "title": "值守", "year": "2026"},
        expect(
            403, subdistrict_admin=302, area_lead=404, community_secretary=404, unit_liaison=404, outsider=404
        ),
    ),
]


def _fill(template: str, objects: dict[str, str]) -> str:
    return template.format(**objects)


def _state() -> tuple[object, ...]:
    """Every table a write on these routes could touch, and the statuses it could change."""
    from activities.models import Activity, Registration
    from assessment.models import InspectionScore
    from audit.models import AuditEntry
    from contests.models import Contest
    from enforcement.models import Case, CaseStep
    from party.models import Visit, VisitPlan
    from reports.models import ReportJob
    from supervision.models import ShiftOffer, ShiftSignup
    from tonnage.models import TonnageRecord
    from units.models import Commitment

    return (
        AuditEntry.objects.count(),
        sorted(Case.objects.values_list("code", "status")),
        CaseStep.objects.count(),
        sorted(Contest.objects.values_list("code", "status")),
        sorted(Activity.objects.values_list("code", "status")),
        Registration.objects.count(),
        VisitPlan.objects.count(),
        Visit.objects.count(),
        sorted(ShiftSignup.objects.values_list("pk", "status", "checked_in_at")),
        sorted(ShiftOffer.objects.values_list("pk", "status")),
        ReportJob.objects.count(),
        TonnageRecord.objects.count(),
        InspectionScore.objects.count(),
        Commitment.objects.count(),
    )


@pytest.mark.django_db
def test_object_routes_and_writes_by_every_role(grid: Grid, personas: dict, objects: dict[str, str]) -> None:
    from django.db import transaction

    mismatches = []
    for role in ROLES:
        client = client_for(personas[role])
        for method, template, data, expected in OBJECT_MATRIX + WRITE_MATRIX:
            url = _fill(template, objects)
            body = {k: _fill(v, objects) for k, v in data.items()}
            # Each request in a savepoint that is rolled back: every role meets the same starting state.
            with transaction.atomic():
                before = _state()
                response = getattr(client, method)(url, body)
                after = _state()
                transaction.set_rollback(True)
            got = response.status_code
            if got != expected[role]:
                mismatches.append(f"{role} {method.upper()} {url}: {got} != {expected[role]}")
            # The outsider's forms may answer 200 with a message (c1 is not in their pickers): still nothing
            # of c1's may change.
            if (got in (403, 404) or role == "outsider") and before != after:
                mismatches.append(f"{role} {method.upper()} {url}: refused ({got}) but wrote something")
    assert mismatches == [], "\n".join(mismatches)
