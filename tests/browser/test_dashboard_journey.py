"""An area lead goes from the dashboard to the records behind one residential area's score."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import Any

import pytest

from assessment.models import Indicator, Scheme
from assessment.services import inspection_record
from lib.clock import SHANGHAI, local_today
from supervision.ingest import Row, write_rows
from supervision.models import PointDay
from supervision.services import point_create
from tests.browser.conftest import login
from tests.conftest import build_grid, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_area_lead_drills_from_dashboard_to_evidence(live_server: Any, browser: Any) -> None:
    grid = build_grid()
    scheme = Scheme.objects.create(
        subdistrict=grid.sd, effective_from=datetime.date(2019, 1, 1), name="测试办法", pass_mark=Decimal(60)
    )
    Indicator.objects.create(
        scheme=scheme, code="correct", name="准确投放", source="correct_rate", weight=60, min_sample=10
    )
    Indicator.objects.create(scheme=scheme, code="facilities", name="设施", source="inspection", weight=40)
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
        inspection_record(
            actor=None,
            community=c,
            indicator_code="facilities",
            day=yesterday,
            score="90",
            inspector="测评组",
            client_id=uuid.uuid4(),
        )
    write_rows(rows, recorded_by=None)
    make_user("lead_dash", "area_lead", grid.area)
    context = browser.new_context(locale="zh-CN", viewport={"width": 1920, "height": 1080})
    try:
        page = context.new_page()
        login(page, live_server.url, "lead_dash")
        page.goto(f"{live_server.url}/reports/dashboard/{grid.area.code}/")
        # Charts drew from the app's own Chart.js (no network in this browser).
        page.wait_for_selector("body[data-charts=ready]")
        assert page.locator("canvas#chart-correct").bounding_box()["height"] > 100  # type: ignore[index]
        # Ranking: c2 (90%) above c1 (70%); follow c1's score to the assessment.
        ranking = page.locator("#ranking tbody tr")
        assert ranking.count() == 2
        page.locator("#ranking a", has_text="78.00").click()  # c1: 60 × 0.70 + 40 × 0.90
        page.wait_for_selector("#scores")
        page.locator(f'#scores tr[data-code="{grid.c1.code}"] a.score[data-indicator=correct]').click()
        page.wait_for_selector("#evidence")
        assert page.locator("#score").inner_text() == "42.00"
        nums = [
            Decimal(v)
            for v in page.locator("#evidence [data-num]").evaluate_all("els => els.map(e => e.dataset.num)")
        ]
        assert sum(nums) == Decimal(page.locator("#num").inner_text())
        page.locator("#evidence a.records").first.click()
        page.wait_for_selector("#records")
        expected = PointDay.objects.filter(community_id=grid.c1.pk, day__month=yesterday.month).count()
        assert page.locator("#records tbody tr").count() == expected
    finally:
        context.close()
