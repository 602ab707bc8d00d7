"""Walk findings (c14, helper W1): times shown in Shanghai time, the understaffed page not calling missed windows
staffed, one short purity word on results, each purity percentage named by its rule, the recorder of a flagged
record, opening hours listed per language, and whole weeks on the numbers page."""

from __future__ import annotations

import datetime
import re
import uuid
from typing import Any

import pytest
from django.conf import settings

from accounts.models import Role, User
from grid.services.records import person_create
from lib.clock import SHANGHAI, local_today
from supervision.models import PurityCheck, Shift, ShiftSignup
from supervision.services import point_create, shifts_generate
from tests.conftest import Grid, client_for, drop_offs, purity_check
from tests.supervision.test_ingest import post, record

WINDOWS = [
    (d, datetime.time(h1, m1), datetime.time(h2, m2))
    for d in range(7)
    for h1, m1, h2, m2 in ((7, 0, 9, 0), (18, 30, 20, 30))
]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def point(grid: Grid) -> Any:
    return point_create(actor=None, community=grid.c1, name="甲1号点", code="TSD-W1", windows=WINDOWS)


@pytest.mark.django_db
def test_purity_records_show_shanghai_time_and_the_short_word(
    grid: Grid, point: Any, personas: dict[str, User]
) -> None:
    sept = datetime.date(2026, 9, 1)
    purity_check(point, sept, "clean")  # checked at 09:00 UTC = 17:00 in Shanghai
    purity_check(point, sept, "slight")
    admin = client_for(personas[Role.SUBDISTRICT_ADMIN])
    page = admin.get(
        f"/assessment/n/{grid.c1.code}/i/purity/records/?period=2026-09&key={point.code}&month=2026-09"
    ).content.decode()
    text = _text(page)
    assert "17:00" in text and "09:00" not in text
    assert " 纯净 " in text and "轻微混杂" in text and "纯净度 >" not in text
    # The assessment's purity percentage names its rule (slight mixing counts half).
    evidence = _text(admin.get(f"/assessment/n/{grid.c1.code}/i/purity/?period=2026-09").content.decode())
    assert "纯净度得分（轻微混杂计半） 1.50 / 2 = 75.0%" in evidence
    en_admin = client_for(personas[Role.SUBDISTRICT_ADMIN])
    en_admin.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    en = en_admin.get(f"/assessment/n/{grid.c1.code}/i/purity/?period=2026-09")
    assert "Purity score (slight mixing counts half)" in en.content.decode()


@pytest.mark.django_db
def test_the_dashboard_names_its_clean_share_rule(grid: Grid, point: Any, personas: dict[str, User]) -> None:
    admin = client_for(personas[Role.SUBDISTRICT_ADMIN])
    zh = _text(admin.get(f"/reports/dashboard/{grid.c1.code}/").content.decode())
    assert "桶内检查纯净占比（仅计纯净）" in zh and "桶内纯净检查达标" not in zh
    admin.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    en = _text(admin.get(f"/reports/dashboard/{grid.c1.code}/").content.decode())
    assert "clean share of bin checks (clean only)" in en


@pytest.mark.django_db
def test_understaffed_page_does_not_call_a_missed_window_staffed(
    grid: Grid, point: Any, personas: dict[str, User], noon: datetime.date
) -> None:
    """At noon the 07:00–09:00 window ended with nobody checked in; the evening one has its one person."""
    shifts_generate(points=[point], start=noon, days=2)
    morning, evening = Shift.objects.filter(point=point, day=noon).order_by("start")
    evening.needed = 1
    evening.save()
    ShiftSignup.objects.create(
        shift=evening,
        person=person_create(actor=None, node=grid.c1, name="志愿者钱"),
        subdistrict_id=grid.sd.pk,
    )
    page = client_for(personas[Role.COMMUNITY_SECRETARY]).get(f"/supervision/understaffed/{grid.c1.code}/")
    html = page.content.decode()
    today = html.split('id="understaffed-today"')[1].split("</ul>")[0]
    text = _text(today)
    assert "所有时段都有人值守" not in text
    assert "今日其余时段人员已齐。" in text
    assert f'data-missed="{morning.pk}"' in today and "07:00–09:00" in text and "未到岗：无人签到" in text


@pytest.mark.django_db
def test_purity_word_short_on_results_explained_in_the_dropdown(
    grid: Grid, point: Any, personas: dict[str, User]
) -> None:
    volunteer = client_for(personas[Role.VOLUNTEER])
    saved = volunteer.post(
        f"/supervision/p/{point.code}/purity/", {"form_id": str(uuid.uuid4()), "level_wet": "clean"}
    )
    assert saved.status_code == 302 and PurityCheck.objects.get().level == "clean"
    page = volunteer.get(f"/supervision/p/{point.code}/").content.decode()
    assert "今日已保存：纯净<" in page.replace(" ", "")
    assert ">纯净（纯净度 &gt; 85%）</option>" in page  # where the volunteer chooses
    # Opening hours listed the Chinese way, English the English way.
    assert "07:00\u2060–\u206009:00、18:30\u2060–\u206020:30" in page
    volunteer.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    en = volunteer.get(f"/supervision/p/{point.code}/").content.decode()
    assert "07:00\u2060–\u206009:00, 18:30\u2060–\u206020:30" in en


@pytest.mark.django_db
def test_numbers_weeks_show_their_first_and_last_day(
    grid: Grid, point: Any, personas: dict[str, User]
) -> None:
    yesterday = local_today() - datetime.timedelta(days=1)
    for back in (0, 20):
        drop_offs(point, grid.h1, yesterday - datetime.timedelta(days=back), ["correct", "mixed"])
    page = client_for(personas[Role.COMMUNITY_SECRETARY]).get(f"/supervision/numbers/{grid.c1.code}/?days=30")
    html = page.content.decode()
    # A week's first and last day within the span ("2026-11-16–11-22"; a one-day week is that day).
    rows = re.findall(r'<td class="nowrap"[^>]*>(\d{4}-\d\d-\d\d)(?:–(\d\d-\d\d))?</td>', html)
    assert any(last for _, last in rows), rows
    first, last = rows[-1]
    assert (last or first[5:]) == f"{yesterday:%m-%d}"  # the last week ends on the span's last day
    assert " –<" not in html


@pytest.mark.django_db
def test_flagged_records_name_who_recorded_them(grid: Grid, point: Any, personas: dict[str, User]) -> None:
    volunteer = personas[Role.VOLUNTEER]
    volunteer.person = person_create(actor=None, node=grid.c1, name="志愿者周")
    volunteer.save()
    day = local_today() - datetime.timedelta(days=2)
    late = datetime.datetime.combine(day, datetime.time(3, 1), SHANGHAI).isoformat()
    post(client_for(volunteer), [record(point.code, grid.h1.code, observed_at=late, outcome="mixed")])
    page = client_for(personas[Role.COMMUNITY_SECRETARY]).get("/supervision/flagged/").content.decode()
    assert "记录人" in page and re.search(r'class="recorded-by"[^>]*>志愿者周<', page)


def test_an_audit_entry_reads_in_shanghai_time() -> None:
    from audit.models import AuditEntry

    entry = AuditEntry(
        at=datetime.datetime(2026, 9, 1, 9, 0, tzinfo=datetime.UTC),
        actor_name="secretary",
        action="update",
        model="supervision.shift",
        object_repr="TSD-W1",
    )
    assert str(entry).startswith("2026-09-01 17:00 secretary")
