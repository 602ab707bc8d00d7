"""Dashboards read the rollups and agree with them; reports are real files whose numbers read back."""

from __future__ import annotations

import datetime
import io
import uuid
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from assessment.scoring import assess
from lib.clock import SHANGHAI, local_today
from lib.periods import Period
from reports.models import ReportJob
from reports.selectors import bucket_of, dashboard
from supervision.ingest import Row, write_rows
from supervision.services import point_create
from tests.conftest import Grid, client_for
from tonnage.models import TonnageRecord


@pytest.fixture
def records(grid: Grid) -> dict:
    """Ten days of drop-offs at one point in c1 (h1 wrong three times) and weighings, ending yesterday."""
    point = point_create(actor=None, community=grid.c1, name="甲1号点", code="TSD-P1")
    today = local_today()
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
    # Room masked for the area lead, and the code (which ends in the room) neither shown nor linked.
    assert grid.h1.code not in page and f"{grid.h1.building.name} 101" not in page
    assert f"{grid.h1.building.name} ***" in page
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
    # One language per file: the requester's (Chinese here), headers included.
    assert book.sheetnames == ["概况", "考核", "督导", "清运量", "趋势"]
    summary: dict[Any, Any] = {r[0]: r[1] for r in book["概况"].iter_rows(min_row=2, values_only=True)}
    trend: list[Any] = list(book["趋势"].iter_rows(min_row=2, values_only=True))
    drops_in_period = sum(r[1] for r in trend)
    assert summary["投放次数"] == drops_in_period
    result = assess(grid.sd, period)
    scores = {r[1]: r[-2] for r in book["考核"].iter_rows(min_row=2, values_only=True)}
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


# --- issue 17: reports say what is true, in Chinese --------------------------------------------------------


def test_numbers_have_one_format() -> None:
    from lib.numbers import fmt, num, pct

    assert fmt("464068.700000000", 1, "kg") == "464,068.7 kg"
    assert fmt(1234, 0, "户") == "1,234户" and fmt(0.875, 1, "%") == "87.5%" and fmt(None) == "—"
    assert str(pct(-0.00001, signed=True)) == "0.0%" and str(pct(0.05, signed=True)) == "+5.0%"
    assert num(464068.7, 1, "kg").excel_format == '#,##0.0" kg"' and num(3, 0).excel_value == 3


@pytest.mark.django_db
def test_report_numbers_titles_and_line_breaks(grid: Grid, records: dict, personas: dict) -> None:
    from lib.cjk import CLOSING, breaks_ok

    admin = client_for(personas["subdistrict_admin"])
    period = Period.containing("month", records["today"] - datetime.timedelta(days=1))
    admin.post(f"/reports/n/{grid.sd.code}/", {"period": period.key})
    job = ReportJob.objects.get()
    page = admin.get(f"/reports/job/{job.public_id}/").content.decode()
    assert "<title>报表" in page and "举报" not in page and "楼栋" not in page and "已完成" in page
    xlsx = b"".join(admin.get(f"/reports/job/{job.public_id}/xlsx/").streaming_content)  # type: ignore[attr-defined]
    tonnage = load_workbook(io.BytesIO(xlsx))["清运量"]
    wet = next(r for r in tonnage.iter_rows(min_row=2) if r[0].value == "湿垃圾")
    assert wet[1].data_type == "n" and wet[1].number_format == "#,##0.0"  # a number, not text
    assert wet[1].value == sum(100 + d for d in range(1, 11))
    pdf = b"".join(admin.get(f"/reports/job/{job.public_id}/pdf/").streaming_content)  # type: ignore[attr-defined]
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert f"{sum(100 + d for d in range(1, 11)):,}.0" in text and "000000" not in text  # kg, formatted
    assert "Facilities" not in text and "设施设备完" in text and "桶内纯净度" in text
    assert breaks_ok(text.splitlines()), [ln for ln in text.splitlines() if ln.strip()[:1] in CLOSING]


def test_no_line_starts_with_closing_punctuation() -> None:
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    from lib.cjk import breaks_ok
    from reports.build import BODY, _text

    sentence = "芷江西路街道共覆盖2,700户，记录桶边投放13,202次，正确投放率83.1%；定时定点值守覆盖96%。"
    for width in range(60, 140, 3):  # every width puts a different character at the line's end
        buffer = io.BytesIO()
        doc = SimpleDocTemplate(
            buffer, pagesize=(width * mm, 200 * mm), leftMargin=5 * mm, rightMargin=5 * mm
        )
        doc.build([_text(sentence * 2, BODY)])
        lines = PdfReader(io.BytesIO(buffer.getvalue())).pages[0].extract_text().splitlines()
        assert breaks_ok(lines), (width, lines)


@pytest.mark.django_db
def test_a_report_of_a_period_without_records_says_so(grid: Grid, records: dict, personas: dict) -> None:
    from reports.build import report_data, report_pdf

    today = records["today"]
    data = report_data(grid.sd, Period.parse(f"{today.year - 1}-03"), today)
    assert not data.has_data
    text = PdfReader(io.BytesIO(report_pdf(data))).pages[0].extract_text()
    assert "本期无数据" in text and "等级为" not in text and "走访名单（" not in text


