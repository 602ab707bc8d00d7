"""Walk c14 (helper W1): after a tap the line with its Undo covers none of the controls the next record needs
(the bin, the household field, the outcome buttons), keeps the household code on one line, and for 混投 says
what was mixed in; a typed room shared by several households offers buttons that do not touch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from grid.models import Household
from supervision.services import point_create
from tests.browser.conftest import desktop, login, phone
from tests.conftest import build_grid, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/walk_fix_w1")
CONTROLS = ("label:has(#category)", "label:has(#household)", "#household-label", ".outcomes")


def _apart(a: dict, b: dict) -> bool:
    return a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"]


@pytest.mark.parametrize("screen", ["phone", "desktop"])
def test_the_recorded_line_covers_no_control_and_keeps_the_code_whole(
    live_server: Any, browser: Any, screen: str
) -> None:
    grid = build_grid()
    point = point_create(actor=None, community=grid.c1, name="甲1号箱房")
    Household.objects.filter(building__in=[grid.b1, grid.b2]).update(drop_off_point=point)
    one = Household.objects.get(building=grid.b1, room="101")
    make_user("vol_w1", "volunteer", grid.c1)
    context = (phone if screen == "phone" else desktop)(browser, timezone_id="Asia/Shanghai")
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        page = context.new_page()
        login(page, live_server.url, "vol_w1", then=f"/supervision/p/{point.code}/record/")
        page.fill("#household", "101")  # rooms 101 of buildings 1 and 2
        choices = page.locator("#household-choices button")
        expect(choices).to_have_count(2)
        a, b = choices.nth(0).bounding_box(), choices.nth(1).bounding_box()
        assert a and b
        gap = b["x"] - (a["x"] + a["width"]) if abs(a["y"] - b["y"]) < 2 else b["y"] - (a["y"] + a["height"])
        assert gap >= 6, (a, b)
        page.screenshot(path=str(SHOTS / f"recorder_choices_{screen}.png"))
        page.locator("#household-choices button").first.click()
        page.click("button[data-outcome=mixed]")
        page.check("#mixed-panel input[value=dry]")
        page.click("#mixed-done")
        line = page.locator("#recent li").first
        expect(line).to_contain_text("混投（混入：干垃圾")
        # The door as the volunteer knows it, the code only as its title (not "1号楼 101 · ZJXL-…").
        expect(line).to_contain_text("1号楼 101")
        expect(line).not_to_contain_text(one.code)
        expect(line.locator(".place")).to_have_attribute("title", one.code)
        # "Recorded here" says what was mixed in too.
        expect(page.locator("#made-list li").first).to_contain_text("混投（混入：干垃圾")
        page.wait_for_timeout(300)
        box = line.bounding_box()
        assert box is not None
        for control in CONTROLS:
            other = page.locator(control).first.bounding_box()
            assert other is not None and _apart(box, other), (control, box, other)
        # The door is one run of text: a single line box.
        assert page.evaluate("() => document.querySelector('#recent .place').getClientRects().length") == 1
        page.screenshot(path=str(SHOTS / f"recorder_recorded_{screen}.png"))
    finally:
        context.close()
