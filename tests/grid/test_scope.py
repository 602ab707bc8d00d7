"""Writes and reads stay in the actor's scope (issue 13): every service that acts on a node checks it through
`grid.scope.Scope`, pickers and searches list only in-scope rows, and a shift is handed over only with the
other person's consent (their name masked until then)."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import Role
from audit.models import AuditEntry
from enforcement.models import Case
from grid.models import GridNode, Household, Person
from grid.scope import Scope
from grid.services.importing import ImportRejected
from grid.services.records import person_create
from lib.clock import SHANGHAI, local_today
from supervision.ingest import Row, write_rows
from supervision.models import OfferStatus, Shift, ShiftOffer, ShiftSignup, SignupStatus
from supervision.services import point_create, shift_offer, shift_offer_answer, shift_signup, shifts_generate
from tests.conftest import Grid, client_for, make_user
from tests.personas import morning_point


def _catch(grid: Grid, community: GridNode, household: Household, times: int) -> None:
    """`times` mixed drop-offs by the household in the last days (the repeat rule wants more than 3)."""
    point = point_create(actor=None, community=community, name=f"点{uuid.uuid4().hex[:4]}")
    today = local_today()
    rows = []
    for d in range(times):
        day = today - datetime.timedelta(days=d)
        at = datetime.datetime.combine(day, datetime.time(8), tzinfo=SHANGHAI)
        rows.append(
            Row(
                uuid.uuid4(), grid.sd.pk, community.pk, point.pk, household.pk, at, day, "wet", "mixed", "dry"
            )
        )
    write_rows(rows, recorded_by=None)


# --- services ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_secretary_proposing_cases_touches_only_their_own_residential_area(
    grid: Grid, personas: dict
) -> None:
    """The issue's example: POST /cases/propose/ by c1's secretary proposed cases for every residential area."""
    _catch(grid, grid.c1, grid.h1, 5)
    _catch(grid, grid.c2, grid.h_other, 5)
    secretary = client_for(personas[Role.COMMUNITY_SECRETARY])
    preview = secretary.get("/cases/propose/").content.decode()
    assert grid.h1.code in preview and grid.h_other.code not in preview
    # Ticking another area's household (a forged form) is refused as a whole.
    forged = secretary.post("/cases/propose/", {"household": [grid.h1.code, grid.h_other.code]})
    assert forged.status_code == 403 and not Case.objects.exists()
    response = secretary.post("/cases/propose/", {"household": [grid.h1.code]})
    assert response.status_code == 302
    assert list(Case.objects.values_list("household_id", flat=True)) == [grid.h1.pk]
    # The other area's secretary then proposes theirs, and only theirs.
    client_for(personas["outsider"]).post("/cases/propose/", {"household": [grid.h_other.code]})
    assert sorted(Case.objects.values_list("household_id", flat=True)) == sorted(
        [grid.h1.pk, grid.h_other.pk]
    )


@pytest.mark.django_db
def test_proposing_for_the_whole_sub_district_is_refused_in_the_service(grid: Grid, personas: dict) -> None:
    from enforcement.services import repeat_cases_propose

    _catch(grid, grid.c2, grid.h_other, 5)
    before = AuditEntry.objects.count()
    for actor, node in (
        (personas[Role.COMMUNITY_SECRETARY], None),
        (personas[Role.COMMUNITY_SECRETARY], grid.c2),
    ):
        with pytest.raises(PermissionDenied):
            repeat_cases_propose(actor=actor, subdistrict=grid.sd, node=node, today=local_today())
    assert Case.objects.count() == 0 and AuditEntry.objects.count() == before
    # The system (no actor) and the sub-district admin still propose for the whole sub-district.
    cases = repeat_cases_propose(
        actor=personas[Role.SUBDISTRICT_ADMIN], subdistrict=grid.sd, today=local_today()
    )
    assert [c.household_id for c in cases] == [grid.h_other.pk]


def _calls(grid: Grid) -> dict[str, Callable[[Any], object]]:
    """One call per service that takes an actor and a node (or a record at a node), aimed at c2."""
    from activities.services import activity_create
    from assessment.services import inspection_record
    from contests.services import contest_create
    from enforcement.services import case_open
    from grid.services.assignment import households_assign
    from grid.services.importing import grid_import
    from grid.services.records import building_create, household_update
    from lib.periods import Period
    from party.services import org_create, visit_plan_create, visit_record
    from points.models import Reward
    from points.services import points_redeem
    from reports.services import report_job_create
    from tonnage.services import tonnage_bulk, tonnage_record
    from units.services import unit_create

    today = local_today()
    start = timezone.now() + datetime.timedelta(days=1)
    return {
        "households_assign": lambda a: households_assign(actor=a, community=grid.c2),
        "activity_create": lambda a: activity_create(
            actor=a,
            node=grid.c2,
            kind="training",
            title="x",
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=1),
        ),
        "contest_create": lambda a: contest_create(actor=a, node=grid.c2, title="x"),
        "visit_plan_create": lambda a: visit_plan_create(
            actor=a, microgrid=grid.m3, period=Period.containing("quarter", today)
        ),
        "visit_record": lambda a: visit_record(
            actor=a, household=grid.h_other, day=today, outcome="talked", client_id=uuid.uuid4()
        ),
        "tonnage_record": lambda a: tonnage_record(
            actor=a, community=grid.c2, day=today, category="wet", kg="10", ref=uuid.uuid4().hex
        ),
        "tonnage_bulk": lambda a: tonnage_bulk(
            actor=a, rows=[(grid.c2, today, "wet", "10", uuid.uuid4().hex)], source="api"
        ),
        "inspection_record": lambda a: inspection_record(
            actor=a,
            community=grid.c2,
            indicator_code="facilities",
            day=today,
            score="90",
            inspector="甲",
            client_id=uuid.uuid4(),
        ),
        "report_job_create": lambda a: report_job_create(
            actor=a, node=grid.c2, period=Period.containing("month", today)
        ),
        "point_create": lambda a: point_create(actor=a, community=grid.c2, name="乙点"),
        "case_open": lambda a: case_open(
            actor=a,
            community=grid.c2,
            subject="individual",
            source="manual",
            violation_day=today,
            article_code="57(2)",
            household=grid.h_other,
        ),
        "unit_create (area)": lambda a: unit_create(
            actor=a, subdistrict=grid.sd, community=grid.c2, name="乙单位"
        ),
        "unit_create (sub-district)": lambda a: unit_create(actor=a, subdistrict=grid.sd, name="街道单位"),
        "org_create": lambda a: org_create(actor=a, kind="committee", name="x", node=grid.c2),
        "person_create": lambda a: person_create(actor=a, node=grid.c2, name="乙居民"),
        "building_create": lambda a: building_create(actor=a, community=grid.c2, name="10号楼"),
        "household_update": lambda a: household_update(actor=a, household=grid.h_other, size=5),
        "points_redeem": lambda a: points_redeem(
            actor=a,
            household=grid.h_other,
            reward=Reward.objects.create(subdistrict=grid.sd, name="肥皂", cost=1, stock=5),
            request_key=uuid.uuid4().hex,
        ),
        "grid_import": lambda a: grid_import(
            kind="households", filename="h.csv", data="楼号,室号\n".encode(), actor=a, root=grid.c2
        ),
    }


@pytest.mark.django_db
def test_each_service_refuses_a_node_outside_the_actors_scope(grid: Grid, personas: dict) -> None:
    """c1's secretary (and c1's grid worker, one level lower) against c2: PermissionDenied, nothing written."""
    from points.models import Reward

    calls = _calls(grid)
    failures = []
    for actor in (personas[Role.COMMUNITY_SECRETARY], personas[Role.GRID_WORKER]):
        for name, call in calls.items():
            audit_before = AuditEntry.objects.count()
            rewards = Reward.objects.count()
            try:
                call(actor)
            except PermissionDenied:
                pass
            else:
                failures.append(f"{actor.username}: {name} went through")
                continue
            # The reward is the call's own fixture; everything else must be as it was.
            if AuditEntry.objects.count() != audit_before or Reward.objects.count() != rewards + (
                name == "points_redeem"
            ):
                failures.append(f"{actor.username}: {name} wrote before refusing")
    assert failures == []


@pytest.mark.django_db
def test_in_scope_and_system_calls_still_go_through(grid: Grid, personas: dict) -> None:
    """The same calls by the area lead (c2 is in their area) and by the system (no actor) pass the scope
    check; what the service refuses after it (the empty import file, the empty question bank) is its own
    check, not scope."""
    from django.db import transaction

    refused = []
    for actor in (personas[Role.AREA_LEAD], None):
        for name, call in _calls(grid).items():
            if name == "unit_create (sub-district)" and actor is not None:
                continue  # the sub-district's own units are for the sub-district's staff
            try:
                with transaction.atomic():
                    call(actor)
            except PermissionDenied:
                refused.append(f"{actor}: {name}")
            except (ValidationError, ImportRejected):
                pass  # the service's own refusal after scope (an empty file, an empty bank): not scope
    assert refused == []


def test_scope_covers_the_node_and_below_only() -> None:
    sd = GridNode(path="/TSD/")
    c1, c2 = GridNode(path="/TSD/TSD-01/"), GridNode(path="/TSD/TSD-02/")
    m1 = GridNode(path="/TSD/TSD-01/TSD-01-M01/")
    prefix_twin = GridNode(path="/TSD/TSD-011/")  # a code that starts like c1's must not pass
    scope = Scope(path=c1.path)
    assert scope.covers(c1) and scope.covers(m1)
    assert not scope.covers(c2) and not scope.covers(sd) and not scope.covers(prefix_twin)
    assert scope.concerns(sd) and not scope.concerns(c2)  # taking part in what is held above
    assert Scope(path=None).covers(c2) and Scope(path=None).covers(None)
    assert not Scope(path="").covers(c1) and not Scope(path="").concerns(sd)  # bound to no node: nothing
    with pytest.raises(PermissionDenied):
        scope.require(c2)
    assert Scope.of(None).unrestricted


# --- pickers and searches ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_member_units_are_listed_only_in_scope(grid: Grid, personas: dict) -> None:
    """The issue's example: a secretary could list every member unit of the sub-district."""
    from units.selectors import units_for
    from units.services import meeting_create, unit_create

    mine = unit_create(actor=None, subdistrict=grid.sd, community=grid.c1, name="甲小学")
    theirs = unit_create(actor=None, subdistrict=grid.sd, community=grid.c2, name="乙医院")
    district = unit_create(actor=None, subdistrict=grid.sd, name="街道企业")
    secretary, outsider = personas[Role.COMMUNITY_SECRETARY], personas["outsider"]
    assert list(units_for(secretary)) == [mine]
    assert list(units_for(outsider)) == [theirs]
    assert set(units_for(personas[Role.AREA_LEAD])) == {mine, theirs}
    assert set(units_for(personas[Role.SUBDISTRICT_ADMIN])) == {mine, theirs, district}
    page = client_for(secretary).get("/units/").content.decode()
    assert "甲小学" in page and "乙医院" not in page and "街道企业" not in page
    assert client_for(secretary).get(f"/units/u/{theirs.code}/").status_code == 404
    # A joint meeting is the sub-district's, but its attendance list shows only the reader's units.
    meeting = meeting_create(actor=None, subdistrict=grid.sd, title="联席会议", day=local_today())
    sheet = client_for(secretary).get(f"/units/meetings/{meeting.code}/").content.decode()
    assert "甲小学" in sheet and "乙医院" not in sheet