@pytest.mark.django_db
def test_a_future_report_is_refused(grid: Grid, records: dict, personas: dict) -> None:
    from django.core.exceptions import ValidationError

    from reports.services import report_job_create

    admin = client_for(personas["subdistrict_admin"])
    future = f"{records['today'].year + 1}-01"
    bad = admin.post(f"/reports/n/{grid.sd.code}/", {"period": future})
    assert bad.status_code == 400 and "该期间尚未开始" in bad.content.decode()
    with pytest.raises(ValidationError):
        report_job_create(actor=personas["subdistrict_admin"], node=grid.sd, period=Period.parse(future))
    assert not ReportJob.objects.exists()


@pytest.mark.django_db
def test_the_area_lead_dashboard_ranks_by_rank(grid: Grid, records: dict, personas: dict) -> None:
    from assessment.scoring import Assessment

    real = assess

    def shuffled(*args: Any, **kwargs: Any) -> Assessment:
        result = real(*args, **kwargs)
        # c2 ranked first, c1 second, listed in code order (c1 first): the page must follow the ranks.
        ranks = {grid.c1.pk: 2, grid.c2.pk: 1}
        for area in result.areas:
            area.rank = ranks.get(area.node.pk)
        result.areas.sort(key=lambda a: a.node.code)
        return result

    import reports.selectors

    original = reports.selectors.assess
    reports.selectors.assess = shuffled  # type: ignore[assignment]
    try:
        page = client_for(personas["area_lead"]).get(f"/reports/dashboard/{grid.area.code}/").content.decode()
    finally:
        reports.selectors.assess = original
    ranking = page[page.index('id="ranking"') :]
    assert ranking.index(grid.c2.name) < ranking.index(grid.c1.name)


# --- issue 17 (second walk): one span, kept headings, a legend, punctuation that hugs its word -------------


@pytest.mark.django_db
def test_the_reports_assessment_counts_the_reports_own_days(
    grid: Grid, records: dict, personas: dict
) -> None:
    today = records["today"]
    end = today - datetime.timedelta(days=1)
    board = dashboard(grid.sd, end - datetime.timedelta(days=29), end, today=today)
    assert board.assessment is not None and board.assessment.through == end  # not today: 截至昨天
    page = (
        client_for(personas["subdistrict_admin"]).get(f"/reports/dashboard/{grid.sd.code}/").content.decode()
    )
    head = page[page.index('id="three-up"') : page.index("</thead>", page.index('id="three-up"'))]
    assert all(h in head for h in ("类别", "日均", "较基线", "三增一减")), head
    assert 'id="three-up-note"' in page and "较基线：日均量与该类别本年度基线相比" in page


def test_a_heading_is_never_left_alone_at_the_foot_of_a_page() -> None:
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    from reports.build import HEAD

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, topMargin=16 * mm, bottomMargin=16 * mm)
    # The heading fits at the foot of page 1, its 60 mm chart does not: both go to page 2.
    doc.build(
        [Spacer(1, A4[1] - 32 * mm - 50 * mm), Paragraph("二、分类清运量", HEAD), Drawing(170 * mm, 60 * mm)]
    )
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(buffer.getvalue())).pages]
    assert len(pages) == 2 and "二、分类清运量" not in pages[0] and "二、分类清运量" in pages[1]


@pytest.mark.django_db
def test_the_tonnage_chart_has_a_legend(grid: Grid, records: dict) -> None:
    from reportlab.graphics.charts.legends import Legend

    from reports.build import _tonnage_chart, report_data

    today = records["today"]
    data = report_data(grid.sd, Period.containing("month", today - datetime.timedelta(days=1)), today)
    legends = [c for c in _tonnage_chart(data).contents if isinstance(c, Legend)]
    assert [name for _colour, name in legends[0].colorNamePairs] == ["本期", "基线"]


def test_runs_of_closing_marks_and_quotes_break_cleanly() -> None:
    """ "…10.6%）。" put "。" at the start of a line (reportlab hangs one mark only), and “优” read "“ 优 ”"."""
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    from lib import cjk
    from lib.cjk import OPENING, breaks_ok
    from reports.build import BODY, _text

    sentence = (
        "日均清运量9,246.8千克（与基线相比：可回收物增37.7%，干垃圾减10.6%）。"
        "按《达标居住区（五有）》考核，等级为“优”。错误率15.0%）；“再次”《办法》"
    )
    for width in range(60, 140, 2):
        buffer = io.BytesIO()
        doc = SimpleDocTemplate(
            buffer, pagesize=(width * mm, 200 * mm), leftMargin=5 * mm, rightMargin=5 * mm
        )
        doc.build([_text(sentence * 2, BODY)])
        lines = PdfReader(io.BytesIO(buffer.getvalue())).pages[0].extract_text().splitlines()
        assert breaks_ok(lines), (width, lines)
        assert not any(ln.rstrip()[-1:] in OPENING for ln in lines[:-1]), (width, lines)
    # The CID font sets “ ” full-width with the mark at the outer edge ("“ 优 ”"): quotes go in a narrow font.
    frags = _text("等级为“优”。", BODY).frags
    assert [f.fontName for f in frags if f.text in "“”"] == [cjk.QUOTE_FONT] * 2
    assert "".join(f.text for f in frags) == "等级为“优”。"
