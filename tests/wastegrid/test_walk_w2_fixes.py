"""Walk findings (W2): the back office in Chinese (a reward's 可兑换, the 街道 choice, axes, the site's name),
the audit log as sentences and "旧值 → 新值", numbers rows that lead down, the roster's crumb back to the
reader's own level, one term (居民区) and one building label rule."""

from __future__ import annotations

import datetime
import json
import random
import re
import uuid
from collections import Counter

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from accounts.models import Role, User
from audit.models import AuditEntry
from audit.services import audit_created, audit_updated, snapshot
from grid.models import GridWorker, Level
from grid.services.demo import _building_plans
from grid.services.records import node_create
from lib.clock import local_today
from points.models import Reward
from supervision.models import Shift
from supervision.services import point_create, shifts_generate
from tests.conftest import Grid, client_for


def _zh(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    return client


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _staff(user: User) -> Client:
    user.is_staff = user.is_superuser = True
    user.save()
    return _zh(client_for(user))


@pytest.mark.django_db
def test_reward_change_form_reads_available_and_offers_only_own_sub_district(
    grid: Grid, personas: dict[str, User]
) -> None:
    other = node_create(actor=None, level=Level.SUBDISTRICT, name="别的街道", code="OSD")
    reward = Reward.objects.create(subdistrict=grid.sd, name="环保购物袋", cost=100, stock=200)
    client = _staff(personas[Role.SUBDISTRICT_ADMIN])
    html = client.get(f"/admin/points/reward/{reward.pk}/change/").content.decode()
    assert "可兑换" in html and "在岗" not in html
    select = re.search(r'<select name="subdistrict".*?</select>', html, re.S)
    assert select is not None
    options = _text(select.group(0))
    assert "测试街道" in options
    for name in ("第一片区", "甲居民区", "甲一", other.name):
        assert name not in options, name
    # A person keeps 在岗: the contexts part the meanings.
    with translation.override("zh-hans"):
        assert str(GridWorker._meta.get_field("active").verbose_name) == "在岗"
        assert str(Reward._meta.get_field("active").verbose_name) == "可兑换"


@pytest.mark.django_db
def test_admin_index_is_in_chinese_with_the_sites_names(grid: Grid, personas: dict[str, User]) -> None:
    html = _staff(personas[Role.SUBDISTRICT_ADMIN]).get("/admin/").content.decode()
    text = _text(html)
    assert "垃圾分类网格化治理" in text and "Django 管理" not in text and "Django administration" not in text
    assert "登录记录" in text and "登录尝试" in text and "登录失败" in text and "登录日志" in text
    for english in ("Access attempts", "Access failures", "Access logs", "Axes", "AXES"):
        assert english not in text, english
    assert "桶边值守" in text and "桶边督导" not in text
    en = client_for(personas[Role.SUBDISTRICT_ADMIN])
    en.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = _text(en.get("/admin/").content.decode())
    assert "Waste sorting grid" in english and "Login attempts" in english and "Bin-side duty" in english


@pytest.mark.django_db
def test_audit_log_reads_field_names_old_to_new_and_batch_sentences(
    grid: Grid, personas: dict[str, User]
) -> None:
    reward = Reward.objects.create(subdistrict=grid.sd, name="环保购物袋", cost=100, stock=200)
    before = snapshot(reward)
    reward.stock = 199
    reward.active = False
    reward.save()
    audit_updated(actor=personas[Role.SUBDISTRICT_ADMIN], obj=reward, before=before)
    whole_day = [(d, datetime.time(0, 0), datetime.time(23, 59)) for d in range(7)]
    point = point_create(actor=None, community=grid.c1, name="甲1号箱房", windows=whole_day)
    now = timezone.now()
    records = [
        {
            "client_id": str(uuid.uuid4()),
            "point": point.code,
            "household": grid.h1.code,
            "observed_at": (now - datetime.timedelta(minutes=5 * m)).isoformat(),
            "category": "wet",
            "outcome": "correct",
        }
        for m in range(1, 4)
    ]
    posted = client_for(personas[Role.GRID_WORKER]).post(
        "/api/v1/supervision/observations", json.dumps(records), content_type="application/json"
    )
    assert posted.status_code in (200, 201), posted.content
    assert AuditEntry.objects.filter(object_id__startswith="batch:").exists()
    admin = _zh(client_for(personas[Role.SUBDISTRICT_ADMIN]))
    text = _text(admin.get("/audit/").content.decode())
    assert "库存 200 → 199" in text and "可兑换 是 → 否" in text
    assert "3 条记录，网页录入" in text
    # A field Django named after its attribute reads in Chinese too (a created node's 排序, not "sort order").
    audit_created(actor=None, obj=grid.c1)
    text = _text(admin.get("/audit/").content.decode())
    assert "排序" in text and "sort order" not in text
    # The names behind foreign keys (and of the records themselves) are fetched once per model for the page,
    # every model referred to (a bound of eight once left the rest reading "班次 班次"), plus one read of the
    # log for records gone: no table of named records is read twice, no N+1.
    with CaptureQueriesContext(connection) as queries:
        assert admin.get("/audit/").status_code == 200
    tables = Counter(
        q["sql"].split(" FROM ", 1)[1].split()[0] for q in queries if q["sql"].startswith("SELECT")
    )
    # The page's own reads (the session, the reader and their node, the count) beside the names'.
    page_reads = {'"audit_auditentry"', '"accounts_user"', '"django_session"', '"grid_gridnode"'}
    assert all(n == 1 for t, n in tables.items() if t not in page_reads), tables
    assert all(n <= 4 for n in tables.values()), tables
    for raw in ("{'stock'", "'stock'", "records via", "session", "None"):
        assert raw not in text, raw
    admin.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = _text(admin.get("/audit/").content.decode())
    assert "in stock 200 → 199" in english and "3 records, on the web page" in english


@pytest.mark.django_db
def test_numbers_rows_lead_to_their_own_numbers_page(grid: Grid, personas: dict[str, User]) -> None:
    lead = _zh(client_for(personas[Role.AREA_LEAD]))
    html = lead.get(f"/supervision/numbers/{grid.area.code}/").content.decode()
    assert f'href="/supervision/numbers/{grid.c1.code}/?days=30">甲居民区</a>' in html
    assert f'href="/supervision/numbers/{grid.c2.code}/?days=30">乙居民区</a>' in html
    assert lead.get(f"/supervision/numbers/{grid.c1.code}/?days=30").status_code == 200
    # Scoped: the other residential area's secretary is not led into (nor let into) this one.
    outsider = client_for(personas["outsider"])
    assert outsider.get(f"/supervision/numbers/{grid.c1.code}/").status_code == 404


@pytest.mark.django_db
def test_roster_crumb_leads_back_to_the_readers_own_level(grid: Grid, personas: dict[str, User]) -> None:
    whole_day = [(d, datetime.time(0, 0), datetime.time(23, 59)) for d in range(7)]
    point = point_create(actor=None, community=grid.c1, name="甲1号箱房", windows=whole_day)
    shifts_generate(points=[point], start=local_today(), days=2)
    shift = Shift.objects.filter(point=point).order_by("day").last()
    assert shift is not None
    roster = f"/supervision/shifts/{shift.code}/roster/"
    for role, node in (
        (Role.AREA_LEAD, grid.area),
        (Role.SUBDISTRICT_ADMIN, grid.sd),
        (Role.COMMUNITY_SECRETARY, grid.c1),
    ):
        html = _zh(client_for(personas[role])).get(roster).content.decode()
        assert f'<a href="/supervision/understaffed/{node.code}/">缺人的时段</a>' in html, role


@pytest.mark.django_db
def test_assessment_words_say_juminqu() -> None:
    with translation.override("zh-hans"):
        assert "居民区" in translation.gettext("grade this month · %(m)s/%(n)s areas meet")
    with open(settings.BASE_DIR / "locale/zh_Hans/LC_MESSAGES/django.po", encoding="utf-8") as po:
        catalogue = po.read()
    assert "居住区" not in catalogue and "達" not in catalogue


def test_demo_buildings_share_one_label_rule() -> None:
    plans = _building_plans(random.Random(7), 2000, 3)
    assert plans and all(re.fullmatch(r"\d+号楼", p.name) for p in plans)
