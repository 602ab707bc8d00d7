"""The visits pages (issue 18): a quarter's existing plan is shown, not offered again; visitors are added
with a message naming them; the plan page narrows to a building or a search, a page at a time, its cards
led by the household's building and room."""

from __future__ import annotations

import uuid

import pytest

from grid.models import Household
from grid.services.records import building_create, household_create, person_create
from lib.clock import local_today
from lib.periods import Period
from party.models import OrgKind, PartyMember
from party.services import member_add, org_create, visit_plan_create, visit_plan_members_add
from tests.conftest import Grid, client_for

QUARTER = Period.containing("quarter", local_today())


def _members(grid: Grid, *names: str) -> list[PartyMember]:
    committee = org_create(actor=None, kind=OrgKind.COMMITTEE, name="测试街道党工委", node=grid.sd)
    branch = org_create(actor=None, kind=OrgKind.BRANCH, name="甲第一党支部", node=grid.c1, parent=committee)
    return [
        member_add(
            actor=None, person=person_create(actor=None, node=grid.c1, name=n), org=branch, community=grid.c1
        )
        for n in names
    ]


@pytest.mark.django_db
def test_an_existing_plan_is_shown_and_visitors_are_added_with_a_message(grid: Grid, personas: dict) -> None:
    first, second = _members(grid, "党员甲", "党员乙")
    plan = visit_plan_create(actor=None, microgrid=grid.m1, period=QUARTER, members=[first])
    secretary = client_for(personas["community_secretary"])
    page = secretary.get(f"/party/n/{grid.m1.code}/visits/").content.decode()
    assert 'id="new-plan"' not in page and 'id="all-planned"' in page and plan.code in page
    # The area's form offers only the micro-grid still without a plan.
    area = secretary.get(f"/party/n/{grid.c1.code}/visits/").content.decode()
    form = area[area.index('id="new-plan"') :]
    assert f'value="{grid.m2.code}"' in form and f'value="{grid.m1.code}"' not in form
    # A post for the planned micro-grid (an old form) adds to the plan and says who was added.
    answer = secretary.post(
        f"/party/n/{grid.c1.code}/visits/",
        {"microgrid": grid.m1.code, "members": [str(first.pk), str(second.pk)]},
        follow=True,
    ).content.decode()
    assert "本季度计划已存在，已添加走访人员：党员乙" in answer
    assert set(plan.members.all()) == {first, second}
    again = secretary.post(
        f"/party/plan/{plan.code}/members/", {"members": [str(second.pk)]}, follow=True
    ).content.decode()
    assert "没有新增" in again


@pytest.mark.django_db
def test_members_add_returns_only_the_new_ones_audited(grid: Grid) -> None:
    from audit.models import AuditEntry

    first, second = _members(grid, "党员甲", "党员乙")
    plan = visit_plan_create(actor=None, microgrid=grid.m1, period=QUARTER, members=[first])
    assert visit_plan_members_add(actor=None, plan=plan, members=[first, second]) == [second]
    assert visit_plan_members_add(actor=None, plan=plan, members=[second]) == []
    # The first visitor when the plan was made, the second once: nobody twice.
    assert AuditEntry.objects.filter(reason=f"visitor added to the plan {plan.code}").count() == 2


@pytest.mark.django_db
def test_the_plan_page_filters_by_building_searches_and_pages(grid: Grid, personas: dict) -> None:
    big = building_create(
        actor=None, community=grid.c1, name="11号楼", address="测试路1弄11号", microgrid=grid.m1
    )
    for n in range(40):
        household_create(actor=None, building=big, room=f"{n // 4 + 1}{n % 4 + 1:02d}", size=1)
    plan = visit_plan_create(actor=None, microgrid=grid.m1, period=QUARTER)
    secretary = client_for(personas["community_secretary"])
    url = f"/party/plan/{plan.code}/"
    page = secretary.get(url).content.decode()
    total = Household.objects.filter(building__microgrid=grid.m1).count()
    assert page.count('class="card visit-row"') == 30 and 'id="next-page"' in page
    assert f"列出 {total} 户" in page
    # Cards lead with the building and room, not the raw code.
    assert '<b class="household-name">1号楼 101</b>' in page
    only = secretary.get(url, {"building": big.code, "show": "all"}).content.decode()
    assert only.count('class="card visit-row"') == 30 and "列出 40 户" in only
    assert '<b class="household-name">1号楼' not in only
    found = secretary.get(url, {"q": "1003", "show": "all"}).content.decode()
    assert found.count('class="card visit-row"') == 1 and "11号楼 1003" in found
    # The filter links keep the building.
    assert f"building={big.code}" in only[only.index('id="plan-filter"') :]


