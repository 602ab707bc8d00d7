"""Issue 17, part 2: the office's figures add up. A node's total is the sum of its children; correct +
corrected on the spot + mistakes = all drop-offs on every page; "the last N days" means one span; the
assessment's records partition their totals; reports of a running month say "to date"."""

from __future__ import annotations

import datetime
import io
import re
import uuid
from typing import Any

import pytest
from django.conf import settings
from openpyxl import load_workbook

from lib.clock import SHANGHAI, local_today
from lib.periods import Period, last_days
from reports.build import report_data, report_end, report_pdf, report_xlsx
from reports.selectors import dashboard
from supervision.ingest import Row, write_rows
from supervision.selectors import numbers_by_child
from supervision.services import point_create
from tests.conftest import Grid, client_for

# Per day and point: 6 correct, 2 corrected on the spot, 1 mixed, 1 refused (c1); c2 gets half as many.
OUTCOMES = ["correct"] * 6 + ["corrected"] * 2 + ["mixed", "refused"]


@pytest.fixture
def drops(grid: Grid) -> dict[str, Any]:
    """Five whole days ending yesterday at a point in each residential area, and records today."""
    today = local_today()
    p1 = point_create(actor=None, community=grid.c1, name="甲1号点", code="TSD-P1")
    p2 = point_create(actor=None, community=grid.c2, name="乙1号点", code="TSD-P2")
    rows = []
    for d in range(0, 6):  # d == 0: today, not over
        day = today - datetime.timedelta(days=d)
        at = datetime.datetime.combine(day, datetime.time(7, 30), tzinfo=SHANGHAI)
        for point, community, outcomes in ((p1, grid.c1, OUTCOMES), (p2, grid.c2, OUTCOMES[::2])):
            for i, outcome in enumerate(outcomes):
                rows.append(
                    Row(
                        uuid.uuid4(),
                        grid.sd.pk,
                        community.pk,
                        point.pk,
                        grid.h1.pk if (community == grid.c1 and i >= 8) else None,
                        at,
                        day,
                        "dry" if i % 2 else "wet",
                        outcome,
                        "wet" if outcome == "mixed" else "",
                    )
                )
    write_rows(rows, recorded_by=None)
    return {"today": today, "p1": p1, "p2": p2}


def _cells(page: str, outcome: str) -> list[int]:
    return [int(n) for n in re.findall(rf'data-outcome="{outcome}" data-n="(\d+)"', page)]


@pytest.mark.django_db
def test_a_nodes_total_is_the_sum_of_its_children(grid: Grid, drops: dict) -> None:
    start, end = last_days(30, drops["today"])
    total, *children = numbers_by_child(grid.area, start, end)
    assert [c.node for c in children] == [grid.c1, grid.c2]
    assert total.drops.total == sum(c.drops.total for c in children) == 5 * 10 + 5 * 5
    for field in ("correct", "mistakes", "corrected"):
        assert getattr(total.drops, field) == sum(getattr(c.drops, field) for c in children)
    # The sub-district's total includes the area's.
    assert numbers_by_child(grid.sd, start, end)[0].drops.total == total.drops.total


@pytest.mark.django_db
def test_correct_corrected_and_mistakes_add_up_on_every_page(grid: Grid, drops: dict, personas: dict) -> None:
    lead = client_for(personas["area_lead"])
    page = lead.get(f"/supervision/numbers/{grid.area.code}/").content.decode()
    totals = _cells(page, "total")  # the node's row, its children, then weeks and days
    correct, corrected, mistakes = (_cells(page, k) for k in ("correct", "corrected", "mistakes"))
    assert totals[:3] == [75, 50, 25]  # total row, then c1, c2: the total row is no longer 0
    for i, n in enumerate(totals):
        assert correct[i] + corrected[i] + mistakes[i] == n
    assert (correct[0], corrected[0], mistakes[0]) == (45, 15, 15)

    # The dashboard uses the same definition: corrected on the spot is not a mistake.
    board = dashboard(grid.area, *last_days(30, drops["today"]), today=drops["today"])
    assert (board.drops.correct, board.drops.corrected, board.drops.mistakes) == (45, 15, 15)
    assert all(w.rate.corrected + w.rate.correct + w.rate.mistakes == w.rate.total for w in board.weakest)
    assert {w.code: w.rate.mistakes for w in board.weakest} == {"TSD-P1": 10, "TSD-P2": 5}
    dash = lead.get(f"/reports/dashboard/{grid.area.code}/").content.decode()
    assert 'id="fig-correct">60.0%' in dash and 'id="fig-corrected">20.0%' in dash
    assert 'id="fig-mistakes">20.0%' in dash


