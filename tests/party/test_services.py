"""Party building: organisations and members, the four leads computed from real records, door-to-door
visits (idempotent), their coverage per micro-grid, and the pages."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditEntry
from grid.models import Household, Person
from grid.services.records import person_create
from lib.clock import SHANGHAI, local_today
from lib.periods import Period
from party.models import MemberKind, OrgKind, PartyMember, PartyOrg, Visit, VisitOutcome
from party.selectors import four_leads, plan_households, visit_coverage
from party.services import member_add, org_create, pledge_sign, visit_plan_create, visit_record
from supervision.ingest import Row, write_rows
from supervision.services import point_create, shift_signup, shifts_generate
from tests.conftest import Grid, client_for

TODAY = local_today()
QUARTER = Period.containing("quarter", TODAY)


@pytest.fixture
def orgs(grid: Grid) -> dict[str, PartyOrg]:
    committee = org_create(actor=None, kind=OrgKind.COMMITTEE, name="测试街道党工委", node=grid.sd)
    general = org_create(
        actor=None, kind=OrgKind.GENERAL_BRANCH, name="甲居民区党总支", node=grid.c1, parent=committee
    )
    branch = org_create(actor=None, kind=OrgKind.BRANCH, name="甲第一党支部", node=grid.c1, parent=general)
    other = org_create(actor=None, kind=OrgKind.BRANCH, name="乙党支部", node=grid.c2, parent=committee)
    return {"committee": committee, "general": general, "branch": branch, "other": other}


def _resident(grid: Grid, household: Household, name: str) -> Person:
    return person_create(actor=None, node=grid.c1, name=name, household=household)


def test_organisation_tree_is_checked(grid: Grid, orgs: dict) -> None:
    with pytest.raises(ValidationError):
        org_create(actor=None, kind=OrgKind.BRANCH, name="无上级", node=grid.c1)
    with pytest.raises(ValidationError):
        org_create(actor=None, kind=OrgKind.GENERAL_BRANCH, name="倒挂", node=grid.c1, parent=orgs["branch"])
    assert orgs["branch"].code.startswith(f"{grid.sd.code}-PO") and orgs["branch"].subdistrict == grid.sd
    assert AuditEntry.objects.filter(model="party.PartyOrg").count() == 4


def test_members_serve_home_or_where_they_reported(grid: Grid, orgs: dict) -> None:
    resident = _resident(grid, grid.h1, "党员甲")
    member = member_add(actor=None, person=resident, org=orgs["branch"])
    assert member.community == grid.c1 and member.kind == MemberKind.RESIDENT
    with pytest.raises(ValidationError):
        member_add(actor=None, person=resident, org=orgs["branch"])
    commuter = person_create(actor=None, node=grid.c2, name="在职党员乙")
    with pytest.raises(ValidationError):  # no household and no residential area named
        member_add(actor=None, person=commuter, org=orgs["branch"], kind=MemberKind.IN_SERVICE)
    serving = member_add(
        actor=None,
        person=commuter,
        org=orgs["branch"],
        kind=MemberKind.IN_SERVICE,
        community=grid.c1,
        workplace="中铁十五局",
    )
    assert serving.reported_on == TODAY and serving.community == grid.c1


def _drops(grid: Grid, household: Household, correct: int, total: int, day: datetime.date) -> None:
    point = point_create(actor=None, community=grid.c1, name=f"点{uuid.uuid4().hex[:4]}")
    at = datetime.datetime.combine(day, datetime.time(7, 30), tzinfo=SHANGHAI)
    write_rows(
        [
            Row(
                uuid.uuid4(),
                grid.sd.pk,
                grid.c1.pk,
                point.pk,
                household.pk,
                at,
                day,
                "wet",
                "correct" if i < correct else "mixed",
                "",
            )
            for i in range(total)
        ],
        recorded_by=None,
    )


@pytest.mark.django_db
def test_four_leads_from_the_records(grid: Grid, orgs: dict) -> None:
    households = list(Household.objects.filter(building=grid.b1).order_by("room")[:5])
    people = [_resident(grid, h, f"党员{i}") for i, h in enumerate(households)]
    members = [member_add(actor=None, person=p, org=orgs["branch"]) for p in people]
    day = QUARTER.start
    # Sorting at home: 10/10, 9/10 (exactly the 90% line), 8/10, 9/9 (too few to judge), nothing.
    for household, (correct, total) in zip(households, [(10, 10), (9, 10), (8, 10), (9, 9)], strict=False):
        _drops(grid, household, correct, total, day)
    pledge_sign(actor=None, member=members[0], text_version="2019版", signed_on=datetime.date(2019, 6, 1))
    pledge_sign(
        actor=None, member=members[0], text_version="2019版", signed_on=datetime.date(2020, 1, 1)
    )  # once
    point = point_create(
        actor=None,
        community=grid.c1,
        name="值守点",
        windows=[(day.weekday(), datetime.time(7), datetime.time(9))],
    )
    shifts_generate(points=[point], start=day, days=1)
    signup = shift_signup(actor=None, shift=point.shifts.get(), person=people[0])
    signup.minutes = 120
    signup.save()
    visit_record(
        actor=None,
        household=grid.h_other,
        day=day,
        outcome=VisitOutcome.TALKED,
        visitors=[members[0], members[1]],
        client_id=uuid.uuid4(),
    )
    leads = {m.member.pk: m for m in four_leads(PartyMember.objects.all(), QUARTER, TODAY)}
    first = leads[members[0].pk]
    assert (
        first.pledged_on == datetime.date(2019, 6, 1)
        and first.sorts is True
        and first.duty
        and first.visiting
    )
    assert first.count == 4 and str(first.hours) == "2"
    assert leads[members[1].pk].sorts is True and leads[members[1].pk].count == 2  # 90% counts; visited too
    assert leads[members[2].pk].sorts is False
    assert leads[members[3].pk].sorts is None  # nine drop-offs are too few to judge
    assert leads[members[4].pk].sorts is None and leads[members[4].pk].count == 0
    # The previous quarter saw none of it.
    earlier = {m.member.pk: m for m in four_leads(PartyMember.objects.all(), QUARTER.previous(), TODAY)}
    assert earlier[members[0].pk].count == 1  # the pledge, signed long before, still stands


@pytest.mark.django_db
def test_visits_are_idempotent_checked_and_covered(grid: Grid, orgs: dict) -> None:
    plan = visit_plan_create(actor=None, microgrid=grid.m1, period=QUARTER)
    assert visit_plan_create(actor=None, microgrid=grid.m1, period=QUARTER).pk == plan.pk
    with pytest.raises(ValidationError):
        visit_plan_create(actor=None, microgrid=grid.c1, period=QUARTER)
    with pytest.raises(ValidationError):
        visit_plan_create(actor=None, microgrid=grid.m1, period=Period.containing("month", TODAY))
    in_m1 = list(Household.objects.filter(building__microgrid=grid.m1).order_by("code")[:3])
    form = uuid.uuid4()
    first, created = visit_record(
        actor=None, household=in_m1[0], day=TODAY, outcome="talked", plan=plan, client_id=form
    )
    again, created_again = visit_record(
        actor=None, household=in_m1[0], day=TODAY, outcome="refused", plan=plan, client_id=form
    )
    assert created and not created_again and again.pk == first.pk and Visit.objects.count() == 1
    visit_record(
        actor=None, household=in_m1[0], day=TODAY, outcome="talked", plan=plan, client_id=uuid.uuid4()
    )
    for h in in_m1[1:]:
        visit_record(
            actor=None, household=h, day=TODAY, outcome="not_home", plan=plan, client_id=uuid.uuid4()
        )
    with pytest.raises(ValidationError):
        visit_record(
            actor=None, household=grid.h_other, day=TODAY, outcome="talked", plan=plan, client_id=uuid.uuid4()
        )
    with pytest.raises(ValidationError):
        visit_record(
            actor=None,
            household=in_m1[0],
            day=TODAY + datetime.timedelta(days=1),
            outcome="talked",
            client_id=uuid.uuid4(),
        )
    with pytest.raises(ValidationError):
        visit_record(actor=None, household=in_m1[0], day=TODAY, outcome="chatted", client_id=uuid.uuid4())
    coverage = {c.microgrid.code: c for c in visit_coverage(grid.c1, QUARTER, TODAY)}
    m1_size = Household.objects.filter(building__microgrid=grid.m1).count()
    assert coverage[grid.m1.code].households == m1_size and coverage[grid.m1.code].visited == 3
    assert coverage[grid.m1.code].share == 3 / m1_size and coverage[grid.m1.code].plan == plan
    assert coverage[grid.m2.code].visited == 0


@pytest.mark.django_db
def test_plan_puts_households_with_mistakes_first(grid: Grid) -> None:
    plan = visit_plan_create(actor=None, microgrid=grid.m1, period=QUARTER)
    last = Household.objects.filter(building__microgrid=grid.m1).order_by("-code").first()
    assert last is not None
    _drops(grid, last, 0, 4, TODAY - datetime.timedelta(days=1))
    rows = plan_households(plan, TODAY)
    assert rows[0].household == last and rows[0].mistakes == 4 and rows[1].mistakes == 0


@pytest.mark.django_db
def test_pages_record_a_visit_and_show_leads(grid: Grid, orgs: dict, personas: dict) -> None:
    secretary = client_for(personas["community_secretary"])
    member = member_add(actor=None, person=_resident(grid, grid.h1, "党员甲"), org=orgs["branch"])
    page = secretary.get(f"/party/o/{orgs['general'].code}/").content.decode()
    assert f'data-member="{member.pk}"' in page and "0/4" in page
    assert secretary.get(f"/party/o/{orgs['other'].code}/").status_code == 404  # another residential area's
    response = secretary.post(
        f"/party/n/{grid.c1.code}/visits/", {"microgrid": grid.m1.code, "members": [str(member.pk)]}
    )
    plan = grid.m1.visit_plans.get()
    assert response["Location"] == f"/party/plan/{plan.code}/" and list(plan.members.all()) == [member]
    household = Household.objects.filter(building__microgrid=grid.m1).order_by("code").first()
    assert household is not None
    post = {
        "household": household.code,
        "client_id": str(uuid.uuid4()),
        "day": TODAY.isoformat(),
        "outcome": "talked",
        "issue": "不会破袋",
    }
    row = secretary.post(f"/party/plan/{plan.code}/visit/", post, HTTP_HX_REQUEST="true")
    assert row.status_code == 200 and 'data-visited="1"' in row.content.decode()
    assert secretary.post(f"/party/plan/{plan.code}/visit/", post, HTTP_HX_REQUEST="true").status_code == 200
    visit = Visit.objects.get()
    assert visit.issue == "不会破袋" and list(visit.visitors.all()) == [member]
    bad = secretary.post(
        f"/party/plan/{plan.code}/visit/", {**post, "client_id": "x"}, HTTP_HX_REQUEST="true"
    )
    assert bad.status_code == 400 and Visit.objects.count() == 1
    # A household of the other micro-grid is refused with a message, not an error page.
    elsewhere = Household.objects.filter(building__microgrid=grid.m2).first()
    assert elsewhere is not None
    wrong = secretary.post(
        f"/party/plan/{plan.code}/visit/",
        {**post, "household": elsewhere.code, "client_id": str(uuid.uuid4())},
    )
    assert wrong.status_code == 400 and Visit.objects.count() == 1
    # The member now leads in one thing (the visit) and the area's coverage shows it.
    assert "1/4" in secretary.get(f"/party/o/{orgs['branch'].code}/").content.decode()
    coverage = secretary.get(f"/party/n/{grid.c1.code}/visits/").content.decode()
    assert f'data-code="{grid.m1.code}"' in coverage
    # Another residential area's secretary cannot see the plan or record into it.
    outsider = client_for(personas["outsider"])
    assert outsider.get(f"/party/plan/{plan.code}/").status_code == 404
    assert (
        outsider.post(f"/party/plan/{plan.code}/visit/", {**post, "client_id": str(uuid.uuid4())}).status_code
        == 404
    )


@pytest.mark.django_db
def test_four_leads_export(grid: Grid, orgs: dict, personas: dict) -> None:
    import io

    from openpyxl import load_workbook

    member_add(actor=None, person=_resident(grid, grid.h1, "党员甲"), org=orgs["branch"])
    admin = client_for(personas["subdistrict_admin"])
    response = admin.get(f"/party/o/{orgs['committee'].code}/?export=xlsx")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert len(rows) == 2 and rows[1][0] == "党员甲" and rows[1][-1] == 0


@pytest.mark.django_db
def test_visits_and_four_leads_as_assessment_indicators(grid: Grid, orgs: dict, personas: dict) -> None:
    """Party work feeds the assessment: the share of households visited and of leads shown, with evidence
    rows (per micro-grid, per branch) adding up to the score."""
    import re
    from decimal import Decimal

    from assessment.models import Indicator, Scheme
    from assessment.scoring import assess

    scheme = Scheme.objects.create(subdistrict=grid.sd, effective_from=datetime.date(2019, 1, 1), name="党建")
    Indicator.objects.create(
        scheme=scheme, code="visits", name="走访", source="visits", weight=50, target="0.5"
    )
    Indicator.objects.create(scheme=scheme, code="leads", name="带头", source="four_leads", weight=50)
    member = member_add(actor=None, person=_resident(grid, grid.h1, "党员甲"), org=orgs["branch"])
    pledge_sign(actor=None, member=member, text_version="2019版", signed_on=datetime.date(2019, 6, 1))
    c1 = list(Household.objects.filter(community=grid.c1).order_by("code"))
    # Assessment counts whole days up to yesterday: the visits are yesterday's, in yesterday's quarter.
    day = TODAY - datetime.timedelta(days=1)
    quarter = Period.containing("quarter", day)
    for h in c1[:9]:  # 9 of c1's 36 households, in both micro-grids
        visit_record(
            actor=None, household=h, day=day, outcome="talked", visitors=[member], client_id=uuid.uuid4()
        )
    visit_record(actor=None, household=c1[0], day=day, outcome="talked", client_id=uuid.uuid4())  # again
    area = assess(grid.sd, quarter).area(grid.c1.code)
    assert area is not None
    by_code = {s.indicator.code: s for s in area.scores}
    visits, leads = by_code["visits"], by_code["leads"]
    assert (visits.tally.num, visits.tally.den) == (9, len(c1))
    assert visits.score == Decimal("25.00")  # 25% visited: half the 50% target
    assert (leads.tally.num, leads.tally.den) == (2, 4) and leads.score == Decimal("25.00")  # pledge + visits
    page = (
        client_for(personas["community_secretary"])
        .get(f"/assessment/n/{grid.c1.code}/i/visits/?period={quarter.key}")
        .content.decode()
    )
    assert sum(Decimal(v) for v in re.findall(r'data-num="([^"]+)"', page)) == 9
    assert page.count("data-num=") == 2  # one row per micro-grid


@pytest.mark.django_db
def test_visitors_named_when_a_plan_is_made_or_asked_for_again_are_audited(grid: Grid) -> None:
    from tests.personas import party_member

    first = party_member(grid, "叶辉丽", household=grid.h1)
    second = party_member(grid, "何二", household=grid.h1, committee="党工委二", branch="支部二")
    plan = visit_plan_create(actor=None, microgrid=grid.m1, period=QUARTER, members=[first])
    visit_plan_create(actor=None, microgrid=grid.m1, period=QUARTER, members=[first, second])
    links = AuditEntry.objects.filter(model="party.VisitPlan_members").order_by("id")
    assert [e.changes["partymember_id"] for e in links] == [first.pk, second.pk]
    assert {e.subdistrict_id for e in links} == {plan.subdistrict_id}