@pytest.mark.django_db
def test_a_plans_title_writes_the_quarter_as_people_do_in_the_readers_language(
    grid: Grid, personas: dict
) -> None:
    """ "交通第1微网格 2026-Q4 入户走访": the quarter's key in a generated title. New titles carry the quarter's
    label; stored ones (older plans) are shown with it, in the reader's language."""
    from django.utils import translation

    from party.models import VisitPlan

    with translation.override("zh-hans"):
        plan = visit_plan_create(actor=None, microgrid=grid.m1, period=QUARTER)
    q = (QUARTER.start.month - 1) // 3 + 1
    zh_label = f"{QUARTER.start.year}年第{q}季度"
    assert plan.title == f"{grid.m1.name} {zh_label} 入户走访" and QUARTER.key not in plan.title
    VisitPlan.objects.filter(pk=plan.pk).update(
        title=f"{grid.m1.name} {QUARTER.key} 入户走访"
    )  # an older one
    client = client_for(personas["community_secretary"])
    zh = client.get(f"/party/n/{grid.m1.code}/visits/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f"{grid.m1.name} {zh_label} 入户走访</a>" in zh and QUARTER.key + " 入户走访" not in zh
    en = client.get(f"/party/plan/{plan.code}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"<h1>{grid.m1.name} door-to-door visits, {QUARTER.start.year} Q{q}</h1>" in en
    VisitPlan.objects.filter(pk=plan.pk).update(title=f"秋季走访 {QUARTER.key}")  # typed by hand: kept
    plan.refresh_from_db()
    with translation.override("zh-hans"):
        assert plan.display_title == f"秋季走访 {zh_label}"


@pytest.mark.django_db
def test_the_pledge_texts_version_is_written_in_the_readers_language(grid: Grid) -> None:
    from django.utils import translation

    from party.services import pledge_version_label

    with translation.override("en"):
        assert pledge_version_label("2019版") == "2019 version"
    with translation.override("zh-hans"):
        assert pledge_version_label("2019版") == "2019版"
    assert pledge_version_label("修订稿") == "修订稿"


@pytest.mark.django_db
def test_the_plan_search_reads_households_as_the_household_list_does(grid: Grid, personas: dict) -> None:
    """The plan page searches through `HouseholdQuerySet.search` (grid.household_query), not a parser of its
    own: building + room as the app writes them, and only what the reader is shown."""
    b3 = building_create(
        actor=None, community=grid.c1, name="3号楼", address="测试路1弄3号", microgrid=grid.m1
    )
    b11 = building_create(
        actor=None, community=grid.c1, name="11号楼", address="测试路1弄11号", microgrid=grid.m1
    )
    b13 = building_create(
        actor=None, community=grid.c1, name="13号楼", address="测试路1弄13号", microgrid=grid.m1
    )
    h3 = household_create(actor=None, building=b3, room="102", contact_name="王五", size=1)
    household_create(actor=None, building=b13, room="102", size=1)  # "3号楼" is not "13号楼"
    h11 = household_create(actor=None, building=b11, room="1-301", size=1)
    plan = visit_plan_create(actor=None, microgrid=grid.m1, period=QUARTER)
    url = f"/party/plan/{plan.code}/"

    def cards(client: object, q: str) -> list[str]:
        page = client.get(url, {"q": q, "show": "all"}).content.decode()  # type: ignore[attr-defined]
        return [c.split("</b>")[0] for c in page.split('<b class="household-name">')[1:]]

    secretary = client_for(personas["community_secretary"])
    for q in ("3号楼 102", "3号楼102", "３号楼１０２", "3-102"):
        assert cards(secretary, q) == ["3号楼 102"], q
    assert cards(secretary, "11号楼 1-301") == ["11号楼 1-301"]
    assert cards(secretary, "王五") == ["3号楼 102"]  # a reader of personal data finds the contact too
    # A visitor of the plan is shown rooms, not names: the room is found, the name is not.
    (visitor,) = _members(grid, "党员丙")
    member_user = personas["party_member"]
    member_user.person = visitor.person
    member_user.save()
    assert not member_user.sees_personal_data
    member = client_for(member_user)
    assert cards(member, "3号楼 102") == ["3号楼 102"]
    assert cards(member, "11号楼 1-301") == ["11号楼 1-301"]
    assert cards(member, "王五") == []
    # A reader shown masked rooms finds buildings and codes by their start, never a room by its number.
    lead = client_for(personas["area_lead"])
    assert cards(lead, "3号楼 102") == [] and cards(lead, "102") == []
    assert len(cards(lead, "11号楼")) == 1 and len(cards(lead, h11.code)) == 1
    assert h3.code in lead.get(url, {"q": h3.code, "show": "all"}).content.decode()


@pytest.mark.django_db
def test_a_search_that_finds_nothing_in_this_list_says_which_list_has_it(grid: Grid, personas: dict) -> None:
    """The grid worker's default list ("my households to visit") found nothing for "1号楼 101" once it was
    visited: a dead end. The page now names the list that has it, with a link keeping the search; and the
    count reads "列出 0 户"."""
    from party.services import visit_record

    plan = visit_plan_create(actor=None, microgrid=grid.m1, period=QUARTER)
    visit_record(
        actor=None,
        household=grid.h1,
        day=local_today(),
        outcome="talked",
        issue="",
        follow_up="",
        visitors=[],
        plan=plan,
        client_id=uuid.uuid4(),
    )
    worker = client_for(personas["grid_worker"])
    url = f"/party/plan/{plan.code}/"
    zh = worker.get(url, {"q": "1号楼 101"}, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'aria-current="page" class="current">我的待走访住户' in zh
    assert "列出 0 户" in zh and 'class="card visit-row"' not in zh
    link = zh[zh.index('class="found-elsewhere"') :].split("</a>")[0]
    assert "show=all" in link and "q=1%E5%8F%B7%E6%A5%BC+101" in link and "在「全部户」中找到 1 户" in link
    assert "本季未走访" not in link and zh.count('class="found-elsewhere"') == 1
    en = worker.get(url, {"q": "1号楼 101"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Found 1 household in “All households”" in en
    # Found in no list: no link.
    none = worker.get(url, {"q": "9号楼 101"}).content.decode()
    assert "该列表中没有符合条件的住户" in none and 'class="found-elsewhere"' not in none
    # Found in this list: no link either.
    here = worker.get(url, {"q": "1号楼 102"}).content.decode()
    assert here.count('class="card visit-row"') == 1 and 'class="found-elsewhere"' not in here


@pytest.mark.django_db
def test_the_follow_up_of_a_visit_shows_on_the_households_card(grid: Grid, personas: dict) -> None:
    plan = visit_plan_create(actor=None, microgrid=grid.m1, period=QUARTER)
    worker = client_for(personas["grid_worker"])
    answer = worker.post(
        f"/party/plan/{plan.code}/visit/",
        {
            "household": grid.h1.code,
            "client_id": str(uuid.uuid4()),
            "day": local_today().isoformat(),
            "outcome": "talked",
            "issue": "湿垃圾混投",
            "follow_up": "下周再访看破袋",
            "show": "all",
        },
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    ).content.decode()
    assert "湿垃圾混投" in answer and "后续跟进: 下周再访看破袋" in answer
    page = worker.get(f"/party/plan/{plan.code}/", {"show": "all", "q": grid.h1.code}).content.decode()
    card = page[page.index(f'id="hh-{grid.h1.code}"') :]
    assert "后续跟进: 下周再访看破袋" in card.split("</li>")[0]
