"""Enforcement at the office (1366 × 768, Chinese), from the home pages. The secretary previews the repeat
offenders of their own residential area, confirms one, persuades, issues a rectification notice (PDF) and is
stopped from recording a refusal before the notice's deadline; once it has passed, refers the case. The officer
decides fines outside and inside the ranges (an individual: ¥50–200; a unit: ¥5,000–50,000) and closes both
cases with a record (a receipt PDF; a photo of the correction). Each step checks the page and the stored rows.
Screenshots go to var/screenshots/enforcement/."""

from __future__ import annotations

import datetime
import io
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from PIL import Image
from playwright.sync_api import expect
from pypdf import PdfReader, PdfWriter

from enforcement.models import Case, CaseSource, CaseStatus, CaseStep, Subject
from grid.models import Household
from lib.clock import local_today
from tests.browser.conftest import desktop, login
from tests.conftest import build_grid, make_user
from tests.enforcement.test_services import catches

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.BASE_DIR) / "var/screenshots/enforcement"


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _pdf() -> bytes:
    out = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(width=300, height=400)
    writer.write(out)
    return out.getvalue()


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 160, 90)).save(out, "PNG")
    return out.getvalue()


def _unit_case_referred(grid: Any) -> Case:
    """A restaurant reported for mixing its waste (Art. 57(1)), persuaded, given a rectification notice whose
    deadline has passed, refused (a photo of its mixed bins kept as the evidence), referred."""
    from enforcement.services import case_open, case_step
    from lib.uploads import clean_upload

    case = case_open(
        actor=None,
        community=grid.c1,
        subject=Subject.UNIT,
        source=CaseSource.REPORT,
        violation_day=local_today() - datetime.timedelta(days=3),
        article_code="57(1)",
        subject_name="某餐饮公司",
    )
    case_step(actor=None, case=case, status=CaseStatus.PERSUASION)
    case_step(actor=None, case=case, status=CaseStatus.NOTICE)
    _deadline_passed(case)
    case_step(actor=None, case=case, status=CaseStatus.REFUSED, document=clean_upload(_png()))
    case_step(actor=None, case=case, status=CaseStatus.REFERRED)
    return case


def _deadline_passed(case: Case) -> None:
    """Ten days later (the test cannot wait): the notice's deadline lies in the past."""
    past = local_today() - datetime.timedelta(days=1)
    notice = CaseStep.objects.get(case=case, status=CaseStatus.NOTICE, voided_by__isnull=True)
    notice.data["params"]["deadline"] = past.isoformat()
    notice.save(update_fields=["data"])
    Case.objects.filter(pk=case.pk).update(due=past)


