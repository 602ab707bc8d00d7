"""Issue 14, a second newcomer's walk on a phone (390 × 844): a typed room names every household that has it
and nothing is recorded until one is picked; "<building number>-<room>" and full-width digits name one; the
line after a tap leaves the status line readable and "Recorded here" keeps what was recorded; the mixed-with
list leaves out the bin's own category; a saved purity check reads back as chosen."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import expect

from grid.models import Household
from supervision.services import point_create
from tests.browser.conftest import login, phone
from tests.browser.outbox import outbox_items
from tests.conftest import build_grid, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.BASE_DIR) / "var/screenshots/recorder_households"


def _point_with_shared_rooms() -> tuple[Any, Household, Household]:
    """A point of c1 serving buildings 1 and 2, both of which have a room 101."""
    grid = build_grid()
    point = point_create(actor=None, community=grid.c1, name="甲1号箱房")
    Household.objects.filter(building__in=[grid.b1, grid.b2]).update(drop_off_point=point)
    make_user("vol_rec", "volunteer", grid.c1)
    return (
        point,
        Household.objects.get(building=grid.b1, room="101"),
        Household.objects.get(building=grid.b2, room="101"),
    )


def test_a_shared_room_asks_which_household_and_records_nothing_until_picked(
    live_server: Any, browser: Any
) -> None:
    point, one, two = _point_with_shared_rooms()
    context = phone(browser, timezone_id="Asia/Shanghai")
    try:
        page = context.new_page()
        login(page, live_server.url, "vol_rec", then=f"/supervision/p/{point.code}/record/")
        page.fill("#household", "101")
        choices = page.locator("#household-choices button")
        expect(choices).to_have_count(2)
        expect(choices.nth(0)).to_have_text("1号楼 101")
        expect(choices.nth(1)).to_have_text("2号楼 101")
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "choices.png"))
        page.click("button[data-outcome=correct]")  # refused: several match
        expect(page.locator("#household-label")).to_contain_text("101")
        page.locator("#household-choices button", has_text="2号楼 101").click()
        # The door as the volunteer knows it; the code only as the label's title.
        expect(page.locator("#household-label")).to_have_text(f"{two.building.name} {two.room}")
        expect(page.locator("#household-label")).to_have_attribute("title", two.code)
        expect(page.locator("#household-choices")).to_be_hidden()
        page.click("button[data-outcome=correct]")
        expect(page.locator("#pending")).to_have_text("1")  # the ambiguous tap left nothing behind
        items = outbox_items(page, "recorder")
        assert [i["data"]["household"] for i in items] == [two.code]
        # The line with the Undo sits below the status line, not over it.
        expect(page.locator("#recent li")).to_have_count(1)
        status = page.locator("p.status").bounding_box()
        line = page.locator("#recent").bounding_box()
        assert status and line and line["y"] >= status["y"] + status["height"]
        # "Recorded here" says what was recorded, for when the line has gone.
        expect(page.locator("#made-list li")).to_have_count(1)
        expect(page.locator("#made-list li")).to_contain_text("2号楼 101 · 湿垃圾")
        # Building number and room, full-width too, name one household at once.
        for typed in ("1-101", "１－１０１"):
            page.fill("#household", typed)
            expect(page.locator("#household-label")).to_have_text(f"{one.building.name} {one.room}")
            expect(page.locator("#household-choices")).to_be_hidden()
        page.fill("#household", "3-101")  # no building 3 at this point
        expect(page.locator("#household-label")).to_contain_text("3-101")
        expect(page.locator("#household-label")).to_have_class("error")
        # 混投 on the wet bin: "wet" is not offered as what it was mixed with.
        page.fill("#household", one.code)
        page.click("button[data-outcome=mixed]")
        expect(page.locator("#mixed-panel")).to_be_visible()
        expect(page.locator("#mixed-panel input[value=wet]")).to_be_hidden()
        expect(page.locator("#mixed-panel input[value=dry]")).to_be_visible()
    finally:
        context.close()


def test_a_saved_purity_check_reads_back_as_chosen(live_server: Any, browser: Any) -> None:
    point, _, _ = _point_with_shared_rooms()
    context = phone(browser, locale="en-US")
    try:
        page = context.new_page()
        login(page, live_server.url, "vol_rec", then=f"/supervision/p/{point.code}/")
        page.select_option("select[name=level_wet]", "slight")
        page.select_option("select[name=level_dry]", "clean")
        with page.expect_navigation():
            page.click("form[action$='/purity/'] button[type=submit]")
        expect(page.locator("select[name=level_wet]")).to_have_value("slight")
        expect(page.locator("select[name=level_dry]")).to_have_value("clean")
        expect(page.locator("select[name=level_recyclable]")).to_have_value("")
        page.reload()
        expect(page.locator("select[name=level_wet]")).to_have_value("slight")
        page.screenshot(path=str(SHOTS / "purity_en.png"), full_page=True)
    finally:
        context.close()