@pytest.mark.django_db
def test_people_pickers_list_only_in_scope_people(grid: Grid, personas: dict) -> None:
    from activities.services import activity_create

    person_create(actor=None, node=grid.m1, name="选人测试甲")
    outside = person_create(actor=None, node=grid.c2, name="选人测试乙")
    start = timezone.now() + datetime.timedelta(minutes=30)  # check-in is open: the picker is offered
    activity = activity_create(
        actor=None,
        node=grid.c1,
        kind="training",
        title="培训",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
        publish=True,
    )
    secretary = client_for(personas[Role.COMMUNITY_SECRETARY])
    for url in (f"/activities/a/{activity.code}/?q=选人测试", "/party/talents/?q=选人测试"):
        page = secretary.get(url).content.decode()
        assert "选人测试甲" in page and "选人测试乙" not in page, url
    admin = client_for(personas[Role.SUBDISTRICT_ADMIN]).get("/party/talents/?q=选人测试").content.decode()
    assert "选人测试甲" in admin and "选人测试乙" in admin
    # Posting the outside person's id anyway checks nobody in.
    response = secretary.post(f"/activities/a/{activity.code}/", {"action": "check_in", "person": outside.pk})
    assert response.status_code == 400 and not activity.registrations.exists()
    response = secretary.post("/party/talents/", {"person": outside.pk, "kind": "lecturer", "topics": "分类"})
    assert (
        response.status_code == 400
        and not Person.objects.filter(pk=outside.pk, talent__isnull=False).exists()
    )


