"""Issue 14, "Every phone page": at 390 × 844 no column of any list is hidden (rows become cards of
"heading: value" lines), the activity month becomes an agenda, the menu is a compact "Menu" button, and the
app can be added to the home screen. Screenshots go to var/screenshots/phone-tables/.
"""

from __future__ import annotations

import io
import json
import re
import struct
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from grid.services.demo import DEMO_PASSWORD, SUBDISTRICT_CODE
from lib.clock import local_today
from tests.browser.conftest import desktop, login, phone
from tests.browser.crawl import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.BASE_DIR) / "var/screenshots/phone-tables"
WIDTH = PHONE["viewport"]["width"]
COMMUNITY = f"{SUBDISTRICT_CODE}-01"  # the demo logins' residential area

# Every list cell of the page, checked in the browser: shown (not display:none / zero-sized), inside the
# screen's width, and carrying its column's heading (printed by CSS from data-label) when the table has one.
CELLS_SHOWN = r"""() => {
  const problems = [];
  const W = document.documentElement.clientWidth;
  const norm = text => text.replace(/\s+/g, '');  // a <br> in a heading is a space in its label
  for (const table of document.querySelectorAll('main table.list:not(.calendar)')) {
    const heads = [...table.querySelectorAll('thead tr:last-child th')].map(th => norm(th.textContent));
    const labels = new Set();
    const rows = [...table.querySelectorAll(':scope > tbody > tr, :scope > tfoot > tr')];
    for (const tr of rows) {
      const cells = [...tr.children];
      for (const cell of cells) {
        const box = cell.getBoundingClientRect();
        const style = getComputedStyle(cell);
        const where = `#${table.id || '?'} "${cell.textContent.trim().slice(0, 30)}"`;
        if (style.display === 'none' || style.visibility === 'hidden') problems.push(`hidden ${where}`);
        else if (cell.textContent.trim() && (box.width === 0 || box.height === 0)) problems.push(`no size ${where}`);
        else if (box.left < -0.5 || box.right > W + 0.5) problems.push(`outside ${where} ${box.left}..${box.right}`);
        if (cell.dataset.label !== undefined) {
          labels.add(norm(cell.dataset.label));
          const before = getComputedStyle(cell, '::before');
          if (before.display === 'none' || before.content !== JSON.stringify(cell.dataset.label))
            problems.push(`heading not printed ${where}: ${before.content}`);
        }
      }
    }
    const multi = rows.some(tr => tr.children.length > 1);
    for (const h of heads) if (h && multi && !labels.has(h)) problems.push(`column "${h}" of #${table.id || '?'} unlabelled`);
  }
  return problems;
}"""

NO_OVERFLOW = "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"


@pytest.fixture
def demo() -> None:
    """The real demo generator at a small scale (~800 households, every role and page kind)."""

    from enforcement.services import repeat_cases_propose
    from grid.models import GridNode

    call_command("generate_demo", scale=0.03, quiet=True, stdout=io.StringIO())
    # The demo leaves cases to its users: propose the repeat offenders' so the case list has rows.
    sd = GridNode.objects.get(code=SUBDISTRICT_CODE)
    assert repeat_cases_propose(subdistrict=sd, today=local_today())


def _check_page(page: Any, base: str, path: str, shot: str, *, has_list: bool = True) -> None:
    """Open one page on the phone and assert nothing of its lists is hidden or wider than the screen."""
    response = page.goto(base + path)
    assert response is not None and response.status == 200, path
    assert page.locator("main table.list").count() > 0 or not has_list, f"{path} has no list"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{shot}.png"), full_page=True)
    assert page.evaluate(CELLS_SHOWN) == [], path
    assert page.evaluate(NO_OVERFLOW) <= WIDTH, f"{path} is wider than the phone"


def _card(page: Any, table: str, first_cell: str) -> str:
    """The text of the row (card) whose first cell reads ``first_cell``."""
    row = page.locator(f"{table} tbody tr").filter(has=page.locator("td", has_text=first_cell)).first
    row.wait_for()
    return str(row.inner_text())


