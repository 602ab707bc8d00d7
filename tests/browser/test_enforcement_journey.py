"""A residential-area secretary turns a repeat offender's bin-side records into a rectification notice."""

from __future__ import annotations

import datetime
import io
import uuid
from typing import Any

import pytest
from django.utils import timezone
from pypdf import PdfReader

from enforcement.models import Case
from supervision.ingest import SHANGHAI, Row, write_rows
from supervision.services import point_create
from tests.conftest import PASSWORD, build_grid, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_secretary_turns_repeat_offender_into_notice_pdf(
    live_server: Any, browser: Any, tmp_path: Any
) -> None:
    grid = build_grid()
    point = point_create(actor=None, community=grid.c1, name="甲1号箱房")
    today = timezone.now().astimezone(SHANGHAI).date()
    rows = []
    for d in range(5):  # caught five times in the last five days
        day = today - datetime.timedelta(days=d)
        at = datetime.datetime.combine(day, datetime.time(7, 30), tzinfo=SHANGHAI)
        rows.append(
            Row(uuid.uuid4(), grid.sd.pk, grid.c1.pk, point.pk, grid.h1.pk, at, day, "wet", "mixed", "dry")
        )
    write_rows(rows, recorded_by=None)
    make_user("sec_pdf", "community_secretary", grid.c1)
    context = browser.new_context(locale="zh-CN", accept_downloads=True)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", "sec_pdf")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        page.goto(f"{live_server.url}/cases/")
        page.get_by_role("button", name="查找多次违规住户（30 天内超过 3 次）").click()
        page.wait_for_url(f"{live_server.url}/cases/")
        page.locator("table.list a").first.click()
        case = Case.objects.get()
        page.fill("input[name=note]", "上门劝导")
        page.get_by_role("button", name="已劝导").click()
        page.wait_for_url(f"{live_server.url}/cases/c/{case.code}/")
        with page.expect_download() as info:
            page.click("#notice-pdf")
        path = tmp_path / "notice.pdf"
        info.value.save_as(path)
        text = PdfReader(io.BytesIO(path.read_bytes())).pages[0].extract_text().replace("\n", "")
        assert "生活垃圾分类整改通知书" in text and case.code in text and "湿垃圾混合投放" in text
        case.refresh_from_db()
        assert case.status == "persuasion" and len(case.evidence) == 5
    finally:
        context.close()