# --- shift hand-over by consent --------------------------------------------------------------------------------


@pytest.fixture
def roster(grid: Grid, personas: dict) -> dict[str, Any]:
    point = morning_point(grid.c1)
    tomorrow = local_today() + datetime.timedelta(days=1)
    shifts_generate(points=[point], start=tomorrow, days=1)
    volunteer, neighbour = personas[Role.VOLUNTEER], personas[Role.PARTY_MEMBER]
    volunteer.person = person_create(actor=None, node=grid.c1, name="志愿者甲", phone="13500000001")
    volunteer.save()
    neighbour.person = person_create(actor=None, node=grid.m1, name="欧阳明月", phone="13500000002")
    neighbour.save()
    signup = shift_signup(actor=volunteer, shift=Shift.objects.get(), person=volunteer.person)
    return {"signup": signup, "volunteer": volunteer, "neighbour": neighbour}


@pytest.mark.django_db
def test_hand_over_waits_for_consent_and_names_the_two_colleagues(roster: dict) -> None:
    signup, volunteer, neighbour = roster["signup"], roster["volunteer"], roster["neighbour"]
    owner = client_for(volunteer)
    response = owner.post(f"/supervision/signups/{signup.code}/swap/", {"phone": "13500000002"}, follow=True)
    page = response.content.decode()
    # Before they consent the sender reads the taker as the picker shows them (found by a phone number: masked,
    # else a typed number would reveal whose it is); the taker reads the sender in full.
    assert "已向 欧*** 提出换班" in page and "欧阳明月" not in page
    assert ShiftSignup.objects.get(pk=signup.pk).status == SignupStatus.SIGNED_UP  # still the owner's
    offer = ShiftOffer.objects.get(signup=signup, status=OfferStatus.PENDING)
    # The neighbour finds it on their duty page and accepts.
    other = client_for(neighbour)
    assert f"/supervision/offers/{offer.code}/" in other.get("/supervision/").content.decode()
    assert "志愿者甲" in other.get(f"/supervision/offers/{offer.code}/").content.decode()
    assert other.post(f"/supervision/offers/{offer.code}/", {"action": "accept"}).status_code == 302
    assert ShiftSignup.objects.get(pk=signup.pk).status == SignupStatus.SWAPPED
    moved = ShiftSignup.objects.get(shift=signup.shift, person=neighbour.person)
    assert moved.status == SignupStatus.SIGNED_UP  # they said yes themselves: not "signed up by staff"
    offer.refresh_from_db()
    assert offer.status == OfferStatus.ACCEPTED and offer.decided_by == neighbour
    actions = set(AuditEntry.objects.filter(model="supervision.ShiftOffer").values_list("action", flat=True))
    assert actions == {"create", "update"}


