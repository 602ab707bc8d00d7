"""The recorder's "已记录：… | 撤销" line never covers a control the volunteer needs: tap 投放正确, then 混投
within the undo window, then scroll to the 混投 panel's 保存/取消 — on a 390 × 844 phone and a short 360 × 640
one, 保存 and 取消 are what a finger at their centre touches, while the line is shown."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from grid.models import Household
from supervision.services import point_create
from tests.browser.conftest import login
from tests.browser.crawl import PHONE
from tests.conftest import build_grid, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/recorder_toast")
HIT = """sel => { const el = document.querySelector(sel); const r = el.getBoundingClientRect();
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  return hit === el || el.contains(hit); }"""


@pytest.mark.parametrize("size", [(390, 844), (360, 640)], ids=["390x844", "360x640"])
def test_the_recorded_line_never_covers_the_mixed_panels_save(
    live_server: Any, browser: Any, size: tuple[int, int]
) -> None:
    grid = build_grid()
    point = point_create(actor=None, community=grid.c1, name="甲1号箱房")
    Household.objects.filter(building__in=[grid.b1, grid.b2]).update(drop_off_point=point)
    one = Household.objects.filter(building=grid.b1).order_by("room").first()
    assert one is not None
    make_user("vol_toast", "volunteer", grid.c1)
    options = {**PHONE, "viewport": {"width": size[0], "height": size[1]}}
    context = browser.new_context(**options, locale="zh-CN", timezone_id="Asia/Shanghai")
    # The phone's clock stands still: the line's undo window (8 s) cannot run out while the test looks.
    context.clock.install(time=datetime.datetime.now(datetime.UTC))
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        page = context.new_page()
        login(page, live_server.url, "vol_toast", then=f"/supervision/p/{point.code}/record/")
        page.clock.pause_at(datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=2))
        page.fill("#household", one.code)
        page.get_by_role("button", name="投放正确", exact=True).click()
        line = page.locator("#recent li").first
        expect(line).to_contain_text("投放正确")
        page.get_by_role("button", name="混投", exact=True).click()
        expect(page.locator("#mixed-panel")).to_be_visible()
        for where in ("end", "center", "start"):  # 保存 at the bottom edge, the middle and the top
            page.evaluate(f"() => document.querySelector('#mixed-done').scrollIntoView({{block: '{where}'}})")
            page.evaluate("() => window.dispatchEvent(new Event('scroll'))")
            expect(line).to_be_visible()
            expect(line.get_by_role("button", name="撤销")).to_be_visible()
            for control in ("#mixed-done", "#mixed-cancel", "#mixed-panel input[value=dry]"):
                assert page.evaluate(HIT, control), (size, where, control, line.bounding_box())
            page.screenshot(path=str(SHOTS / f"{size[0]}x{size[1]}-{where}.png"))
        page.check("#mixed-panel input[value=dry]")
        page.click("#mixed-done")
        expect(page.locator("#recent li").first).to_contain_text("混投（混入：干垃圾")
    finally:
        context.close()
