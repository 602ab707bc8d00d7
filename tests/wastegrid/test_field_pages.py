"""Issue 14, second newcomer walk (390 × 844) as a grid worker, a party member and a resident: the visit
plan's counts and rooms, the household's own page, the four leads' wording, activities ahead, the worker's
search and quarter, and the lookup in English."""

from __future__ import annotations

import datetime
import re
import uuid

import pytest
from django.utils import timezone

from accounts.models import Role
from activities.services import activity_check_in, activity_create, activity_register
from enforcement.models import CaseSource, Subject
from enforcement.services import case_open, case_step
from grid.models import Household
from lib.clock import local_today
from lib.periods import Period
from party.selectors import plan_tally
from party.services import visit_plan_create, visit_record
from tests.conftest import Grid, client_for, drop_offs, make_user
from tests.personas import all_day_point, party_member

pytestmark = pytest.mark.django_db

TODAY = local_today()
QUARTER = Period.containing("quarter", TODAY)


def _mine(grid: Grid) -> list[Household]:
    return list(Household.objects.filter(grid_worker=grid.w1).order_by("code"))


def test_a_recorded_visit_updates_the_filter_counts_and_leaves_the_list(
    grid: Grid, personas: dict, django_assert_num_queries: object
) -> None:
    """“18 / 170 户已走访” moved but “本季未走访 (153)” did not, and the visited household stayed in the list."""
    plan = visit_plan_create(actor=None, microgrid=grid.m1, period=QUARTER)
    mine = _mine(grid)
    visit_record(actor=None, household=mine[0], day=TODAY, outcome="talked", client_id=uuid.uuid4())
    total = Household.objects.filter(building__microgrid=grid.m1).count()
    with django_assert_num_queries(1):  # type: ignore[operator]
        tally = plan_tally(plan, grid.w1.pk)
    assert (tally.total, tally.visited, tally.todo, tally.mine_todo) == (total, 1, total - 1, len(mine) - 1)
    client = client_for(personas[Role.GRID_WORKER])
    page = client.get(f"/party/plan/{plan.code}/?show=todo").content.decode()
    assert f"本季未走访 ({total - 1})" in page and f'<b id="visited">1</b> / {total}' in page
    post = {"household": mine[1].code, "client_id": str(uuid.uuid4()), "outcome": "talked", "show": "todo"}
    answer = client.post(f"/party/plan/{plan.code}/visit/", post, HTTP_HX_REQUEST="true").content.decode()
    # Out of band: the counter and the filter counts, from the same tally.
    assert '<b id="visited" hx-swap-oob="true">2</b>' in answer
    nav = answer.split('id="plan-filter"')[1].split("</nav>")[0]
    assert 'hx-swap-oob="true"' in nav
    assert f"本季未走访 ({total - 2})" in nav and f"我的待走访住户 ({len(mine) - 2})" in nav
    # The row leaves the "not visited yet" list: one line says it was saved, no form any more.
    row = answer.split("<b id=")[0]
    assert f'id="hh-{mine[1].code}"' in row and "走访已保存" in row and "<form" not in row
    page = client.get(f"/party/plan/{plan.code}/?show=todo").content.decode()
    assert f'id="hh-{mine[1].code}"' not in page and f"本季未走访 ({total - 2})" in page
    # On "all households" the row stays, with its visit.
    post = {**post, "household": mine[2].code, "client_id": str(uuid.uuid4()), "show": "all"}
    answer = client.post(f"/party/plan/{plan.code}/visit/", post, HTTP_HX_REQUEST="true").content.decode()
    assert "<form" in answer.split("<b id=")[0] and "走访已保存" not in answer