@pytest.mark.django_db
def test_hand_over_declined_or_answered_by_the_wrong_person_moves_nothing(
    grid: Grid, personas: dict, roster: dict
) -> None:
    signup, volunteer, neighbour = roster["signup"], roster["volunteer"], roster["neighbour"]
    offer = shift_offer(actor=volunteer, signup=signup, to=neighbour.person)
    # The owner cannot accept their own offer, nor can a grid worker or the other area's secretary.
    for actor in (volunteer, personas[Role.GRID_WORKER], personas["outsider"]):
        with pytest.raises(PermissionDenied):
            shift_offer_answer(actor=actor, offer=offer, accept=True)
    assert client_for(personas["outsider"]).get(f"/supervision/offers/{offer.code}/").status_code == 404
    shift_offer_answer(actor=neighbour, offer=offer, accept=False)
    assert ShiftOffer.objects.get(pk=offer.pk).status == OfferStatus.DECLINED
    assert ShiftSignup.objects.get(pk=signup.pk).status == SignupStatus.SIGNED_UP
    with pytest.raises(ValidationError):  # answered already
        shift_offer_answer(actor=neighbour, offer=offer, accept=True)
    # A new offer withdraws nothing it should not; the owner may withdraw it; a stranger cannot be offered.
    again = shift_offer(actor=volunteer, signup=signup, to=neighbour.person)
    shift_offer_answer(actor=volunteer, offer=again, accept=False)
    assert ShiftOffer.objects.get(pk=again.pk).status == OfferStatus.WITHDRAWN
    stranger = person_create(actor=None, node=grid.c2, name="外区人")
    with pytest.raises(ValidationError):
        shift_offer(actor=volunteer, signup=signup, to=stranger)
    # Someone else's sign-up cannot be offered by a volunteer.
    other_volunteer = make_user(
        "v2", Role.VOLUNTEER, grid.c1, person_create(actor=None, node=grid.c1, name="乙")
    )
    with pytest.raises(PermissionDenied):
        shift_offer(actor=other_volunteer, signup=signup, to=neighbour.person)


