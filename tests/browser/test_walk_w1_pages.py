"""Walk c14 (helper W1), as a phone (390 × 844) and an office screen (1366 × 768) read them: the understaffed
page with a missed window, the point page's purity and opening hours, the numbers page's weeks, the dashboard's
and the assessment's purity percentages named by their rule, the purity records in Shanghai time, and the
flagged records with who recorded them. Screenshots go to /tmp/walk_fix_w1/."""

from __future__ import annotations

import datetime
import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import expect

from grid.services.records import person_create
from lib.clock import SHANGHAI
from supervision.models import Shift
from supervision.services import point_create, purity_checks_record, shifts_generate
from tests.browser.conftest import desktop, phone
from tests.conftest import build_grid, client_for, drop_offs, make_user, purity_check
from tests.supervision.test_ingest import post, record

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/walk_fix_w1")


def _as(context: Any, base: str, user: Any) -> None:
    """The browser logged in as `user` (a session made on the server side: three log-ins in a row from one
    address would meet the log-in throttle)."""
    context.clear_cookies()
    cookie = client_for(user).cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base}])


@pytest.mark.parametrize("screen", ["phone", "desktop"])
def test_the_fixed_pages_read_right(live_server: Any, browser: Any, screen: str, noon: datetime.date) -> None:
    """At noon (Shanghai): the 07:00–09:00 window ended with nobody there, 18:30–20:30 still needs someone."""
    grid = build_grid()
    today = noon
    windows = [(d, datetime.time(7), datetime.time(9)) for d in range(7)]
    windows += [(d, datetime.time(18, 30), datetime.time(20, 30)) for d in range(7)]
    point = point_create(actor=None, community=grid.c1, name="甲1号点", windows=windows)
    shifts_generate(points=[point], start=today, days=2)
    Shift.objects.update(needed=1)
    for back in (1, 9, 20):
        drop_offs(point, grid.h1, today - datetime.timedelta(days=back), ["correct", "mixed"])
    purity_check(point, datetime.date(2026, 9, 1), "clean")
    purity_check(point, datetime.date(2026, 9, 1), "slight")
    secretary = make_user("sec_w1", "community_secretary", grid.c1)
    volunteer = make_user("vol_w1p", "volunteer", grid.c1)
    volunteer.person = person_create(actor=None, node=grid.c1, name="志愿者周")
    volunteer.save()
    purity_checks_record(
        actor=volunteer, point=point, levels={"wet": "clean"}, notes="", form_id=str(uuid.uuid4())
    )
    admin = make_user("admin_w1", "subdistrict_admin", grid.sd)
    late = datetime.datetime.combine(today - datetime.timedelta(days=2), datetime.time(3, 1), SHANGHAI)
    post(
        client_for(volunteer),
        [record(point.code, grid.h1.code, observed_at=late.isoformat(), outcome="mixed")],
    )

    context = (phone if screen == "phone" else desktop)(browser, timezone_id="Asia/Shanghai")
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        page = context.new_page()
        _as(context, live_server.url, secretary)
        page.goto(f"{live_server.url}/supervision/understaffed/{grid.c1.code}/")
        today_list = page.locator("#understaffed-today")
        expect(today_list).not_to_contain_text("所有时段都有人值守")
        expect(today_list.locator("li.missed").first).to_contain_text("未到岗")
        page.screenshot(path=str(SHOTS / f"understaffed_{screen}.png"), full_page=True)
        page.goto(f"{live_server.url}/supervision/numbers/{grid.c1.code}/?days=30")
        last_week = page.locator("td.nowrap").last
        last_week.scroll_into_view_if_needed()
        expect(last_week).to_have_text(
            re.compile(rf"(^\d{{4}}-|^\d{{4}}-\d\d-\d\d–){today - datetime.timedelta(days=1):%m-%d}$")
        )
        page.screenshot(path=str(SHOTS / f"numbers_weeks_{screen}.png"))
        page.goto(f"{live_server.url}/supervision/flagged/")
        expect(page.locator("td.recorded-by").first).to_have_text("志愿者周")
        page.screenshot(path=str(SHOTS / f"flagged_{screen}.png"), full_page=True)
        context.clear_cookies()

        _as(context, live_server.url, volunteer)
        page.goto(f"{live_server.url}/supervision/p/{point.code}/")
        expect(page.locator(".purity-saved").first).to_have_text("今日已保存：纯净")
        expect(page.locator("ul.opening-hours li").first).to_contain_text("、")
        page.screenshot(path=str(SHOTS / f"point_{screen}.png"), full_page=True)
        context.clear_cookies()

        _as(context, live_server.url, admin)
        page.goto(f"{live_server.url}/reports/dashboard/{grid.c1.code}/")
        expect(page.locator("#key-figures")).to_contain_text("桶内检查纯净占比（仅计纯净）")
        page.screenshot(path=str(SHOTS / f"dashboard_{screen}.png"))
        page.goto(f"{live_server.url}/assessment/n/{grid.c1.code}/i/purity/?period=2026-09")
        expect(page.locator("#formula")).to_contain_text("纯净度得分（轻微混杂计半）")
        page.screenshot(path=str(SHOTS / f"assessment_purity_{screen}.png"))
        page.goto(
            f"{live_server.url}/assessment/n/{grid.c1.code}/i/purity/records/"
            f"?period=2026-09&key={point.code}&month=2026-09"
        )
        expect(page.locator("main")).to_contain_text("17:00")
        expect(page.locator("main")).not_to_contain_text("纯净度 >")
        page.screenshot(path=str(SHOTS / f"assessment_records_{screen}.png"), full_page=True)
    finally:
        context.close()
