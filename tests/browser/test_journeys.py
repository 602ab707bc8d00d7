"""User journeys in a real browser: a grid worker on a phone; an admin importing and checking coverage."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import desktop, fits, login, phone
from tests.conftest import build_grid, make_user
from tests.files import xlsx_bytes_with

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_grid_worker_opens_one_of_their_households_on_a_phone(
    live_server: Any, browser: Any, settings: Any
) -> None:
    grid = build_grid()
    make_user("gw_phone", "grid_worker", grid.m1, grid.w1.person)
    context = phone(browser)
    page = context.new_page()
    login(page, live_server.url, "gw_phone")
    page.get_by_role("link", name=re.compile("我的包责户")).first.click()
    cards = page.locator("li.card.household")
    assert cards.count() == 18
    # The list fits the phone: no horizontal scrolling.
    fits(page)
    first = cards.first
    first.click()
    page.wait_for_url(re.compile(r"/grid/households/"))
    detail = page.locator("dl.facts").inner_text()
    household_code = page.url.rstrip("/").rsplit("/", 1)[1]
    from grid.models import Household

    household = Household.objects.get(code=household_code)
    assert household.grid_worker_id == grid.w1.pk
    assert household.contact_phone in detail  # a grid worker needs the phone number to visit
    assert page.locator(f"a[href='tel:{household.contact_phone}']").count() == 1
    context.close()


def _households_xlsx(building_code: str, rooms: list[str]) -> bytes:
    header = ["楼栋编码", "室号", "楼道", "人口数", "联系人", "联系电话"]
    return xlsx_bytes_with(
        [header, *([building_code, room, "", 2, "新住户", "13811112222"] for room in rooms)]
    )


def test_admin_imports_households_and_sees_coverage_change(
    live_server: Any, browser: Any, settings: Any, tmp_path: Any, cluster: Any
) -> None:
    settings.WASTEGRID_JOBS_INLINE = False  # the real thing: queued, run by a real worker, polled by htmx
    cluster()
    grid = build_grid()
    make_user("sd_admin", "subdistrict_admin", grid.sd)
    context = desktop(browser)
    page = context.new_page()
    login(page, live_server.url, "sd_admin")

    page.goto(f"{live_server.url}/grid/n/{grid.c1.code}/coverage/")
    assert page.locator("#cov-unassigned").inner_text() == "0"
    assert page.locator("#cov-households").inner_text() == "36"

    upload = tmp_path / "新住户.xlsx"
    upload.write_bytes(_households_xlsx(grid.b2.code, ["701", "702", "703"]))
    page.goto(f"{live_server.url}/grid/import/")
    page.select_option("select[name=kind]", "households")
    page.set_input_files("input[name=file]", str(upload))
    page.click("button[type=submit]")
    page.wait_for_selector("#import-job[data-status=done]", timeout=60_000)  # the worker starts too
    assert "已导入 3 行" in page.locator("#import-job").inner_text()

    page.goto(f"{live_server.url}/grid/n/{grid.c1.code}/coverage/")
    assert page.locator("#cov-households").inner_text() == "39"
    assert page.locator("#cov-unassigned").inner_text() == "3"
    page.get_by_role("button", name="分配未包责住户").click()
    page.wait_for_url(re.compile("/coverage/"))
    assert page.locator("#cov-unassigned").inner_text() == "0"
    assert "3 户更换了网格员" in page.locator(".msg").inner_text()
    context.close()


def test_a_rejected_file_shows_row_messages_in_the_browser(
    live_server: Any, browser: Any, settings: Any, tmp_path: Any, cluster: Any
) -> None:
    settings.WASTEGRID_JOBS_INLINE = False
    cluster()
    grid = build_grid()
    make_user("sec", "community_secretary", grid.c1)
    page = browser.new_context(locale="zh-CN").new_page()
    login(page, live_server.url, "sec")
    upload = tmp_path / "bad.xlsx"
    upload.write_bytes(_households_xlsx(grid.b3.code, ["701"]))  # b3 is in the other residential area
    page.goto(f"{live_server.url}/grid/import/")
    page.set_input_files("input[name=file]", str(upload))
    page.select_option("select[name=kind]", "households")
    page.click("button[type=submit]")
    page.wait_for_selector("#import-job[data-status=failed]", timeout=60_000)
    text = page.locator("table.errors").inner_text()
    assert "楼栋编码" in text and "No building with code" in text