# --- shift check-in/out: only the sign-up's person or a secretary of its area ---------------------------------


@pytest.mark.django_db
def test_shift_check_in_and_out_are_refused_in_the_service_for_anyone_else(
    grid: Grid, personas: dict, roster: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    from supervision.services import shift_check_in, shift_check_out

    signup, volunteer = roster["signup"], roster["volunteer"]
    other_volunteer = make_user(
        "v3", Role.VOLUNTEER, grid.c1, person_create(actor=None, node=grid.c1, name="丙")
    )
    # Another volunteer of the same area, a grid worker, and the other area's secretary: no minutes for them
    # to credit (the view only offers one's own sign-ups; the service must hold on its own).
    for actor in (other_volunteer, personas[Role.GRID_WORKER], personas["outsider"]):
        with pytest.raises(PermissionDenied):
            shift_check_in(actor=actor, signup=signup)
        with pytest.raises(PermissionDenied):
            shift_check_out(actor=actor, signup=signup)
    assert ShiftSignup.objects.get(pk=signup.pk).checked_in_at is None
    # Ninety minutes into the shift's window (check-in is only taken around the window: services).
    start = datetime.datetime.combine(signup.shift.day, signup.shift.start, tzinfo=SHANGHAI)
    at = start + datetime.timedelta(minutes=90)
    monkeypatch.setattr(timezone, "now", lambda: at)
    shift_check_in(actor=volunteer, signup=signup, at=start)
    shift_check_out(actor=personas[Role.COMMUNITY_SECRETARY], signup=signup)  # their own area's secretary
    assert ShiftSignup.objects.get(pk=signup.pk).minutes == 90


# --- a record's photo: another area's client id is "not found", not "already there" ----------------------------


@pytest.mark.django_db
def test_photo_upload_with_another_areas_client_id_is_404_without_its_size(
    grid: Grid, personas: dict, settings: Any, tmp_path: Any
) -> None:
    import io

    from PIL import Image

    from supervision.models import ObservationPhoto
    from supervision.services import photo_store

    settings.MEDIA_ROOT = tmp_path
    theirs = point_create(actor=None, community=grid.c2, name="乙2号点")
    day = local_today()
    at = datetime.datetime.combine(day, datetime.time(8), tzinfo=SHANGHAI)
    cid = uuid.uuid4()
    write_rows(
        [Row(cid, grid.sd.pk, grid.c2.pk, theirs.pk, None, at, day, "wet", "correct", "")], recorded_by=None
    )

    def jpeg(size: tuple[int, int]) -> io.BytesIO:
        buffer = io.BytesIO()
        Image.new("RGB", size, "green").save(buffer, "JPEG")
        buffer.seek(0)
        buffer.name = "bin.jpg"
        return buffer

    photo_store(user=personas["outsider"], client_id=cid, day=day, data=jpeg((321, 123)).getvalue())
    for user in (personas[Role.VOLUNTEER], personas[Role.COMMUNITY_SECRETARY]):  # both of the other area
        response = client_for(user).post(
            "/api/v1/supervision/photos",
            {"client_id": str(cid), "day": day.isoformat(), "image": jpeg((50, 50))},
        )
        assert response.status_code == 404, response.content
        assert "321" not in response.content.decode()
    assert ObservationPhoto.objects.count() == 1


# --- the back office: a sub-district admin (a superuser bound to a node) stays in their sub-district ----------


def _outside(grid: Grid) -> dict[str, Any]:
    from grid.models import Level
    from grid.services.records import building_create, node_create
    from points.models import Reward

    sd = node_create(actor=None, level=Level.SUBDISTRICT, name="外街道", code="OSD")
    area = node_create(actor=None, level=Level.AREA, name="外片区", parent=sd)
    community = node_create(actor=None, level=Level.COMMUNITY, name="外居民区", parent=area)
    building = building_create(actor=None, community=community, name="外楼", address="外路1号")
    return {
        "sd": sd,
        "community": community,
        "building": building,
        "reward": Reward.objects.create(subdistrict=sd, name="外区奖品", cost=10),
    }


@pytest.fixture
def back_office(personas: dict) -> Any:
    admin = personas[Role.SUBDISTRICT_ADMIN]
    admin.is_staff = admin.is_superuser = (
        True  # as the demo's sub-district admin: a superuser bound to a node
    )
    admin.save()
    return admin


def _admin_request(user: Any) -> Any:
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = user
    return request


@pytest.mark.django_db
def test_back_office_user_edits_cannot_hand_out_privileges_or_unbind_a_node(
    grid: Grid, personas: dict, back_office: Any
) -> None:
    outside = _outside(grid)
    secretary = personas[Role.COMMUNITY_SECRETARY]
    client = client_for(back_office)

    def change(user: Any, **fields: Any) -> Any:
        data = {
            "username": user.username,
            "first_name": "",
            "last_name": "",
            "email": "",
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
            "role": user.role,
            "node": user.node_id,
            "person": "",
        }
        data.update(fields)
        return client.post(f"/admin/accounts/user/{user.pk}/change/", data)

    assert change(secretary).status_code == 302  # saved, but not the privileges
    secretary.refresh_from_db()
    assert not secretary.is_superuser and not secretary.is_staff
    # Emptying one's own node would make a superuser unrestricted; another sub-district's node is no choice.
    assert change(back_office, node="").status_code == 200
    assert change(back_office, node=outside["sd"].pk).status_code == 200
    assert change(secretary, node=outside["community"].pk).status_code == 200
    back_office.refresh_from_db()
    secretary.refresh_from_db()
    assert back_office.node == grid.sd and secretary.node == grid.c1
    # A superuser bound to no node (the operator) still manages privileges.
    root = make_user("root", "", grid.sd)
    root.node, root.is_superuser, root.is_staff = None, True, True
    root.save()
    client = client_for(root)
    assert change(secretary, is_staff="").status_code == 302
    secretary.refresh_from_db()
    assert secretary.is_superuser


@pytest.mark.django_db
def test_back_office_lists_and_choices_stay_in_the_sub_district(
    grid: Grid, personas: dict, back_office: Any
) -> None:
    from django.contrib import admin

    from activities.models import Activity
    from audit.models import AuditEntry
    from grid.models import GridRule
    from points.models import Reward

    outside = _outside(grid)
    request = _admin_request(back_office)
    # Lists: the other sub-district's reward and audit entries are not there (their changes carry personal data).
    assert list(admin.site._registry[Reward].get_queryset(request)) == []
    audit = admin.site._registry[AuditEntry].get_queryset(request)
    assert not audit.filter(subdistrict_id=outside["sd"].pk).exists() and audit.exists()
    page = client_for(back_office).get(f"/admin/points/reward/{outside['reward'].pk}/change/", follow=True)
    assert "外区奖品" not in page.content.decode()
    # Choices, raw-id boxes included: another sub-district's node or building is not a valid choice.
    household_form = admin.site._registry[Household].get_form(request)
    buildings: Any = household_form.base_fields["building"]
    assert outside["building"] not in buildings.queryset and grid.b1 in buildings.queryset
    nodes: Any = admin.site._registry[Activity].get_form(request).base_fields["node"]
    assert not nodes.queryset.filter(pk=outside["community"].pk).exists()
    bound = household_form(data={"building": outside["building"].pk, "room": "101", "size": 1})
    assert not bound.is_valid() and "building" in bound.errors
    # The default rule applies to every sub-district: readable, but not this admin's to change or delete.
    default = GridRule.objects.filter(subdistrict__isnull=True).first() or GridRule.objects.create(
        effective_from=datetime.date(2020, 1, 1)
    )
    rules = admin.site._registry[GridRule]
    assert default in rules.get_queryset(request)
    assert not rules.has_change_permission(request, default) and not rules.has_delete_permission(
        request, default
    )
    assert rules.get_form(request)().fields["subdistrict"].required  # no new default either
    # Log-in records (IP address, browser) of another sub-district's staff are theirs, not this admin's.
    from axes.models import AccessLog

    stranger = make_user("stranger", Role.COMMUNITY_SECRETARY, outside["community"])
    for user in (stranger, personas[Role.COMMUNITY_SECRETARY]):
        AccessLog.objects.create(username=user.username, ip_address="10.0.0.9", user_agent="probe")
    logins = admin.site._registry[AccessLog].get_queryset(request)
    names = set(logins.values_list("username", flat=True))
    assert "secretary" in names and "stranger" not in names
    # The operator (a superuser bound to no node) sees and changes everything.
    root = make_user("root2", "", grid.sd)
    root.node, root.is_superuser, root.is_staff = None, True, True
    root.save()
    unrestricted = _admin_request(root)
    assert outside["reward"] in admin.site._registry[Reward].get_queryset(unrestricted)
    assert rules.has_change_permission(unrestricted, default)
    assert admin.site._registry[AccessLog].get_queryset(unrestricted).filter(username="stranger").exists()


# --- personal data: the points pages show a household through the one presenter (room masked) -----------------


@pytest.mark.django_db
def test_points_pages_mask_the_room_for_roles_without_personal_data(grid: Grid, personas: dict) -> None:
    h = grid.h1
    exact, masked = f"{h.building.name} {h.room}", f"{h.building.name} ***"
    pages = {
        Role.AREA_LEAD: f"/points/h/{h.code}/",  # reads the grid, but needs no addresses
        Role.VOLUNTEER: f"/points/counter/?h={h.code}",  # hands out rewards at the counter
    }
    for role, url in pages.items():
        page = client_for(personas[role]).get(url).content.decode()
        assert masked in page and exact not in page, role
    for url in pages.values():  # the residential area's secretary sees the address
        page = client_for(personas[Role.COMMUNITY_SECRETARY]).get(url).content.decode()
        assert exact in page


@pytest.mark.django_db
def test_readers_apply_one_scope_through_in_scope(grid: Grid) -> None:
    # Issue 15: a reader's Scope (sub-district, residential areas, path) is computed once and applied by
    # `.in_scope(scope, via=...)`; points and their rollups hang at residential areas, so a micro-grid reads
    # its residential area's.
    from supervision.models import DropOffPoint

    p1 = point_create(actor=None, community=grid.c1, name="甲点", code="TSD-SC1")
    p2 = point_create(actor=None, community=grid.c2, name="乙点", code="TSD-SC2")

    def codes(scope: Scope) -> set[str]:
        return set(DropOffPoint.objects.in_scope(scope).values_list("code", flat=True))

    assert codes(Scope.of_node(grid.sd)) == codes(Scope.of_node(grid.area)) == {p1.code, p2.code}
    assert codes(Scope.of_node(grid.c1)) == codes(Scope.of_node(grid.m1)) == {p1.code}
    assert Scope.of_node(grid.m3).community_ids == [grid.c2.pk]
    assert [c.code for c in Scope.of_node(grid.sd).communities] == [grid.c1.code, grid.c2.code]
    assert Scope.of_node(grid.c1).sd("point__") == {"point__subdistrict_id": grid.sd.pk}
    assert codes(Scope.of_communities([grid.c2.pk])) == {p2.code}
    # Actors keep their scope (`Scope.of`) for checks; a user bound to no node reads nothing.
    assert codes(Scope(path="")) == set() and codes(Scope.of(None)) == {p1.code, p2.code}
    shifts = Shift.objects.in_scope(Scope.of_node(grid.m1), via="point__")
    assert "subdistrict_id" in str(shifts.query) and not shifts.exclude(point=p1).exists()