def test_wide_lists_show_every_column_on_a_phone(live_server: Any, browser: Any, demo: None) -> None:
    from enforcement.models import Case
    from grid.models import Household
    from party.models import OrgKind, PartyOrg
    from units.models import MemberUnit

    base = live_server.url
    context = phone(browser)
    page = context.new_page()

    login(page, base, "jiaotong_sec", DEMO_PASSWORD)
    # The secretary's home: the 今日 panels fit the screen (they were 6 px wider than 390 px).
    _check_page(page, base, reverse("accounts:home"), "secretary-home")
    rights = page.locator("#today > .card").evaluate_all(
        "cards => cards.map(c => c.getBoundingClientRect().right)"
    )
    assert rights and max(rights) <= WIDTH, rights
    _check_page(page, base, reverse("grid:household_list"), "households")
    code = page.locator("main table.list tbody tr td").first.inner_text().strip()
    household = Household.objects.get(code=code)
    # The contact phone and the grid worker were the columns a phone used to drop.
    row = page.locator("main table.list tbody tr").first
    assert row.locator("td[data-label='联系电话']").inner_text().strip() == household.contact_phone
    assert household.contact_name in _card(page, "main table.list", code)
    worker = household.grid_worker.person.name if household.grid_worker else "—"
    assert row.locator("td[data-label='网格员']").inner_text().strip() == worker
    _check_page(page, base, reverse("units:list"), "units")
    unit = MemberUnit.objects.get(code=page.locator("#units tbody td").first.inner_text().strip())
    assert unit.name in _card(page, "#units", unit.code)
    # "Own sorting" (the 6th column, once cut off) on every unit's card.
    units = page.locator("#units tbody tr").count()
    assert units > 0 and page.locator("#units td[data-label='自身分类']").count() == units
    _check_page(page, base, reverse("activities:node", args=[COMMUNITY]), "activities", has_list=False)
    _check_agenda(page)
    context.close()

    context = phone(browser)
    page = context.new_page()
    login(page, base, "zjx_admin", DEMO_PASSWORD)
    _check_page(page, base, reverse("enforcement:case_list"), "cases")
    first = page.locator("main table.list tbody tr").first
    case = Case.objects.get(code=first.locator("td").first.inner_text().strip())
    # The case's status was the 5th column, the first one a phone used to drop.
    assert first.locator("td[data-label='状态']").inner_text().strip() == str(case.get_status_display())
    branch = PartyOrg.objects.filter(kind=OrgKind.BRANCH, members__isnull=False).order_by("code").first()
    assert branch is not None, "the demo has no branch with members"
    _check_page(page, base, reverse("party:org", args=[branch.code]), "four-leads")
    # Every member's row carries all seven columns, the "Leads" summary (the 7th, once cut off) included.
    members = page.locator("#leads tbody tr")
    assert members.count() == branch.members.count()
    assert page.locator("#leads tbody td[data-label='带头项数']").count() == members.count()
    _check_page(page, base, reverse("party:visits", args=[COMMUNITY]), "visit-plan")
    assert (
        page.locator("#coverage td[data-label='计划']").count() == page.locator("#coverage tbody tr").count()
    )
    _check_page(page, base, reverse("grid:household_list"), "households-admin")
    context.close()

    # English too: the headings printed before each value follow the language.
    context = phone(browser, "en-US")
    page = context.new_page()
    login(page, base, "jiaotong_sec", DEMO_PASSWORD)
    page.request.post(f"{base}/i18n/setlang/", form={"language": "en", "next": "/"})
    _check_page(page, base, reverse("grid:household_list"), "households-en")
    assert page.locator("main table.list td[data-label='Contact phone']").count() > 0
    context.close()


# The other pages with lists, as the sub-district's admin (who sees them all): the same checks, one shared way.
OTHER_LISTS = [
    ("supervision:numbers", [SUBDISTRICT_CODE]),
    ("supervision:home", []),
    ("reports:dashboard", [SUBDISTRICT_CODE]),
    ("reports:list", [COMMUNITY]),
    ("tonnage:summary", [SUBDISTRICT_CODE]),
    ("assessment:node", [SUBDISTRICT_CODE]),
    ("contests:node", [COMMUNITY]),
    ("points:leaders", [COMMUNITY]),
    ("audit:audit_list", []),
    ("grid:coverage", [COMMUNITY]),
    ("party:home", []),
    ("party:frame", []),
    ("party:projects", []),
    ("party:exemplars", []),
    ("party:talents", []),
    ("units:meetings", []),
]


