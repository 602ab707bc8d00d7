"""The sub-district admin builds last month's report from the dashboard and reads its PDF; the area lead
compares residential areas (ranked best first) and drills down to the evidence. Office screen: 1366 × 768."""

from __future__ import annotations

import datetime
import io
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from assessment.models import Indicator, Scheme
from lib.cjk import breaks_ok
from lib.clock import SHANGHAI, local_today
from reports.models import ReportJob
from supervision.ingest import Row, write_rows
from supervision.services import point_create
from tests.browser.conftest import desktop, login
from tests.conftest import build_grid, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots" / "reports"


@contextmanager
def _office(browser: Any, base: str, username: str) -> Iterator[tuple[Any, Any]]:
    """A desk's context with `username` logged in: (context, page); closed on the way out."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = desktop(browser)
    try:
        page = context.new_page()
        login(page, base, username)
        yield context, page
    finally:
        context.close()


def _data() -> Any:
    """Three days of drop-offs before today in this month (or the last days of last month on the 1st..3rd):
    c1 at 70 % correct, c2 at 90 %, so c2 ranks first although c1 comes first by code."""
    grid = build_grid()
    scheme = Scheme.objects.create(
        subdistrict=grid.sd, effective_from=datetime.date(2019, 1, 1), name="测试办法", pass_mark=Decimal(60)
    )
    Indicator.objects.create(
        scheme=scheme, code="correct", name="准确投放", source="correct_rate", weight=100, min_sample=10
    )
    today = local_today()
    yesterday = today - datetime.timedelta(days=1)
    rows = []
    for c, share in ((grid.c1, 0.7), (grid.c2, 0.9)):
        point = point_create(actor=None, community=c, name=f"{c.name}1号点")
        for d in range(1, 4):
            day = today - datetime.timedelta(days=d)
            if day.month != yesterday.month:
                continue
            at = datetime.datetime.combine(day, datetime.time(7, 30), tzinfo=SHANGHAI)
            for i in range(20):
                outcome = "correct" if i < share * 20 else "mixed"
                rows.append(Row(uuid.uuid4(), grid.sd.pk, c.pk, point.pk, None, at, day, "wet", outcome, ""))
    write_rows(rows, recorded_by=None)
    return grid, yesterday


def test_admin_builds_the_monthly_report_and_reads_its_pdf(live_server: Any, browser: Any) -> None:
    grid, yesterday = _data()
    make_user("admin_rep", "subdistrict_admin", grid.sd)
    with _office(browser, live_server.url, "admin_rep") as (context, page):
        page.goto(f"{live_server.url}/reports/dashboard/{grid.sd.code}/")
        page.wait_for_selector("body[data-charts=ready]")
        page.screenshot(path=str(SHOTS / "1-admin-dashboard.png"))
        page.get_by_role("link", name="报表", exact=True).click()
        page.wait_for_selector("#new-report")
        month = f"{yesterday:%Y-%m}"
        page.fill("#new-report input[name=period]", month)
        page.click("#new-report button")
        page.wait_for_selector('#report-job[data-status="done"]')
        assert page.locator("h1").inner_text().startswith("报表")  # not 举报
        assert "已完成" in page.locator("#report-job .status").inner_text()
        page.screenshot(path=str(SHOTS / "2-admin-report-ready.png"))
        job = ReportJob.objects.get(node=grid.sd)
        assert job.period == month and job.status == "done" and job.pdf and job.xlsx
        href = page.get_by_role("link", name="下载 PDF").get_attribute("href")
        response = context.request.get(f"{live_server.url}{href}")
        assert response.ok and response.body()[:5] == b"%PDF-"
        text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)
        assert f"{grid.sd.name}生活垃圾分类工作月报（{month}）" in text
        assert "记录桶边投放" in text and "准确投放" in text
        assert breaks_ok(text.splitlines())
        # A future month is refused on the page, and nothing is stored.
        page.goto(f"{live_server.url}/reports/n/{grid.sd.code}/")
        page.fill("#new-report input[name=period]", f"{yesterday.year + 1}-01")
        page.click("#new-report button")
        page.wait_for_selector(".msg.error")
        assert "尚未开始" in page.locator(".msg.error").inner_text()
        assert ReportJob.objects.filter(node=grid.sd).count() == 1


def test_area_lead_compares_ranked_areas_and_drills_down(live_server: Any, browser: Any) -> None:
    grid, yesterday = _data()
    make_user("lead_rep", "area_lead", grid.area)
    with _office(browser, live_server.url, "lead_rep") as (context, page):
        page.goto(f"{live_server.url}/reports/dashboard/{grid.area.code}/")
        page.wait_for_selector("body[data-charts=ready]")
        ranks = page.locator("#ranking tbody tr td:first-child").all_inner_texts()
        names = page.locator("#ranking tbody tr td:nth-child(2)").all_inner_texts()
        assert ranks == ["1", "2"] and names == [grid.c2.name, grid.c1.name]  # by rank, not by code
        page.screenshot(path=str(SHOTS / "3-lead-ranking.png"))
        page.locator("#ranking a", has_text="70.00").click()  # c1: 100 points × 70 % correct
        page.wait_for_selector("#scores")
        page.locator(f'#scores tr[data-code="{grid.c1.code}"] a.score[data-indicator=correct]').click()
        page.wait_for_selector("#evidence")
        page.screenshot(path=str(SHOTS / "4-lead-evidence.png"))
        page.locator("#evidence a.records").first.click()
        page.wait_for_selector("#records")
        from supervision.models import PointDay

        expected = PointDay.objects.filter(community_id=grid.c1.pk, day__month=yesterday.month).count()
        assert page.locator("#records tbody tr").count() == expected > 0
