"""Writes and reads stay in the actor's scope (issue 13): every service that acts on a node checks it through
`grid.access.Scope`, pickers and searches list only in-scope rows, and a shift is handed over only with the
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
from grid.access import Scope
from grid.models import GridNode, Household, Person
from grid.services.records import person_create
from supervision.ingest import SHANGHAI, Row, write_rows
from supervision.models import OfferStatus, Shift, ShiftOffer, ShiftSignup, SignupStatus
from supervision.services import point_create, shift_offer, shift_offer_answer, shift_signup, shifts_generate
from tests.conftest import Grid, client_for, make_user


def _catch(grid: Grid, community: GridNode, household: Household, times: int) -> None:
    """`times` mixed drop-offs by the household in the last days (the repeat rule wants more than 3)."""
    point = point_create(actor=None, community=community, name=f"点{uuid.uuid4().hex[:4]}")
    today = timezone.localdate()
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
    response = client_for(personas[Role.COMMUNITY_SECRETARY]).post("/cases/propose/")
    assert response.status_code == 302
    assert list(Case.objects.values_list("household_id", flat=True)) == [grid.h1.pk]
    # The other area's secretary then proposes theirs, and only theirs.
    client_for(personas["outsider"]).post("/cases/propose/")
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
            repeat_cases_propose(actor=actor, subdistrict=grid.sd, node=node, today=timezone.localdate())
    assert Case.objects.count() == 0 and AuditEntry.objects.count() == before
    # The system (no actor) and the sub-district admin still propose for the whole sub-district.
    cases = repeat_cases_propose(
        actor=personas[Role.SUBDISTRICT_ADMIN], subdistrict=grid.sd, today=timezone.localdate()
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

    today = timezone.localdate()
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
            except Exception:  # noqa: BLE001, S110 - only the scope check is under test here
                pass
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
    meeting = meeting_create(actor=None, subdistrict=grid.sd, title="联席会议", day=timezone.localdate())
    sheet = client_for(secretary).get(f"/units/meetings/{meeting.pk}/").content.decode()
    assert "甲小学" in sheet and "乙医院" not in sheet


@pytest.mark.django_db
def test_people_pickers_list_only_in_scope_people(grid: Grid, personas: dict) -> None:
    from activities.services import activity_create

    person_create(actor=None, node=grid.m1, name="选人测试甲")
    outside = person_create(actor=None, node=grid.c2, name="选人测试乙")
    start = timezone.now() + datetime.timedelta(days=1)
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
    point = point_create(
        actor=None,
        community=grid.c1,
        name="甲1号点",
        windows=[(d, datetime.time(7), datetime.time(9)) for d in range(7)],
    )
    tomorrow = timezone.now().astimezone(SHANGHAI).date() + datetime.timedelta(days=1)
    shifts_generate(points=[point], start=tomorrow, days=1)
    volunteer, neighbour = personas[Role.VOLUNTEER], personas[Role.PARTY_MEMBER]
    volunteer.person = person_create(actor=None, node=grid.c1, name="志愿者甲", phone="13500000001")
    volunteer.save()
    neighbour.person = person_create(actor=None, node=grid.m1, name="欧阳明月", phone="13500000002")
    neighbour.save()
    signup = shift_signup(actor=volunteer, shift=Shift.objects.get(), person=volunteer.person)
    return {"signup": signup, "volunteer": volunteer, "neighbour": neighbour}


@pytest.mark.django_db
def test_hand_over_waits_for_consent_and_masks_the_name(roster: dict) -> None:
    signup, volunteer, neighbour = roster["signup"], roster["volunteer"], roster["neighbour"]
    owner = client_for(volunteer)
    response = owner.post(f"/supervision/signups/{signup.pk}/swap/", {"phone": "13500000002"}, follow=True)
    page = response.content.decode()
    assert "欧阳明月" not in page and "欧***" in page  # masked in the message and on the shift
    assert ShiftSignup.objects.get(pk=signup.pk).status == SignupStatus.SIGNED_UP  # still the owner's
    offer = ShiftOffer.objects.get(signup=signup, status=OfferStatus.PENDING)
    # The neighbour finds it on their duty page and accepts.
    other = client_for(neighbour)
    assert f"/supervision/offers/{offer.pk}/" in other.get("/supervision/").content.decode()
    assert "志愿者甲" not in other.get(f"/supervision/offers/{offer.pk}/").content.decode()  # masked too
    assert other.post(f"/supervision/offers/{offer.pk}/", {"action": "accept"}).status_code == 302
    assert ShiftSignup.objects.get(pk=signup.pk).status == SignupStatus.SWAPPED
    moved = ShiftSignup.objects.get(shift=signup.shift, person=neighbour.person)
    assert moved.status == SignupStatus.ASSIGNED
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
    assert client_for(personas["outsider"]).get(f"/supervision/offers/{offer.pk}/").status_code == 404
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
