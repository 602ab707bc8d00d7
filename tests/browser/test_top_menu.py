"""The top menu at an office screen (1366 × 768): the sub-district admin's 17 entries wrapped onto a second line
(issue 17); the less daily ones now sit under "More", in Chinese and in English, and on a phone they open
flat inside the menu."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import desktop, login, phone
from tests.conftest import build_grid, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The tops of the bar's entries (links and the "More" button): one line means one distinct top.
ROWS = """() => new Set([...document.querySelectorAll('header nav > a, header nav > details > summary')]
  .map(e => Math.round(e.getBoundingClientRect().top))).size"""


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_office_menus_keep_one_line_at_1366(live_server: Any, browser: Any, language: str) -> None:
    grid = build_grid()
    # The demo's usernames, whose length shares the bar with the menu.
    make_user("zjx_admin", "subdistrict_admin", grid.sd)
    make_user("jiaotong_sec", "community_secretary", grid.c1)
    for username in ("zjx_admin", "jiaotong_sec"):
        context = desktop(browser)
        context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        page = context.new_page()
        login(page, live_server.url, username)
        assert page.evaluate(ROWS) == 1, f"{username} ({language}): the menu wraps"
        more = page.locator("header details.more")
        expect(more.locator("a").first).to_be_hidden()
        more.locator("summary").click()
        expect(more.locator("a[href='/grid/import/']")).to_be_visible()
        context.close()


def test_on_a_phone_more_opens_flat_inside_the_menu(live_server: Any, browser: Any) -> None:
    grid = build_grid()
    make_user("zjx_admin", "subdistrict_admin", grid.sd)
    context = phone(browser)
    page = context.new_page()
    login(page, live_server.url, "zjx_admin")
    page.locator("details.menu > summary").click()
    # No second fold: the audit log is one tap away, like the other entries.
    expect(page.locator("header nav a[href='/audit/']")).to_be_visible()
    expect(page.locator("header details.more > summary")).to_be_hidden()
    context.close()
