"""Every role × every scoped page and API endpoint → the expected status; every route that names an object
(read from the URL conf: an unlisted one fails) for an object inside and one outside the role's scope."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from lib.clock import local_today
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
    # A resident is sent to their own household page (/h/), which shows them what they may see of it.
    ("get", "/grid/households/{h1}/", expect(403, READERS, resident=302, outsider=404)),
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
    # Bin-side duty: the recorders, and the area lead who oversees the points of their area (READ_POINTS).
    (
        "get",
        "/supervision/",
        expect(
            403,
            subdistrict_admin=200,
            area_lead=200,
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
    from supervision.models import Shift
    from supervision.services import point_create, shift_offer, shift_signup, shifts_generate
    from units.services import unit_create

    today = local_today()
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
    shifts_generate(points=[point], start=local_today() + datetime.timedelta(days=1), days=1)
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
        "plan": plan.code,
        "shift": shift.code,
        "signup": signup.code,
        "offer": offer.code,
        "job": str(job.public_id),
        "evidence": str(client_id),
        "unit": unit.code,
        "c1": grid.c1.code,
        "m1": grid.m1.code,
        "sd": grid.sd.code,
        "h1": grid.h1.code,
        "today": f"{today:%Y-%m-%d}",
        "loner": person_create(actor=None, node=grid.c1, name="待关联").code,  # a person with no account
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
            area_lead=200,
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


# --- every object route, for an object inside and outside the role's scope ---------------------------------
# The routes are read from the URL conf (tests/routes.py): a route with a parameter that no matrix of this
# file reaches fails `test_every_object_route_is_in_a_matrix` ("unlisted route"). URLs are built by route name
# from the object's lookup value (its code, public id …), so a route switching from <int:pk> to <str:code>
# needs no change here. Each object exists twice: in c1 (inside the c1 staff's scope) and in c2 (inside only the
# outsider's, c2's secretary); `ROUTES` says what each role gets on the c1 object, and the c2 object's
# expectations follow by symmetry (`_outside`): the c1 secretary meets it as the outsider meets c1's, the
# outsider as the c1 secretary, the logins bound to c1 (grid worker, volunteer, party member, resident) are
# refused (403 when the role is refused anyway, else 404), the sub-district logins as on c1.

C1_BOUND = ("grid_worker", "volunteer", "party_member", "resident")


def _outside(inside: dict[str, int], **overrides: int) -> dict[str, int]:
    out = dict(inside)
    out["community_secretary"], out["outsider"] = inside["outsider"], inside["community_secretary"]
    for role in C1_BOUND:
        out[role] = 403 if inside[role] == 403 else 404
    out.update(overrides)
    return out


def _objects_at(grid: Grid, personas: dict, side: str) -> dict[str, Any]:
    """One object of each kind in c1 (side "in") or c2 (side "out"), as models."""
    import datetime
    import uuid

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from activities.services import activity_create, activity_photo_add
    from assessment.models import InspectionScore
    from assessment.services import inspection_record
    from contests.models import Question
    from contests.services import contest_create
    from enforcement.services import case_open, case_step
    from grid.models import ImportJob
    from grid.services.household_keys import household_keys_ensure
    from grid.services.records import person_create
    from guide.models import LookupQuery, QueryStatus
    from lib.clock import local_today
    from lib.periods import Period
    from party.models import Inclusion
    from party.services import project_create, visit_plan_create
    from reports.models import ReportJob
    from supervision.models import Shift
    from supervision.services import shift_offer, shift_signup, shifts_generate
    from tests.files import jpeg_bytes
    from tests.personas import morning_point, party_branch
    from units.models import Attendance
    from units.services import commitment_add, meeting_create, unit_create

    inside = side == "in"
    community, microgrid = (grid.c1, grid.m1) if inside else (grid.c2, grid.m3)
    household = grid.h1 if inside else grid.h_other
    today = local_today()
    tag = "甲" if inside else "乙"
    objs: dict[str, Any] = {"household": household, "community": community}
    case = case_open(
        actor=None,
        community=community,
        subject="individual",
        source="manual",
        violation_day=today,
        article_code="57(2)",
        household=household,
    )
    for status in ("persuasion", "notice"):
        case_step(actor=None, case=case, status=status)
    objs["case"] = case
    if not Question.objects.exists():
        for n in range(3):
            Question.objects.create(kind="which_bin", text=f"问题{n}", choices=["甲", "乙"], answer=0)
    objs["contest"] = contest_create(
        actor=None, node=community, title=f"{tag}赛", questions=3, seconds=10, seed=1
    )
    start = timezone.now() + datetime.timedelta(days=1)
    activity = activity_create(
        actor=None,
        node=community,
        kind="training",
        title=f"{tag}培训",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        capacity=50,
        publish=True,
    )
    objs["activity"] = activity
    objs["photo"] = activity_photo_add(actor=None, activity=activity, data=jpeg_bytes())
    objs["plan"] = visit_plan_create(
        actor=None, microgrid=microgrid, period=Period.containing("quarter", today)
    )
    point = morning_point(community, f"{tag}1号点")
    objs["point"] = point
    shifts_generate(points=[point], start=today + datetime.timedelta(days=1), days=1)
    shift = Shift.objects.get(point=point)
    objs["shift"] = shift
    if inside:  # the volunteer persona holds c1's sign-up and offers it to the party member persona
        volunteer, member = personas["volunteer"], personas["party_member"]
        volunteer.person = person_create(actor=None, node=grid.c1, name="志愿者甲", phone="13500000001")
        volunteer.save()
        member.person = person_create(actor=None, node=grid.m1, name="党员乙", phone="13500000002")
        member.save()
        holder, taker = volunteer.person, member.person
    else:
        holder = person_create(actor=None, node=community, name="志愿者丙", phone="13500000003")
        taker = person_create(actor=None, node=community, name="党员丁", phone="13500000004")
    signup = shift_signup(actor=None, shift=shift, person=holder)
    objs["signup"] = signup
    objs["offer"] = shift_offer(actor=None, signup=signup, to=taker)
    objs["job"] = ReportJob.objects.create(
        public_id=uuid.uuid4(), node=community, period=f"{today:%Y-%m}", steps=4, created_by=None
    )
    objs["import"] = ImportJob.objects.create(
        public_id=uuid.uuid4(),
        kind="households",
        filename="h.xlsx",
        data=b"",
        node=community,
        created_by=personas["community_secretary" if inside else "outsider"],
    )
    inspection_record(
        actor=None,
        community=community,
        indicator_code="facilities",
        day=today,
        score="90",
        inspector="检查员",
        evidence=SimpleUploadedFile("e.pdf", _pdf(), content_type="application/pdf"),
        client_id=uuid.uuid4(),
    )
    objs["inspection"] = InspectionScore.objects.filter(community=community).latest("pk")
    unit = unit_create(actor=None, subdistrict=grid.sd, community=community, name=f"{tag}小学", kind="school")
    objs["unit"] = unit
    objs["commitment"] = commitment_add(actor=None, unit=unit, year=today.year, title="值守")
    meeting = meeting_create(actor=None, subdistrict=grid.sd, title=f"{tag}联席会议", day=today, units=[unit])
    objs["meeting"] = meeting
    objs["attendance"] = Attendance.objects.get(meeting=meeting, unit=unit)
    branch = party_branch(grid, committee=f"{tag}党工委", branch=f"{tag}支部", node=community)
    objs["org"] = branch
    objs["project"] = project_create(
        actor=None,
        node=community,
        inclusion=Inclusion.RESPONSIBILITY,
        year=today.year,
        title="项目",
        owner="书记",
    )
    objs["day"] = f"{today:%Y-%m-%d}"
    objs["person"] = person_create(actor=None, node=community, name=f"{tag}待关联")
    objs["query"] = LookupQuery.objects.get_or_create(
        text="电池", defaults={"method": "exact", "status": QueryStatus.OPEN}
    )[0]
    objs["token"] = household_keys_ensure(actor=None, households=[household])[household.pk]
    return objs


# route name → (object, other parameters, method, body, what each role gets on the c1 object,
# overrides of the c2 object's expectations). Other parameters: "kind.attribute" of an object, an object's key, or a literal.
Entry = tuple[str, dict[str, str], str, dict[str, str], dict[str, int], dict[str, int]]
ROUTES: dict[str, Entry] = {}
ROUTES.update(
    {
        "grid:household_detail": (
            "household",
            {},
            "get",
            {},
            expect(
                200,
                volunteer=403,
                party_member=403,
                unit_liaison=403,
                enforcement_officer=403,
                resident=302,  # sent to their own household page (/h/)
                outsider=404,
            ),
            {},
        ),
        "grid:import_status": (
            "import",
            {},
            "get",
            {},
            expect(403, subdistrict_admin=404, community_secretary=200, outsider=404),
            {},
        ),
        "resident:key_sheet": (
            "household",
            {},
            "get",
            {},
            expect(403, subdistrict_admin=200, area_lead=200, community_secretary=200, outsider=404),
            {},
        ),
        "resident:key_reissue": (
            "household",
            {},
            "post",
            {},
            expect(403, subdistrict_admin=302, community_secretary=302, outsider=404),
            {},
        ),
        # The household's own page opens by its secret token, for anyone who holds it (the printed QR).
        "resident:page": (
            "household",
            {"token": "token"},
            "get",
            {},
            expect(200),
            {"grid_worker": 200, "volunteer": 200, "party_member": 200, "resident": 200},
        ),
        "points:statement": (
            "household",
            {},
            "get",
            {},
            expect(
                200, volunteer=403, party_member=403, unit_liaison=403, enforcement_officer=403, outsider=404
            ),
            {},
        ),
        "party:household_visit": (
            "household",
            {},
            "post",
            {"outcome": "talked", "client_id": "00000000-0000-4000-8000-000000000002"},
            expect(
                403,
                subdistrict_admin=200,
                community_secretary=200,
                grid_worker=200,
                party_member=200,
                outsider=404,
            ),
            {},
        ),
        "accounts:person_link": (
            "person",
            {},
            "post",
            {},
            expect(403, subdistrict_admin=302, community_secretary=302, outsider=404),
            {},
        ),
        "accounts:person_account": (
            "person",
            {},
            "post",
            {},
            expect(403, subdistrict_admin=200, community_secretary=200, outsider=404),
            {},
        ),
        "enforcement:case_detail": (
            "case",
            {},
            "get",
            {},
            expect(
                403,
                subdistrict_admin=200,
                area_lead=200,
                community_secretary=200,
                enforcement_officer=404,
                outsider=404,
            ),
            {},
        ),
        "enforcement:case_action": (
            "case",
            {},
            "post",
            {"action": "void", "note": "重复"},
            expect(
                403,
                subdistrict_admin=302,
                area_lead=404,
                community_secretary=302,
                enforcement_officer=404,
                outsider=404,
            ),
            {},
        ),
        "enforcement:notice": (
            "case",
            {},
            "get",
            {},
            expect(403, subdistrict_admin=200, community_secretary=200, outsider=404),
            {},
        ),
        # No uploaded document at step 3: the readers get 404, the others are refused first.
        "enforcement:document": (
            "case",
            {"step": "3"},
            "get",
            {},
            expect(404, grid_worker=403, volunteer=403, party_member=403, unit_liaison=403, resident=403),
            {},
        ),
        # The case's first evidence record has no photo: the readers get 404, the others are refused first.
        "enforcement:evidence_photo": (
            "case",
            {"n": "1"},
            "get",
            {},
            expect(404, grid_worker=403, volunteer=403, party_member=403, unit_liaison=403, resident=403),
            {},
        ),
        "contests:host": (
            "contest",
            {},
            "get",
            {},
            expect(403, subdistrict_admin=200, area_lead=200, community_secretary=200, outsider=404),
            {},
        ),
        "contests:board": ("contest", {}, "get", {}, expect(200, outsider=404), {}),
        "contests:play": ("contest", {}, "get", {}, expect(200, outsider=404), {}),
        # A contest not started has no state and takes no answer: 404 for all, never a leak.
        "contests:state": ("contest", {}, "get", {}, expect(404), {}),
        "contests:answer": ("contest", {}, "post", {}, expect(404), {}),
        "contests:paper": (
            "contest",
            {},
            "get",
            {},
            expect(403, subdistrict_admin=200, area_lead=200, community_secretary=200, outsider=404),
            {},
        ),
        "activities:detail": ("activity", {}, "get", {}, expect(200, outsider=404), {}),
        "activities:checkin": ("activity", {}, "get", {}, expect(200, outsider=404), {}),
        "activities:photo": ("activity", {"photo": "photo.code"}, "get", {}, expect(200, outsider=404), {}),
        "supervision:signup": (
            "shift",
            {},
            "post",
            {},
            expect(302, area_lead=403, unit_liaison=403, enforcement_officer=403, resident=403, outsider=404),
            {},
        ),
        "supervision:shift_roster": (
            "shift",
            {},
            "get",
            {},
            expect(403, subdistrict_admin=200, area_lead=200, community_secretary=200, outsider=404),
            {},
        ),
        "supervision:check": (
            "signup",
            {"action": "in"},
            "post",
            {},
            expect(
                404, area_lead=403, volunteer=302, unit_liaison=403, enforcement_officer=403, resident=403
            ),
            {},
        ),
        "supervision:swap": (
            "signup",
            {},
            "post",
            {},
            # The holder's empty form is reached and refused as such (nobody picked, no phone): 400.
            expect(
                404, area_lead=403, volunteer=400, unit_liaison=403, enforcement_officer=403, resident=403
            ),
            {},
        ),
        "supervision:signup_cancel": (
            "signup",
            {},
            "post",
            {},
            expect(
                404, area_lead=403, volunteer=200, unit_liaison=403, enforcement_officer=403, resident=403
            ),
            {},
        ),
        "supervision:offer": (
            "offer",
            {},
            "get",
            {},
            expect(
                200,
                grid_worker=404,
                unit_liaison=403,
                enforcement_officer=403,
                resident=403,
                outsider=404,
            ),
            {},
        ),
        # The area lead reads their area's points (READ_POINTS); recording and checking purity stay refused.
        "supervision:point_detail": (
            "point",
            {},
            "get",
            {},
            expect(200, unit_liaison=403, enforcement_officer=403, resident=403, outsider=404),
            {},
        ),
        "supervision:record": (
            "point",
            {},
            "get",
            {},
            expect(200, area_lead=403, unit_liaison=403, enforcement_officer=403, resident=403, outsider=404),
            {},
        ),
        "supervision:purity": (
            "point",
            {},
            "post",
            {},
            expect(302, area_lead=403, unit_liaison=403, enforcement_officer=403, resident=403, outsider=404),
            {},
        ),
        "party:plan": (
            "plan",
            {},
            "get",
            {},
            expect(200, volunteer=403, unit_liaison=403, enforcement_officer=403, resident=403, outsider=404),
            {},
        ),
        "party:plan_members": (
            "plan",
            {},
            "post",
            {"members": "0"},
            expect(403, subdistrict_admin=302, community_secretary=302, outsider=404),
            {},
        ),
        "party:plan_visit": (
            "plan",
            {},
            "post",
            {
                "household": "household.code",
                "outcome": "talked",
                "client_id": "00000000-0000-4000-8000-000000000001",
            },
            expect(
                403,
                subdistrict_admin=200,
                community_secretary=200,
                grid_worker=200,
                party_member=200,
                outsider=404,
            ),
            {},
        ),
        "party:org": (
            "org",
            {},
            "get",
            {},
            expect(
                403,
                subdistrict_admin=200,
                area_lead=200,
                community_secretary=200,
                party_member=200,
                outsider=404,
            ),
            {},
        ),
        "party:duties": (
            "org",
            {},
            "get",
            {},
            expect(
                403,
                subdistrict_admin=200,
                area_lead=200,
                community_secretary=200,
                party_member=200,
                outsider=404,
            ),
            {},
        ),
        # Party building is the sub-district's: projects and joint meetings read sub-district-wide.
        "party:project": (
            "project",
            {},
            "get",
            {},
            expect(
                200, grid_worker=403, volunteer=403, unit_liaison=403, enforcement_officer=403, resident=403
            ),
            {"party_member": 200},
        ),
        "reports:job": (
            "job",
            {},
            "get",
            {},
            expect(403, subdistrict_admin=200, area_lead=200, community_secretary=200, outsider=404),
            {},
        ),
        # The job has no file yet (404 for its readers); a commitment no evidence.
        "reports:file": (
            "job",
            {"kind": "pdf"},
            "get",
            {},
            expect(403, subdistrict_admin=404, area_lead=404, community_secretary=404, outsider=404),
            {},
        ),
        "assessment:evidence_file": (
            "community",
            {"client_id": "inspection.client_id"},
            "get",
            {},
            expect(403, subdistrict_admin=200, area_lead=200, community_secretary=200, outsider=404),
            {},
        ),
        "units:detail": (
            "unit",
            {},
            "get",
            {},
            expect(
                403,
                subdistrict_admin=200,
                area_lead=200,
                community_secretary=200,
                unit_liaison=404,
                outsider=404,
            ),
            {},
        ),
        "units:meeting": (
            "meeting",
            {},
            "get",
            {},
            expect(
                403,
                subdistrict_admin=200,
                area_lead=200,
                community_secretary=200,
                unit_liaison=404,
                outsider=200,
            ),
            {},
        ),
        "units:commitment_evidence": (
            "commitment",
            {},
            "get",
            {},
            expect(
                404, grid_worker=403, volunteer=403, party_member=403, enforcement_officer=403, resident=403
            ),
            {},
        ),
        # Only a unit's own liaison replies (this liaison login speaks for no unit: 404).
        "units:attendance_answer": ("attendance", {}, "post", {}, expect(403, unit_liaison=404), {}),
        # The lookup queue is not per community: every secretary may dismiss an entry.
        "guide:review_decide": (
            "query",
            {},
            "post",
            {"action": "dismiss", "reason": "无关"},
            expect(403, subdistrict_admin=302, community_secretary=302, outsider=302),
            {},
        ),
        # A public page taking a category key, not an object: the same answer for every role. A key no scheme
        # has, since whether "wet" exists depends on whether an earlier test loaded the (process-wide) index.
        "guide:category": ("query", {"key": "nosuch"}, "get", {}, expect(404), {}),
    }
)


def _value(value: str, objs: dict[str, Any]) -> Any:
    if "." in value:
        kind, attr = value.split(".", 1)
        return getattr(objs[kind], attr)
    return objs.get(value, value)


def _url_of(name: str, entry: Entry, objs: dict[str, Any]) -> str:
    from tests.routes import url_for

    key, extra, *_ = entry
    return url_for(name, objs[key], **{param: _value(v, objs) for param, v in extra.items()})


def _body(entry: Entry, objs: dict[str, Any]) -> dict[str, Any]:
    return {field: _value(v, objs) for field, v in entry[3].items()}


def _template_route(template: str) -> str:
    """The route a matrix URL template names, its placeholders filled with a value every converter takes."""
    import re

    from django.urls import resolve

    uuidish = "00000000-0000-4000-8000-000000000000"
    url = re.sub(r"\{(job|evidence)\}", uuidish, template)
    url = re.sub(r"\{[a-z_0-9]+\}", "1", url).split("?")[0]
    return resolve(url).view_name


def test_every_object_route_is_in_a_matrix() -> None:
    from tests.routes import site_routes

    listed = set(ROUTES)
    listed |= {_template_route(t) for _m, t, _e in MATRIX}
    listed |= {_template_route(t) for _m, t, _d, _e in OBJECT_MATRIX + WRITE_MATRIX}
    unlisted = sorted(f"{r.name} ({r.pattern})" for r in site_routes() if r.params and r.name not in listed)
    assert unlisted == [], "unlisted route (add it to a permission matrix):\n" + "\n".join(unlisted)


@pytest.mark.django_db
def test_object_routes_inside_and_outside_the_scope(grid: Grid, personas: dict) -> None:
    from django.db import transaction

    admin = personas["subdistrict_admin"]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    sides = {side: _objects_at(grid, personas, side) for side in ("in", "out")}
    mismatches = []
    for role in ROLES:
        client = client_for(personas[role])
        for name, entry in ROUTES.items():
            _key, _extra, method, _b, inside, out_overrides = entry
            for side, objs in sides.items():
                expected = inside if side == "in" else _outside(inside, **out_overrides)
                url = _url_of(name, entry, objs)
                with transaction.atomic():  # every request meets the same starting state
                    got = getattr(client, method)(url, _body(entry, objs)).status_code
                    transaction.set_rollback(True)
                if got != expected[role]:
                    mismatches.append(
                        f"{side:3} {role} {method.upper()} {name} {url}: {got} != {expected[role]}"
                    )
    assert mismatches == [], "\n".join(mismatches)