def test_secretary_previews_confirms_and_the_officer_decides_and_closes(
    live_server: Any, browser: Any, tmp_path: Any
) -> None:
    grid = build_grid()
    refuser = Household.objects.get(building=grid.b1, room="102")
    today = local_today()
    catches(grid, [1, 2, 3, 4, 5], today=today)  # five different days: meets the rule
    catches(grid, [2], outcome="refused", household=refuser, today=today)  # one refusal: persuade first
    catches(grid, [1, 2, 3, 4], household=grid.h_other, today=today)  # another area's: not this secretary's
    unit_case = _unit_case_referred(grid)
    make_user("sec_enf", "community_secretary", grid.c1)
    officer = make_user("officer_enf", "enforcement_officer", grid.sd)
    base = live_server.url

    context = desktop(browser, accept_downloads=True)
    try:
        page = context.new_page()
        login(page, base, "sec_enf")
        page.get_by_role("link", name="案件", exact=True).first.click()
        page.click("#propose")
        page.wait_for_url(f"{base}/cases/propose/")
        proposal = page.locator("#proposal")
        expect(proposal.locator(f"tr[data-household='{grid.h1.code}']")).to_contain_text("1号楼 101")
        expect(proposal.locator(f"tr[data-household='{grid.h1.code}'] input[type=checkbox]")).to_have_count(1)
        expect(proposal.locator(f"tr[data-household='{refuser.code}']")).to_contain_text("先劝导")
        expect(proposal.locator(f"tr[data-household='{refuser.code}'] input[type=checkbox]")).to_have_count(0)
        expect(proposal.locator(f"tr[data-household='{grid.h_other.code}']")).to_have_count(0)
        _shot(page, "01-secretary-preview")
        assert not Case.objects.filter(household__isnull=False).exists()  # the preview wrote nothing

        proposal.locator(f"tr[data-household='{grid.h1.code}'] input[type=checkbox]").check()
        page.click("#confirm")
        page.wait_for_url(f"{base}/cases/")
        expect(page.locator(".msg")).to_contain_text("已立案 1 件")
        case = Case.objects.get(household=grid.h1)
        assert (case.source, len(case.evidence), case.community_id) == ("repeat_rule", 5, grid.c1.pk)
        row = page.locator("#cases tr", has_text=case.code)
        expect(row).to_contain_text("1号楼 101")
        _shot(page, "02-secretary-list")

        row.get_by_role("link", name=case.code).click()
        expect(page.locator("#steps")).to_contain_text("30 天内有 5 天违规（共 5 条记录）")
        # Buttons name the action (issue 17); nothing to void while there is only the first step.
        expect(page.locator("#case-step button[value=void]")).to_have_count(0)
        page.fill("input[name=note]", "上门劝导")
        page.get_by_role("button", name="记录劝导").click()
        expect(page.locator("h1 small")).to_have_text("已劝导")
        deadline = local_today() + datetime.timedelta(days=10)
        expect(page.locator("input[name=deadline]")).to_have_value(deadline.isoformat())
        page.get_by_role("button", name="发出整改通知").click()
        expect(page.locator("#due")).to_contain_text(deadline.isoformat())
        with page.expect_download() as info:
            page.click("#notice-pdf")
        path = tmp_path / "notice.pdf"
        info.value.save_as(path)
        text = PdfReader(io.BytesIO(path.read_bytes())).pages[0].extract_text().replace("\n", "")
        assert "生活垃圾分类整改通知书" in text and case.code in text and f"{deadline:%Y年%m月%d日}" in text

        # Before the deadline "refused" is not offered: disabled, with the day it becomes possible.
        expect(page.get_by_role("button", name="认定拒不改正")).to_be_disabled()
        expect(page.locator("#wait-refused")).to_have_text(f"整改期限至 {deadline.isoformat()} 之后")
        _shot(page, "03-secretary-refused-before-deadline")
        case.refresh_from_db()
        assert (case.status, case.due) == (CaseStatus.NOTICE, deadline)

        # Ten days later (the test cannot wait): the deadline has passed, the refusal and referral go through.
        _deadline_passed(case)
        page.reload()
        page.get_by_role("button", name="认定拒不改正").click()
        expect(page.locator("h1 small")).to_have_text("拒不改正")
        page.get_by_role("button", name="移送执法").click()
        expect(page.locator("h1 small")).to_have_text("已移送城管")
        case.refresh_from_db()
        assert case.status == CaseStatus.REFERRED
        page.close()

        # The officer: referred cases, with the party's room and name (to find and serve them; the phone stays
        # masked), a fine within the range only.
        page = context.new_page()
        context.clear_cookies()
        login(page, base, "officer_enf")
        page.click("#cases")
        row = page.locator("#cases tr", has_text=case.code)
        expect(row).to_contain_text(f"1号楼 101 {grid.h1.contact_name}")  # whom the fine is for, and where
        expect(page.locator("#cases")).not_to_contain_text(grid.h1.contact_phone)
        _shot(page, "04-officer-list")
        row.get_by_role("link", name=case.code).click()
        page.fill("input[name=fine]", "300")
        page.get_by_role("button", name="作出决定").click()
        expect(page.locator(".msg.error")).to_contain_text("50–200")
        expect(page.locator("input[name=fine]")).to_have_value("300")  # kept, to correct rather than retype
        _shot(page, "05-officer-fine-outside-range")
        assert Case.objects.get(pk=case.pk).status == CaseStatus.REFERRED
        page.fill("input[name=fine]", "150")
        page.get_by_role("button", name="作出决定").click()
        expect(page.locator("h1 small")).to_have_text("已作出处罚")
        assert (Case.objects.get(pk=case.pk).fine, Case.objects.get(pk=case.pk).officer_id) == (
            150,
            officer.pk,
        )

        page.goto(f"{base}/")
        page.click("#cases")
        page.locator("#cases tr", has_text=unit_case.code).get_by_role("link", name=unit_case.code).click()
        expect(page.locator("dl.facts")).to_contain_text("某餐饮公司")
        page.fill("input[name=fine]", "60000")
        page.get_by_role("button", name="作出决定").click()
        expect(page.locator(".msg.error")).to_contain_text("5000–50000")
        page.fill("input[name=fine]", "8000")
        page.get_by_role("button", name="作出决定").click()
        expect(page.locator("h1 small")).to_have_text("已作出处罚")
        assert Case.objects.get(pk=unit_case.pk).fine == 8000

        # Closing with a record, from the officer's home.
        page.goto(f"{base}/")
        page.click("#cases-to-close")
        expect(page.locator("#cases tbody tr")).to_have_count(2)
        _shot(page, "06-officer-cases-to-close")
        page.locator("#cases tr", has_text=case.code).get_by_role("link", name=case.code).click()
        form = page.locator("#close-case")
        form.locator("input[name=amount]").fill("150")
        form.locator("input[name=document]").set_input_files(
            {"name": "收据.pdf", "mimeType": "application/pdf", "buffer": _pdf()}
        )
        _shot(page, "07-officer-close-form")
        form.get_by_role("button", name="结案").click()
        expect(page.locator("h1 small")).to_have_text("已结案")
        expect(page.locator("#steps")).to_contain_text("罚款 150 元已缴纳")
        closing = CaseStep.objects.get(case=case, status=CaseStatus.CLOSED)
        assert closing.data["outcome"] == "paid" and str(closing.document.name).endswith(".pdf")
        with page.expect_download() as info:
            page.locator("#steps").get_by_role("link", name="凭证文件").click()
        assert info.value.suggested_filename.endswith(".pdf")
        _shot(page, "08-officer-closed")

        page.goto(f"{base}/cases/to-close/")
        page.locator("#cases tr", has_text=unit_case.code).get_by_role("link", name=unit_case.code).click()
        form = page.locator("#close-case")
        form.get_by_label("已更正").check()
        form.locator("input[name=note]").fill("已配置分类垃圾桶并完成整改")
        form.locator("input[name=document]").set_input_files(
            {"name": "photo.png", "mimeType": "image/png", "buffer": _png()}
        )
        form.get_by_role("button", name="结案").click()
        expect(page.locator("h1 small")).to_have_text("已结案")
        expect(page.locator("#steps")).to_contain_text("已配置分类垃圾桶并完成整改")
        closing = CaseStep.objects.get(case=unit_case, status=CaseStatus.CLOSED)
        assert closing.data["outcome"] == "corrected" and str(closing.document.name).endswith(".png")
        page.goto(f"{base}/cases/to-close/")
        expect(page.locator("#cases tbody tr")).to_have_count(1)  # the "no cases" row
        expect(page.locator("#cases")).to_contain_text("暂无案件")
    finally:
        context.close()