def test_every_other_list_shows_every_column_on_a_phone(live_server: Any, browser: Any, demo: None) -> None:
    context = phone(browser)
    page = context.new_page()
    login(page, live_server.url, "zjx_admin", DEMO_PASSWORD)
    for name, args in OTHER_LISTS:
        _check_page(page, live_server.url, reverse(name, args=args), name.replace(":", "-"), has_list=False)
    context.close()


def _check_agenda(page: Any) -> None:
    """The month calendar is replaced by an agenda: every day of the month with activities, its weekday, each
    activity."""
    # The month's own days (the neighbouring months' days are greyed in the calendar, left out of the agenda).
    month_days = page.locator("#calendar td:not(.muted)")
    calendar_links = month_days.locator("a.cal-item")
    assert page.locator("#calendar").is_hidden()
    agenda = page.locator("#agenda")
    days = month_days.filter(has=page.locator("a.cal-item")).count()
    assert page.locator("#agenda > li").count() == days
    hrefs = {calendar_links.nth(i).get_attribute("href") for i in range(calendar_links.count())}
    agenda_links = agenda.locator("a")
    assert {agenda_links.nth(i).get_attribute("href") for i in range(agenda_links.count())} == hrefs
    if days:
        assert agenda.is_visible()
        assert re.search(r"星期[一二三四五六日]", agenda.locator("li b").first.inner_text())


def test_the_phone_menu_is_one_button_that_opens_every_link(
    live_server: Any, browser: Any, demo: None
) -> None:
    context = phone(browser)
    page = context.new_page()
    login(page, live_server.url, "zjx_admin", DEMO_PASSWORD)  # the longest menu
    header = page.locator("header.top").bounding_box()
    assert header is not None and header["height"] <= 140, f"the header takes {header} of 844px"
    links = page.locator("header nav a")
    assert links.count() >= 15 and links.first.is_hidden()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "menu-closed.png"))
    page.locator("header details.menu > summary").click()
    for i in range(links.count()):
        box = links.nth(i).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, links.nth(
            i
        ).inner_text()
        assert box["height"] >= 44  # a thumb-sized target
    page.screenshot(path=str(SHOTS / "menu-open.png"), full_page=True)
    page.get_by_role("link", name="操作日志").click()
    page.wait_for_url(re.compile(r"/audit/"))
    assert page.locator("header nav a").first.is_hidden()  # a new page starts with the menu closed
    context.close()

    # Wider than a phone there is no button: the links show as before.
    context = desktop(browser)
    page = context.new_page()
    login(page, live_server.url, "zjx_admin", DEMO_PASSWORD)
    assert page.locator("header details.menu > summary").is_hidden()
    assert page.locator("header nav a").first.is_visible()
    # The daily entries show; the office's less daily ones wait under "More" (issue 17: one line at 1366).
    assert page.locator("header nav > a").last.is_visible()
    assert page.locator("header details.more > summary").is_visible()
    page.screenshot(path=str(SHOTS / "menu-desktop.png"))
    context.close()


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_the_app_can_be_added_to_the_home_screen(live_server: Any, browser: Any) -> None:
    context = phone(browser)
    page = context.new_page()
    page.goto(live_server.url + "/guide/")
    href = page.locator("link[rel=manifest]").get_attribute("href")
    assert href
    manifest_url = live_server.url + href
    response = page.request.get(manifest_url)
    assert response.status == 200
    assert response.headers["content-type"].startswith("application/manifest+json")
    manifest = json.loads(response.body())
    assert manifest["id"] == manifest["start_url"] == "/" and manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["name"] and manifest["short_name"]
    assert manifest["theme_color"] == page.locator("meta[name=theme-color]").get_attribute("content")
    start = page.request.get(live_server.url + manifest["start_url"])
    assert start.status == 200  # opens (the log-in page when nobody is logged in), never a 404
    sizes = {}
    for icon in manifest["icons"]:
        data = page.request.get(manifest_url.rsplit("/", 1)[0] + "/" + icon["src"])
        assert data.status == 200, icon["src"]
        w, h = _png_size(data.body())
        assert f"{w}x{h}" == icon["sizes"], icon
        sizes[(w, icon.get("purpose", "any"))] = icon["src"]
    assert (192, "any") in sizes and (512, "any") in sizes and (512, "maskable") in sizes
    touch = page.locator("link[rel=apple-touch-icon]").get_attribute("href")
    assert touch and _png_size(page.request.get(live_server.url + touch).body()) == (180, 180)
    context.close()
