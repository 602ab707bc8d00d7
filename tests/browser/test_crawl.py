"""Every demo login, every page its menus lead to, on a desktop and on a phone: no server error, no console
error, no request leaving the machine (issue 13, "What must show").

The pages come from following links breadth-first from each role's home page (tests/browser/crawl.py), so a
page a menu gains later is crawled without touching this test. The data is the real demo generator at a small
scale: every role, residential area and page kind is there, with ~800 instead of ~27,000 households.
Set WASTEGRID_CRAWL_SCREENSHOTS=1 to keep a full-page screenshot of every page kind under
var/screenshots/crawl/.
"""

from __future__ import annotations

import io
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command

from grid.services.demo import DEMO_LOGINS, DEMO_PASSWORD, SUBDISTRICT_CODE
from lib.clock import local_today
from tests.browser.conftest import ARGS, CHROMIUM
from tests.browser.crawl import DESKTOP, OFFLINE_ARGS, PHONE, Crawl, crawl_desktop, revisit_phone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# 1/33 of the sub-district (~800 households) keeps all 4 areas and 18 residential areas; generating it takes a
# few seconds where the full demo takes minutes.
CRAWL_SCALE = 0.03

# Pages each login must reach from its home page: if a menu or the log-in breaks, the crawl would otherwise
# pass on the one page it saw.
MUST_REACH = {
    "zjx_admin": {"audit:audit_list", "grid:tree", "reports:dashboard", "supervision:numbers", "party:frame"},
    "zjx_area1": {"reports:dashboard", "assessment:evidence", "tonnage:summary", "enforcement:case_list"},
    "jiaotong_sec": {
        "grid:coverage",
        "grid:import_start",
        "guide:review",
        "points:counter",
        "units:list",
        "enforcement:case_detail",
        "contests:host",
        "reports:file",
        "accounts:people",
    },
    "jiaotong_gw": {"grid:my_households", "grid:household_detail", "supervision:record"},
    "jiaotong_vol": {"supervision:record", "points:counter", "activities:detail"},
    "jiaotong_vol2": {"supervision:point_detail", "supervision:record"},
    "jiaotong_pm": {"party:mine", "party:org", "party:project", "supervision:home", "contests:node"},
    "zjx_unit": {"units:detail", "activities:node"},
    "zjx_officer": {"enforcement:case_list", "activities:node"},
    "jiaotong_resident": {"points:statement", "guide:category", "activities:detail", "resident:mine"},
}


@pytest.fixture(scope="module")
def offline_browser(browser: Any) -> Iterator[Any]:
    """A Chromium whose only reachable hosts are on this machine (crawl.OFFLINE_ARGS)."""
    offline = browser.browser_type.launch(executable_path=CHROMIUM, args=ARGS + OFFLINE_ARGS)
    yield offline
    offline.close()


@pytest.fixture
def demo(kb: None) -> float:
    """The demo at CRAWL_SCALE, through the same command `make demo` runs, plus one of each record the demo
    leaves to its users (a contest, the proposed cases, a built report), so that their pages are crawled too;
    returns the seconds it took."""
    from contests.services import contest_create
    from enforcement.services import repeat_cases_propose
    from grid.models import GridNode
    from lib.periods import Period
    from reports.services import report_job_create

    started = time.perf_counter()
    call_command("generate_demo", scale=CRAWL_SCALE, quiet=True, stdout=io.StringIO())
    sd = GridNode.objects.get(code=SUBDISTRICT_CODE)
    community = GridNode.objects.get(code=f"{SUBDISTRICT_CODE}-01")  # the demo logins' residential area
    today = local_today()
    assert repeat_cases_propose(subdistrict=sd, today=today), "the demo has no repeat offenders to propose"
    contest_create(actor=None, node=community, title="垃圾分类知识竞赛（巡检）", questions=5, seed=1)
    report_job_create(actor=None, node=community, period=Period.containing("month", today))  # runs inline
    return time.perf_counter() - started


def test_every_role_reaches_only_working_pages_on_desktop_and_phone(
    live_server: Any, offline_browser: Any, demo: float
) -> None:
    shots = (
        Path(settings.BASE_DIR) / "var/screenshots/crawl"
        if os.environ.get("WASTEGRID_CRAWL_SCREENSHOTS")
        else None
    )
    assert {username for _, username in DEMO_LOGINS} == set(MUST_REACH), (
        "a demo login the crawl does not know"
    )
    crawls: list[Crawl] = []
    lines = [f"demo at scale {CRAWL_SCALE}: {demo:.1f}s"]
    notes: list[str] = []
    for _, username in DEMO_LOGINS:
        context = offline_browser.new_context(**DESKTOP, locale="zh-CN")
        try:
            desktop = crawl_desktop(context, live_server.url, username, DEMO_PASSWORD, shots=shots)
        finally:
            context.close()
        context = offline_browser.new_context(**PHONE, locale="zh-CN")
        try:
            phone = revisit_phone(context, live_server.url, desktop, DEMO_PASSWORD, shots=shots)
        finally:
            context.close()
        crawls += [desktop, phone]
        missing = MUST_REACH[username] - {kind.split("?")[0] for kind in desktop.kinds}
        lines.append(
            f"{username}: {len(desktop.pages)} pages, {len(desktop.kinds)} kinds, {len(desktop.downloads)} "
            f"downloads in {desktop.seconds:.1f}s; phone {len(phone.pages)} pages in {phone.seconds:.1f}s"
            + (f"; NOT REACHED: {sorted(missing)}" if missing else "")
            + ("; STOPPED AT THE PAGE LIMIT" if desktop.truncated else "")
        )
        for size, crawl in (("desktop", desktop), ("phone", phone)):
            lines += [f"  {username} {size}: {problem}" for problem in crawl.problems]
        # Reported, not failed: a wide table scrolls sideways on a phone, which is usable if not pretty.
        notes += [f"{username} phone: wider than the screen: {url}" for url in phone.overflow]
    print("\n".join(lines + notes).replace(live_server.url, ""))  # timings and notes, for `pytest -s`
    failures = [
        line for line in lines[1:] if line.startswith("  ") or "NOT REACHED" in line or "STOPPED" in line
    ]
    assert not failures, "\n".join(lines).replace(live_server.url, "")


def test_the_crawl_notices_a_request_leaving_the_machine(live_server: Any, offline_browser: Any) -> None:
    from tests.browser.crawl import Watch

    context = offline_browser.new_context()
    try:
        crawl = Crawl("nobody")
        Watch(context, live_server.url, crawl)
        page = context.new_page()
        page.goto("about:blank")
        # Waits for the request event the watcher records (registered before this one), not a fixed time.
        with context.expect_event("request", lambda r: r.url.startswith("http://example.com/")):
            outcome = page.evaluate(
                "fetch('http://example.com/x', {mode: 'no-cors'}).then(() => 'reached').catch(() => 'blocked')"
            )
    finally:
        context.close()
    assert outcome == "blocked"
    assert [p.kind for p in crawl.problems if p.kind == "external"] == ["external"]
    assert crawl.problems[0].detail == "http://example.com/x"