def test_the_plans_visitors_see_the_room_but_not_names(grid: Grid, personas: dict) -> None:
    household = Household.objects.filter(building__microgrid=grid.m1).order_by("code").first()
    assert household is not None
    plan = visit_plan_create(actor=None, microgrid=grid.m1, period=QUARTER)
    member = party_member(grid, "党员甲", household=grid.h1, branch="一支部")
    visitor = make_user("pm_visitor", Role.PARTY_MEMBER, grid.c1, member.person)
    plan.members.add(member)
    room = f"{household.building.name} {household.room}</b>"  # the card's heading
    page = client_for(visitor).get(f"/party/plan/{plan.code}/?show=all").content.decode()
    assert room in page
    assert household.contact_name not in page and household.contact_phone not in page
    # A party-member login that is no member of this area's party (no person): still masked.
    masked = (
        client_for(personas[Role.PARTY_MEMBER]).get(f"/party/plan/{plan.code}/?show=all").content.decode()
    )
    assert room not in masked and f"{household.building.name} *" in masked


def test_the_households_page_counts_corrected_apart_and_shows_its_case_and_activities(
    grid: Grid, personas: dict
) -> None:
    point = all_day_point(grid)
    for back in range(1, 10):  # nine days of drop-offs: seven lines, two behind "more"
        drop_offs(point, grid.h1, TODAY - datetime.timedelta(days=back), ["correct"])
    drop_offs(point, grid.h1, TODAY - datetime.timedelta(days=1), ["corrected", "mixed"], hour=9)
    case = case_open(
        actor=None,
        community=grid.c1,
        subject=Subject.INDIVIDUAL,
        source=CaseSource.REPEAT_RULE,
        violation_day=TODAY - datetime.timedelta(days=1),
        article_code="57(2)",
        household=grid.h1,
    )
    case_step(actor=None, case=case, status="persuasion", note="t")
    case_step(actor=None, case=case, status="notice", note="t", deadline=TODAY + datetime.timedelta(days=7))
    starts = timezone.now() - datetime.timedelta(minutes=30)
    activity = activity_create(
        actor=None,
        node=grid.c1,
        kind="lecture",
        title="厨余垃圾分类讲座",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        publish=True,
    )
    resident = personas[Role.RESIDENT]
    activity_register(actor=None, activity=activity, person=resident.person)
    activity_check_in(actor=None, activity=activity, person=resident.person)
    client = client_for(resident)
    page = client.get("/h/").content.decode()
    # 11 drop-offs: 9 correct + 1 corrected + 1 wrong, the corrected one on its own.
    assert 'id="drops-total">11<' in page
    split = page.split('id="drops-split"')[1].split("</p>")[0]
    assert "正确 9 次" in split and "当场纠正 1 次" in split and "错误 1 次" in split
    case_box = page.split('id="my-case"')[1].split("</section>")[0]
    assert case.code in case_box and "已发整改通知" in case_box
    assert (TODAY + datetime.timedelta(days=7)).isoformat() in case_box and "请在上述期限前整改" in case_box
    assert "厨余垃圾分类讲座" in page.split('id="attended"')[1].split("</ul>")[0]
    # One line per day, newest first; the two oldest behind "more".
    first = page.split('id="drop-days"')[1].split("</ul>")[0]
    days = re.findall(r"<b>(\d\d-\d\d)</b>", first)
    assert len(days) == 7 and days[0] == (TODAY - datetime.timedelta(days=1)).strftime("%m-%d")
    assert days == sorted(days, reverse=True) or days[0] < days[-1]  # newest first (a new year wraps)
    assert "更多（另 2 天）" in page and "<table" not in page.split('id="drops"')[1].split("</section>")[0]
    en = client.get("/h/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "9 correct" in en and "1 corrected on the spot" in en and "1 wrong" in en
    assert "Put it right by the date above" in en


def test_the_four_leads_say_not_met_and_use_one_wording_on_both_pages(grid: Grid, personas: dict) -> None:
    """83% over 6 drop-offs showed "—" for "sorts at home"; the branch table said 0.9 and 60 minutes."""
    member = party_member(grid, "党员甲", household=grid.h1, branch="一支部")
    point = all_day_point(grid)
    start = max(QUARTER.start, TODAY - datetime.timedelta(days=5))
    drop_offs(point, grid.h1, start, ["correct"] * 5 + ["mixed"])
    user = make_user("pm_leads", Role.PARTY_MEMBER, grid.c1, member.person)
    mine = client_for(user).get("/party/me/").content.decode()
    sorts = mine.split('id="lead-sorts"')[1].split("</section>")[0]
    assert "✗" in sorts and "—" not in sorts.split("</h2>")[0]
    table = (
        client_for(personas[Role.COMMUNITY_SECRETARY]).get(f"/party/o/{member.org.code}/").content.decode()
    )
    row = table.split(f'data-member="{member.pk}"')[1].split("</tr>")[0]
    assert '<span class="warn"' in row and "83.3% / 6" in row and ">—<" not in row
    for rule in ("本期投放满 10 次且正确率不低于 90% 即算带头。", "本期桶边值守满 1.0 小时即算带头。"):
        assert rule in mine and rule in table
    assert "0.9" not in table and "60 分钟" not in table


def test_activities_ahead_whatever_the_month_and_export_for_staff_only(grid: Grid, personas: dict) -> None:
    starts = timezone.now() + datetime.timedelta(days=2)
    activity_create(
        actor=None,
        node=grid.c1,
        kind="theme_day",
        title="主题党日",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        place="居委会活动室",
        publish=True,
    )
    far = timezone.now() + datetime.timedelta(days=40)
    activity_create(
        actor=None,
        node=grid.c1,
        kind="walk",
        title="远期健走",
        starts_at=far,
        ends_at=far + datetime.timedelta(hours=1),
        publish=True,
    )
    member = client_for(personas[Role.PARTY_MEMBER])
    page = member.get(f"/activities/n/{grid.c1.code}/", {"month": "2020-01"}).content.decode()
    upcoming = page.split('id="upcoming"')[1].split("</section>")[0]
    assert "主题党日" in upcoming and "地点: 居委会活动室" in upcoming and "远期健走" not in upcoming
    assert "export=xlsx" not in page
    export = member.get(f"/activities/n/{grid.c1.code}/", {"export": "xlsx"})
    assert export["Content-Type"].startswith("text/html")
    staff = client_for(personas[Role.COMMUNITY_SECRETARY])
    assert "export=xlsx" in staff.get(f"/activities/n/{grid.c1.code}/").content.decode()
    assert "spreadsheet" in staff.get(f"/activities/n/{grid.c1.code}/", {"export": "xlsx"})["Content-Type"]
    en = member.get(f"/activities/n/{grid.c1.code}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Upcoming (next 30 days)" in en and "Where: 居委会活动室" in en


def test_the_workers_search_is_short_and_the_quarter_is_chosen(grid: Grid, personas: dict) -> None:
    client = client_for(personas[Role.GRID_WORKER])
    assert 'placeholder="扫码或输入住户编码"' in client.get("/grid/my/").content.decode()
    page = client.get(f"/party/n/{grid.m1.code}/visits/").content.decode()
    assert '<input name="period"' not in page
    options = re.findall(r'<option value="(\d{4}-Q\d)"( selected)?>', page)
    assert options[0] == (QUARTER.key, " selected") and options[1][0] == QUARTER.previous().key
    older = client.get(f"/party/n/{grid.m1.code}/visits/", {"period": "2021-Q1"}).content.decode()
    assert '<option value="2021-Q1" selected>' in older


@pytest.mark.usefixtures("kb")
def test_the_lookup_speaks_english_in_english() -> None:
    from django.test import Client

    # A button cell is hazardous (a plain "battery" depends on its kind: tests/guide/test_views.py).
    en = Client().get("/guide/", {"q": "button battery"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    head = en.split('class="cat-name">')[1].split("</strong>")[0]
    assert head == "Hazardous waste (有害垃圾)"
    assert re.search(r"Matched “[a-z ]*batter[a-z ]*” \(纽扣电池\)", en), en
    nav = en.split('class="cat-links"')[1]
    assert "Recyclable (可回收物)" in nav and "Wet waste (湿垃圾)" in nav
    zh = Client().get("/guide/", {"q": "纽扣电池"}, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'class="cat-name">有害垃圾</strong>' in zh and "Hazardous" not in zh