@pytest.mark.django_db
def test_the_last_days_are_one_span_everywhere_and_say_so(grid: Grid, drops: dict, personas: dict) -> None:
    today = drops["today"]
    start, end = last_days(30, today)
    assert end == today - datetime.timedelta(days=1) and (end - start).days == 29
    lead = client_for(personas["area_lead"])
    stated = f"{start:%Y-%m-%d} – {end:%Y-%m-%d}：截至昨天的整天"
    numbers = lead.get(f"/supervision/numbers/{grid.area.code}/").content.decode()
    dash = lead.get(f"/reports/dashboard/{grid.area.code}/").content.decode()
    assert stated in numbers and stated in dash
    assert f"{today:%Y-%m-%d}</td>" not in numbers  # today's records are not in the daily trend


@pytest.mark.django_db
def test_a_masked_room_is_not_shown_through_the_household_code(
    grid: Grid, drops: dict, personas: dict
) -> None:
    page = client_for(personas["area_lead"]).get(f"/supervision/numbers/{grid.area.code}/").content.decode()
    assert "***" in page and grid.h1.code not in page  # the code ends in the room the mask hides
    secretary = client_for(personas["community_secretary"]).get(f"/supervision/numbers/{grid.c1.code}/")
    assert grid.h1.code in secretary.content.decode()


@pytest.mark.django_db
def test_repeat_households_read_alike_on_the_numbers_page_and_the_dashboard(
    grid: Grid, drops: dict, personas: dict
) -> None:
    """Issue 18: one rule (grid.presenters) on both pages: the household column names the household
    (building and room), linked to its page for those who see it; the area's name is not put under it."""
    for reader, code in (("community_secretary", grid.c1.code), ("subdistrict_admin", grid.sd.code)):
        client = client_for(personas[reader])
        for url in (f"/supervision/numbers/{code}/", f"/reports/dashboard/{code}/"):
            page = client.get(url).content.decode()
            assert f'<a href="/grid/households/{grid.h1.code}/">{grid.h1.building.name} 101</a>' in page, url
    lead = client_for(personas["area_lead"])
    for url in (f"/supervision/numbers/{grid.area.code}/", f"/reports/dashboard/{grid.area.code}/"):
        page = lead.get(url).content.decode()
        assert f"{grid.h1.building.name} ***</span>" in page and grid.h1.code not in page, url
    numbers = lead.get(f"/supervision/numbers/{grid.area.code}/").content.decode()
    table = numbers[numbers.index('id="offenders"') :]
    assert f'<span class="muted" title="您的角色看不到门牌号">{grid.c1.name}</span>' not in table


@pytest.mark.django_db
def test_the_dashboard_states_its_ranking_rule_and_units(grid: Grid, drops: dict, personas: dict) -> None:
    zh = client_for(personas["area_lead"]).get(f"/reports/dashboard/{grid.area.code}/").content.decode()
    assert "按总分从高到低排名" in zh and "kg/d" not in zh and re.search(r"\d千克/天", zh)
    admin = client_for(personas["subdistrict_admin"])
    admin.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    en = admin.get(f"/reports/dashboard/{grid.sd.code}/").content.decode()
    assert "share of residential areas meeting the standard" in en and re.search(r"\d kg/day", en)


