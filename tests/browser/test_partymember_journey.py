"""The party member's journeys on a phone (390 × 844, Chinese first), with the demo login jiaotong_pm:
(1) home → 我的四个带头 → sees what is missing → signs the pledge → the lead shows done (the Pledge row);
(2) activities → a theme day → registers → cancels → the place count goes back (the Registration rows).
Screenshots of the steps go to var/screenshots/partymember/."""

from __future__ import annotations

import datetime
import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from grid.services.demo import DEMO_PASSWORD
from lib.clock import local_today
from tests.browser.conftest import fits, login, phone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.BASE_DIR) / "var/screenshots/partymember"
DEMO_SCALE = 0.03  # the demo generator at the crawl's small scale: all logins, a few seconds


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def demo() -> None:
    call_command("generate_demo", scale=DEMO_SCALE, quiet=True, stdout=io.StringIO())


def test_party_member_sees_what_is_missing_and_signs_the_pledge(
    live_server: Any, browser: Any, demo: None
) -> None:
    from accounts.models import User
    from lib.periods import Period
    from party.models import Pledge
    from party.selectors import leads_of, member_for

    user = User.objects.get(username="jiaotong_pm")
    member = member_for(user)
    assert member is not None, "the demo party-member login is not linked to a party member"
    assert not Pledge.objects.filter(member=member).exists()
    today = local_today()
    before = leads_of(member, Period.containing("quarter", today), today)
    assert before is not None and not before.pledge

    context = phone(browser)
    page = context.new_page()
    login(page, live_server.url, "jiaotong_pm", DEMO_PASSWORD)
    link = page.locator("#my-leads")
    expect(link).to_contain_text(f"我的四个带头 ({before.count}/4)")
    _shot(page, "1-home")
    link.click()
    page.wait_for_url(re.compile(r"/party/me/"))
    expect(page.locator("h1")).to_contain_text("我的四个带头")
    expect(page.locator("#lead-total")).to_contain_text(f"{before.count}/4")
    pledge = page.locator("#lead-pledge")
    expect(pledge).to_have_class(re.compile(r"\bmissing\b"))
    expect(pledge).to_contain_text("尚未签署")
    # Each missing lead says how to get it, with the link that does it.
    if not before.duty:
        expect(page.locator("#sign-up-shift")).to_have_attribute("href", "/supervision/")
    if not before.visiting:
        expect(page.locator("#lead-visits a.join-visit").first).to_have_attribute(
            "href", re.compile(r"/party/plan/[0-9a-z]+/")
        )
    fits(page)
    _shot(page, "2-my-four-leads")

    page.locator("#lead-pledge input[name=agree]").check()
    with page.expect_response(lambda r: "/party/me/" in r.url and r.request.method == "POST"):
        page.locator("#sign-pledge").click()
    page.wait_for_url(re.compile(r"/party/me/\?period=.*#lead-pledge"))
    expect(page.locator("#lead-pledge")).to_have_class(re.compile(r"\bdone\b"))
    expect(page.locator("#lead-pledge")).to_contain_text(f"签署于 {today:%Y-%m-%d}")
    expect(page.locator("#lead-total")).to_contain_text(f"{before.count + 1}/4")
    _shot(page, "3-pledge-signed")
    row = Pledge.objects.get(member=member)
    assert row.signed_on == today and row.recorded_by_id == user.pk

    # English too: the switch in the header brings the same page back in the other language.
    page.get_by_role("button", name="English").click()
    expect(page.locator("h1")).to_contain_text("My four leads")
    expect(page.locator("#lead-pledge")).to_contain_text(f"Signed on {today:%Y-%m-%d}")
    fits(page)
    _shot(page, "4-my-four-leads-en")
    context.close()


def test_party_member_registers_for_a_theme_day_and_cancels(
    live_server: Any, browser: Any, demo: None
) -> None:
    from accounts.models import User
    from activities.models import Registration
    from activities.services import activity_create

    user = User.objects.get(username="jiaotong_pm")
    assert user.node is not None and user.person is not None
    start = timezone.now() + datetime.timedelta(hours=2)
    theme_day = activity_create(
        actor=None,
        node=user.node,
        kind="theme_day",
        title="主题党日：垃圾分类我带头",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        capacity=30,
        publish=True,
    )

    context = phone(browser)
    page = context.new_page()
    login(page, live_server.url, "jiaotong_pm", DEMO_PASSWORD)
    page.locator("#my-activities").click()  # from the home page, no menu needed
    page.wait_for_url(re.compile(r"/activities/n/"))
    if timezone.localtime(start).month != local_today().month:  # the list is one month's only
        page.goto(f"{page.url}?month={timezone.localtime(start):%Y-%m}")
    # Each number named (issue 14: a bare "17 / 20 / 0" said nothing).
    expect(page.locator(f"#activities tr[data-code='{theme_day.code}']")).to_contain_text(
        "已报名 0 人 / 名额 30"
    )
    page.locator(f"#activities tr[data-code='{theme_day.code}'] a").click()
    page.wait_for_url(re.compile(rf"/activities/a/{theme_day.code}/"))
    counts = page.locator("#counts")
    expect(counts).to_contain_text("0 / 30")
    _shot(page, "5-theme-day")

    page.locator("#register").click()
    expect(page.locator("#mine")).to_be_visible()
    expect(counts).to_contain_text("1 / 30")
    assert Registration.objects.filter(activity=theme_day, person=user.person).count() == 1
    fits(page)
    _shot(page, "6-registered")

    page.locator("#cancel-registration").click()
    # A place given up may go to someone else: asked once more, without "cannot be undone" (one may
    # register again while places remain), and the cancellation is then said (issue 14).
    expect(page.locator("#confirm")).to_contain_text("仍有名额时可以重新报名")
    expect(page.locator("#confirm")).not_to_contain_text("不能撤销")
    page.locator("#confirm-yes").click()
    expect(page.locator(".msg.success")).to_contain_text("已取消报名。")
    expect(page.locator("#register")).to_be_visible()
    expect(counts).to_contain_text("0 / 30")
    expect(page.locator("#mine")).to_have_count(0)
    assert not Registration.objects.filter(activity=theme_day).exists()
    _shot(page, "7-cancelled")
    context.close()
