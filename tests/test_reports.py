"""Dashboards read the rollups and agree with them; reports are real files whose numbers read back."""

from __future__ import annotations

import datetime
import io
import uuid
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from assessment.scoring import assess
from lib.periods import Period
from reports.models import ReportJob
from reports.selectors import bucket_of, dashboard
from supervision.ingest import SHANGHAI, Row, write_rows
from supervision.services import point_create
from tests.conftest import Grid, client_for
from tonnage.models import TonnageRecord


@pytest.fixture
def records(grid: Grid) -> dict:
    """Ten days of drop-offs at one point in c1 (h1 wrong three times) and weighings, ending yesterday."""
    point = point_create(actor=None, community=grid.c1, name="甲1号点", code="TSD-P1")
    today = timezone.localdate()
    rows = []
    for d in range(1, 11):
        day = today - datetime.timedelta(days=d)
        at = datetime.datetime.combine(day, datetime.time(7, 30), tzinfo=SHANGHAI)
        for i in range(10):
            outcome = "mixed" if (i == 0 and d <= 3) else ("refused" if i == 1 and d == 5 else "correct")
            rows.append(
                Row(
                    uuid.uuid4(),
                    grid.sd.pk,
                    grid.c1.pk,
                    point.pk,
                    grid.h1.pk if i == 0 else None,
                    at,
                    day,
                    "wet",
                    outcome,
                    "dry" if outcome == "mixed" else "",
                )
            )
        TonnageRecord.objects.create(
            subdistrict=grid.sd,
            community=grid.c1,
            day=day,
            category="wet",
            kg=100 + d,
            source="ticket",
            ref=f"w{d}",
        )
    write_rows(rows, recorded_by=None)
    return {"point": point, "today": today}


@pytest.mark.django_db
def test_dashboard_figures_agree_with_the_records(grid: Grid, records: dict) -> None:
    today = records["today"]
    end = today - datetime.timedelta(days=1)
    board = dashboard(grid.sd, end - datetime.timedelta(days=29), end, today=today)
    assert board.drops.total == 100 and board.drops.correct == 96
    assert board.by == "day" and sum(board.series["drops"]) == 100
    assert sum(board.series["tonnage"]["wet"]) == sum(100 + d for d in range(1, 11))
    assert board.series["shares"]["wet"] == 100.0
    assert [(v.household.pk, v.mistakes) for v in board.visits] == [(grid.h1.pk, 3)]
    assert board.weakest[0].code == "TSD-P1"
    weekly = dashboard(grid.sd, end - datetime.timedelta(days=29), end, "week", today=today)
    assert sum(weekly.series["drops"]) == 100
    assert all(datetime.date.fromisoformat(label).weekday() == 0 for label in weekly.series["labels"])
    assert bucket_of(datetime.date(2026, 11, 27), "month") == datetime.date(2026, 11, 1)


@pytest.mark.django_db
def test_dashboard_page_masks_and_scopes(grid: Grid, records: dict, personas: dict) -> None:
    page = client_for(personas["area_lead"]).get(f"/reports/dashboard/{grid.area.code}/").content.decode()
    assert 'id="dashboard-data"' in page and "vendor/chartjs/chart.umd.js" in page
    assert (
        grid.h1.code in page and f"{grid.h1.building.name} 101" not in page
    )  # room masked for the area lead
    assert "96.0%" in page
    secretary = client_for(personas["community_secretary"])
    assert (
        f"{grid.h1.building.name} 101"
        in secretary.get(f"/reports/dashboard/{grid.c1.code}/").content.decode()
    )
    assert secretary.get(f"/reports/dashboard/{grid.c2.code}/").status_code == 404


@pytest.mark.django_db
def test_monthly_report_files_read_back(grid: Grid, records: dict, personas: dict) -> None:
    admin = client_for(personas["subdistrict_admin"])
    period = Period.containing("month", records["today"] - datetime.timedelta(days=1))
    response = admin.post(f"/reports/n/{grid.sd.code}/", {"period": period.key})
    job = ReportJob.objects.get()
    assert response["Location"] == f"/reports/job/{job.public_id}/"
    assert job.status == "done" and job.percent == 100
    status = admin.get(f"/reports/job/{job.public_id}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'data-status="done"' in status and "hx-trigger" not in status  # polling stops when done

    xlsx = b"".join(admin.get(f"/reports/job/{job.public_id}/xlsx/").streaming_content)  # type: ignore[attr-defined]
    book = load_workbook(io.BytesIO(xlsx))
    assert book.sheetnames == [
        "概况 Summary",
        "考核 Assessment",
        "督导 Supervision",
        "清运量 Tonnage",
        "趋势 Trend",
    ]
    summary: dict[Any, Any] = {
        r[0]: r[1] for r in book["概况 Summary"].iter_rows(min_row=2, values_only=True)
    }
    trend: list[Any] = list(book["趋势 Trend"].iter_rows(min_row=2, values_only=True))
    drops_in_period = sum(r[1] for r in trend)
    assert summary["投放次数 Drop-offs"] == drops_in_period
    result = assess(grid.sd, period)
    scores = {r[1]: r[-2] for r in book["考核 Assessment"].iter_rows(min_row=2, values_only=True)}
    for area in result.areas:
        expected = float(area.total) if area.total is not None else "数据不足"
        assert scores[area.node.name] == expected

    pdf = b"".join(admin.get(f"/reports/job/{job.public_id}/pdf/").streaming_content)  # type: ignore[attr-defined]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert f"{grid.sd.name}生活垃圾分类工作月报（{period.key}）" in text
    assert f"记录桶边投放{drops_in_period:,}次" in text
    assert "三增一减" in text and "考核与排名" in text


@pytest.mark.django_db
def test_annual_report_and_bad_requests(grid: Grid, records: dict, personas: dict) -> None:
    admin = client_for(personas["subdistrict_admin"])
    year = str(records["today"].year)
    admin.post(f"/reports/n/{grid.c1.code}/", {"period": year})
    job = ReportJob.objects.get()
    assert job.status == "done"
    pdf = b"".join(admin.get(f"/reports/job/{job.public_id}/pdf/").streaming_content)  # type: ignore[attr-defined]
    assert f"年报（{year}）" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    bad = admin.post(f"/reports/n/{grid.sd.code}/", {"period": "2026-13"})
    assert bad.status_code == 400 and "2026-Q4" in bad.content.decode()
    assert ReportJob.objects.count() == 1
    # Another residential area's secretary cannot see the job or its files.
    outsider = client_for(personas["outsider"])
    assert outsider.get(f"/reports/job/{job.public_id}/").status_code == 404
    assert outsider.get(f"/reports/job/{job.public_id}/pdf/").status_code == 404
    assert admin.get(f"/reports/job/{job.public_id}/doc/").status_code == 404