@pytest.mark.django_db
def test_the_daily_records_of_an_indicator_partition_their_total(
    grid: Grid, drops: dict, personas: dict
) -> None:
    period = Period.containing("month", drops["today"] - datetime.timedelta(days=1))
    lead = client_for(personas["area_lead"])
    page = lead.get(
        f"/assessment/n/{grid.c1.code}/i/correct/records/?period={period.key}&key=TSD-P1"
    ).content.decode()
    body = page[page.index('id="records"') :]
    rows = re.findall(r"<tr>((?:<td[^>]*>[^<]*</td>){8})</tr>", body)
    assert rows, body[:2000]
    for row in rows:
        cells = re.findall(r"<td[^>]*>([^<]*)</td>", row)
        total, parts = int(cells[2]), [int(c) for c in cells[3:]]
        assert sum(parts) == total, cells
    # The crumb "Assessment" leads to the ranking above the residential area.
    crumbs = page[page.index('class="crumbs"') : page.index("</div>", page.index('class="crumbs"'))]
    assert f"/assessment/n/{grid.area.code}/" in crumbs and crumbs.index(grid.area.code) < crumbs.index(
        grid.c1.code
    )


@pytest.mark.django_db
def test_a_running_month_is_reported_to_date(grid: Grid, drops: dict) -> None:
    today = drops["today"]
    month = Period.containing("month", today)
    assert report_end(month, today) == max(month.start, today - datetime.timedelta(days=1))
    assert report_end(month.previous(), today) == month.previous().end
    assert report_end(month, month.start) == month.start  # the first day: that day itself
    if today == month.start:
        pytest.skip("on a month's first day no whole day has passed yet")
    data = report_data(grid.sd, month, today)
    assert data.to_date and data.board.end == today - datetime.timedelta(days=1)
    assert "月至今" in data.span and f"{data.board.end:%Y-%m-%d}" in data.span
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(report_pdf(data))).pages)
    assert "至今）" in text and "公斤" not in text and "(kg)" not in text


@pytest.mark.django_db
def test_report_xlsx_is_in_one_language_with_dates_percentages_and_widths(grid: Grid, drops: dict) -> None:
    period = Period.containing("month", drops["today"] - datetime.timedelta(days=1))
    for en, summary, trend in ((False, "概况", "趋势"), (True, "Summary", "Trend")):
        book = load_workbook(io.BytesIO(report_xlsx(report_data(grid.sd, period, drops["today"], en=en))))
        headers = [c.value for c in next(book[trend].iter_rows(max_row=1))]
        texts = " ".join(
            str(h) for s in book.worksheets for h in next(s.iter_rows(max_row=1, values_only=True))
        )
        assert book.sheetnames[0] == summary
        assert (
            bool(re.search(r"[A-Za-z]{3}", texts)) == en and bool(re.search(r"[\u4e00-\u9fff]", texts)) != en
        )
        first = next(book[trend].iter_rows(min_row=2, max_row=2))
        assert isinstance(first[0].value, datetime.datetime)  # a date cell, not text
        share = first[2].value
        assert first[2].data_type == "n" and first[2].number_format.endswith("%")
        assert isinstance(share, float) and 0 < share <= 1  # a share with a % format, not 79.0
        assert "%" not in str(headers[2]) and book[trend].column_dimensions["A"].width >= 10


@pytest.mark.django_db
def test_reports_propose_the_month_so_far_when_last_month_has_no_records(grid: Grid, personas: dict) -> None:
    today = local_today()
    this_month = Period.containing("month", today)
    admin = client_for(personas["subdistrict_admin"])
    page = admin.get(f"/reports/n/{grid.sd.code}/").content.decode()
    assert f'name="period" value="{this_month.key}"' in page and 'id="default-note"' in page
    point = point_create(actor=None, community=grid.c1, name="甲1号点", code="TSD-P1")
    day = this_month.previous().start
    at = datetime.datetime.combine(day, datetime.time(7, 30), tzinfo=SHANGHAI)
    row = Row(uuid.uuid4(), grid.sd.pk, grid.c1.pk, point.pk, None, at, day, "wet", "correct", "")
    write_rows([row], recorded_by=None)
    page = admin.get(f"/reports/n/{grid.sd.code}/").content.decode()
    assert f'name="period" value="{this_month.previous().key}"' in page and 'id="default-note"' not in page
