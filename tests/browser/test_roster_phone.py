"""A volunteer on a phone (390 × 844, Chinese first, then English): home → 今日值班 link → the point page,
where the shift already over is not offered, opening hours read 星期一…, and checking in is stored.
Screenshots go to var/screenshots/roster/."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from lib.clock import local_today
from tests.browser.conftest import fits, login, phone
from tests.conftest import build_grid, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.BASE_DIR) / "var/screenshots/roster"
MORNING, EVENING = (datetime.time(7), datetime.time(9)), (datetime.time(18, 30), datetime.time(20, 30))


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_volunteer_reaches_todays_point_from_home_and_checks_in(
    live_server: Any, browser: Any, monkeypatch: Any
) -> None:
    from grid.services.records import person_create
    from lib.clock import SHANGHAI
    from supervision.models import Shift, ShiftSignup
    from supervision.services import point_create, shift_signup, shifts_generate

    # Noon in Shanghai (the live server runs in this process): the morning shift is over, the evening not.
    today = local_today()
    noon = datetime.datetime.combine(today, datetime.time(12), tzinfo=SHANGHAI)
    clock = {"now": noon}
    monkeypatch.setattr(timezone, "now", lambda: clock["now"])
    grid = build_grid()
    point = point_create(
        actor=None,
        community=grid.c1,
        name="甲1号箱房",
        windows=[(d, *w) for d in range(7) for w in (MORNING, EVENING)],
    )
    shifts_generate(points=[point], start=today, days=1)
    morning, evening = Shift.objects.filter(point=point, day=today).order_by("start")
    person = person_create(actor=None, node=grid.c1, name="志愿者甲")
    make_user("vol_phone", "volunteer", grid.c1, person)
    mine = shift_signup(actor=None, shift=evening, person=person)

    context = phone(browser)
    page = context.new_page()
    login(page, live_server.url, "vol_phone")
    link = page.locator("#todays-shift")
    expect(link).to_have_text("今日值班：甲1号箱房 18:30–20:30")
    _shot(page, "1-home")
    link.click()
    page.wait_for_url(re.compile(rf"/supervision/p/{point.code}/$"))
    cards = page.locator("ul.cards li.card")
    expect(cards.nth(0)).to_contain_text("07:00–09:00")
    expect(cards.nth(0)).to_contain_text("已结束：不能再报名。")
    expect(cards.nth(0).locator("button")).to_have_count(0)
    # Days with the same hours on one line (issue 14).
    expect(page.locator("ul.opening-hours li")).to_have_count(1)
    expect(page.locator("ul.opening-hours li")).to_contain_text("星期一至星期日 07:00\u2060–\u206009:00")
    fits(page)
    _shot(page, "2-point")
    # At noon the evening shift cannot be checked in to yet: the card says when it can (30 minutes before).
    expect(cards.nth(1).locator(".check-in-opens")).to_have_text("签到于 18:00 开放")
    expect(cards.nth(1).get_by_role("button", name="签到")).to_have_count(0)
    arrived = datetime.datetime.combine(today, datetime.time(18, 29), tzinfo=SHANGHAI)
    clock["now"] = arrived
    page.reload()
    cards.nth(1).get_by_role("button", name="签到").click()
    expect(cards.nth(1).get_by_role("button", name="签退")).to_be_visible()
    expect(page.locator(".msg")).to_contain_text("已签到。")
    assert ShiftSignup.objects.get(pk=mine.pk).checked_in_at == arrived
    assert not ShiftSignup.objects.filter(shift=morning).exists()
    _shot(page, "3-checked-in")
    context.close()

    context = phone(browser, "en-US")
    page = context.new_page()
    page.set_extra_http_headers({"Accept-Language": "en"})
    login(page, live_server.url, "vol_phone")
    expect(page.locator("#todays-shift")).to_have_text("Today's shift: 甲1号箱房 18:30–20:30")
    page.locator("#todays-shift").click()
    page.wait_for_url(re.compile(rf"/supervision/p/{point.code}/$"))
    expect(page.locator("ul.cards li.card").nth(0)).to_contain_text("Over: too late to sign up.")
    expect(page.locator("ul.opening-hours li")).to_contain_text("Monday to Sunday 07:00\u2060–\u206009:00")
    # Two minutes after checking in (18:31), checked out: only the minute inside the window (from 18:30)
    # counts, said in the singular.
    clock["now"] = arrived + datetime.timedelta(minutes=2)
    evening_card = page.locator("ul.cards li.card").nth(1)
    evening_card.get_by_role("button", name="Check out").click()
    # The window is still open: the check-out is confirmed first, saying what it credits.
    expect(page.locator("#confirm")).to_contain_text("1 minute of the window will be credited.")
    page.locator("#confirm-yes").click()
    expect(page.locator(".msg")).to_have_text("Checked out: 1 minute on duty.")
    expect(evening_card).to_contain_text("1 minute on duty")
    expect(evening_card).not_to_contain_text("minutes")
    assert ShiftSignup.objects.get(pk=mine.pk).minutes == 1
    _shot(page, "4-point-en")
    context.close()
