"""Enforcement: fines within every article and tier, the evidence rule at its edges, the preview and the
confirmation, the version in force on the day, the steps (deadlines, voiding one), closing with a record, the
case list, officer scope, translated step notes and the rectification notice PDF."""

from __future__ import annotations

import datetime
import io
import uuid
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from pypdf import PdfReader

from enforcement.models import Article, Case, CaseSource, CaseStatus, Subject, Tier
from enforcement.services import (
    article_in_force,
    case_decide,
    case_open,
    case_step,
    case_void_last_step,
    fine_check,
)
from enforcement.services_proposal import repeat_cases_propose, repeat_catches
from grid.models import Household
from lib.clock import SHANGHAI, local_today
from supervision.ingest import Row, write_rows
from supervision.services import point_create
from tests.conftest import Grid, client_for

TODAY = datetime.date(2026, 11, 20)


def catches(
    grid: Grid,
    days_ago: list[int],
    outcome: str = "mixed",
    *,
    household: Household | None = None,
    today: datetime.date = TODAY,
) -> list[str]:
    household = household or grid.h1
    point = point_create(actor=None, community=household.community, name=f"点{uuid.uuid4().hex[:4]}")
    rows = []
    for i, d in enumerate(days_ago):
        day = today - datetime.timedelta(days=d)
        at = datetime.datetime.combine(day, datetime.time(8, i % 60), tzinfo=SHANGHAI)
        rows.append(
            Row(
                uuid.uuid4(),
                grid.sd.pk,
                household.community_id,
                point.pk,
                household.pk,
                at,
                day,
                "wet",
                outcome,
                "dry",
            )
        )
    write_rows(rows, recorded_by=None)
    return [str(r.client_id) for r in rows]


def _manual_case(household: Household) -> Case:
    """An individual's case opened by hand for `household`, for a violation TODAY under 57(2)."""
    return case_open(
        actor=None,
        community=household.community,
        subject=Subject.INDIVIDUAL,
        source=CaseSource.MANUAL,
        violation_day=TODAY,
        article_code="57(2)",
        household=household,
    )


@pytest.mark.django_db
def test_every_article_and_tier_accepts_its_range_and_refuses_outside() -> None:
    articles = list(Article.objects.all())
    assert {a.code for a in articles} >= {"57(1)", "57(2)", "58(1)", "58(2)", "60(1)", "60(2)"}
    for article in articles:
        fine_check(article=article, tier=None, amount=article.fine_min)
        fine_check(article=article, tier=None, amount=article.fine_max)
        for amount in (article.fine_min - 1, article.fine_max + 1):
            with pytest.raises(ValidationError):
                fine_check(article=article, tier=None, amount=amount)
        for tier in article.tiers.all():
            fine_check(article=article, tier=tier, amount=tier.fine_min)
            fine_check(article=article, tier=tier, amount=tier.fine_max)
            with pytest.raises(ValidationError) as info:
                fine_check(article=article, tier=tier, amount=tier.fine_max + 1)
            assert str(tier.fine_max) in str(info.value)
    individual = Tier.objects.get(article__code="57(2)", code="wet-1")
    with pytest.raises(ValidationError):  # a tier of another article
        fine_check(article=Article.objects.get(code="57(1)"), tier=individual, amount=80)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("days_ago", "caught"),
    [
        ([0, 1, 2], False),
        ([0, 1, 2, 3], True),
        ([0, 5, 10, 29], True),
        ([0, 5, 10, 30], False),
        ([0, 0, 0, 0, 0, 1, 1, 2], False),  # eight taps on three days: three occasions
        ([0, 0, 1, 2, 3], True),
    ],
)
def test_the_30_day_rule_at_its_edges(grid: Grid, days_ago: list[int], caught: bool) -> None:
    catches(grid, days_ago)
    catches(grid, [1, 2], outcome="correct")  # correct drop-offs never count
    found = repeat_catches(None, subdistrict=grid.sd, today=TODAY)
    assert (grid.h1.pk in found) is caught
    if caught:
        assert len(found[grid.h1.pk]) == len(days_ago)


@pytest.mark.django_db
def test_the_version_in_force_on_the_day_applies(grid: Grid) -> None:
    amended = Article.objects.create(
        code="57(2)",
        subject=Subject.INDIVIDUAL,
        title="个人混合投放（修订）",
        condition="x",
        fine_min=100,
        fine_max=500,
        correction="immediate",
        effective_from=datetime.date(2026, 7, 1),
    )
    assert article_in_force("57(2)", datetime.date(2026, 6, 30)).fine_max == 200
    assert article_in_force("57(2)", datetime.date(2026, 7, 1)) == amended
    with pytest.raises(ValidationError):
        article_in_force("57(2)", datetime.date(2019, 6, 30))  # before the regulation


@pytest.mark.django_db
def test_proposal_steps_decision_and_void(grid: Grid, personas: dict) -> None:
    evidence = catches(grid, [0, 1, 2, 3, 4])
    cases = repeat_cases_propose(subdistrict=grid.sd, today=TODAY)
    assert (
        len(cases) == 1 and repeat_cases_propose(subdistrict=grid.sd, today=TODAY) == []
    )  # no second open case
    case = cases[0]
    assert case.source == CaseSource.REPEAT_RULE and sorted(case.evidence) == sorted(evidence)
    page = client_for(personas["community_secretary"]).get(f"/cases/c/{case.code}/").content.decode()
    assert page.count("<li>") >= 5 and "混投" in page  # the five records are shown as evidence
    secretary, officer = personas["community_secretary"], personas["enforcement_officer"]
    with pytest.raises(ValidationError):
        case_step(actor=secretary, case=case, status=CaseStatus.REFERRED)  # not from "proposed"
    for status in (CaseStatus.PERSUASION, CaseStatus.NOTICE):
        case_step(actor=secretary, case=case, status=status)
    case.refresh_from_db()
    deadline = local_today() + datetime.timedelta(days=10)
    assert case.due == deadline
    with pytest.raises(ValidationError) as info:
        case_step(actor=secretary, case=case, status=CaseStatus.REFUSED)
    assert deadline.isoformat() in str(info.value)
    _deadline_passed(case)
    for status in (CaseStatus.REFUSED, CaseStatus.REFERRED):
        case_step(actor=secretary, case=case, status=status)
    case.refresh_from_db()
    tier = Tier.objects.get(article=case.article, code="wet-1")
    with pytest.raises(ValidationError):
        case_decide(officer=officer, case=case, amount=150, tier=tier)  # 50–100 for a first refusal
    case_decide(officer=officer, case=case, amount=100, tier=tier)
    case.refresh_from_db()
    assert (case.status, case.fine) == (CaseStatus.DECIDED, 100)
    case_void_last_step(actor=secretary, case=case, reason="复核：档次有误")
    case.refresh_from_db()
    assert (case.status, case.fine) == (CaseStatus.REFERRED, None)
    assert case.steps.count() == 7 and case.steps.filter(voided_by__isnull=False).count() == 1


@pytest.mark.django_db
def test_officers_see_only_referred_cases(grid: Grid, personas: dict) -> None:
    case = _manual_case(grid.h1)
    officer = client_for(personas["enforcement_officer"])
    assert officer.get(f"/cases/c/{case.code}/").status_code == 404
    _refer(case, evidence=catches(grid, [1]))
    page = officer.get(f"/cases/c/{case.code}/").content.decode()
    # The officer acting on the case must find and serve the party: the address, the room and the name are
    # shown on the case page and the list (they were masked before: the officer could not find the door).
    body = page.split("<main>", 1)[1]
    assert case.code in page and grid.h1.room in body and "***" not in body
    assert 'id="party-address"' in body and grid.h1.building.address in body
    assert grid.h1.contact_name in page  # ... and knows whom the fine is for
    listed = officer.get("/cases/").content.decode().split("<main>", 1)[1]
    assert grid.h1.contact_name in listed and f"{grid.h1.building.name} {grid.h1.room}" in listed
    assert grid.h1.contact_phone not in page
    tier = Tier.objects.get(article=case.article, code="wet-1")
    refused = officer.post(
        f"/cases/c/{case.code}/act/", {"action": "decide", "fine": "999", "tier": tier.pk, "note": "复核"}
    )
    assert Case.objects.get(pk=case.pk).status == CaseStatus.REFERRED  # refused: outside the range
    # The form comes back as entered, with the reason.
    body = refused.content.decode()
    assert refused.status_code == 400 and "50–100" in body
    assert 'value="999"' in body and 'value="复核"' in body and f'value="{tier.pk}" selected' in body
    officer.post(f"/cases/c/{case.code}/act/", {"action": "decide", "fine": "80", "tier": tier.pk})
    assert Case.objects.get(pk=case.pk).fine == 80
    assert client_for(personas["outsider"]).get(f"/cases/c/{case.code}/").status_code == 404
    assert client_for(personas["volunteer"]).get("/cases/").status_code == 403


@pytest.mark.django_db
def test_rectification_notice_pdf_is_chinese_and_extractable(grid: Grid, personas: dict) -> None:
    evidence = catches(grid, [0, 1, 2, 3])
    case = case_open(
        actor=None,
        community=grid.c1,
        subject=Subject.INDIVIDUAL,
        source=CaseSource.REPEAT_RULE,
        violation_day=TODAY,
        article_code="57(2)",
        household=grid.h1,
        evidence=evidence,
    )
    client = client_for(personas["community_secretary"])
    assert client.get(f"/cases/c/{case.code}/notice.pdf").status_code == 404  # no notice step yet
    assert "notice-pdf" not in client.get(f"/cases/c/{case.code}/").content.decode()
    case_step(actor=None, case=case, status=CaseStatus.PERSUASION)
    assert client.get(f"/cases/c/{case.code}/notice.pdf").status_code == 404
    case_step(actor=None, case=case, status=CaseStatus.NOTICE)
    assert "notice-pdf" in client.get(f"/cases/c/{case.code}/").content.decode()
    response = client.get(f"/cases/c/{case.code}/notice.pdf")
    assert response["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text().replace("\n", "")
    for expected in (
        "生活垃圾分类整改通知书",
        case.code,
        "《上海市生活垃圾管理条例》第二十四条第一款",
        "依据《上海市生活垃圾管理条例》第五十七条第二款",
        "50元以上200元以下",
        "当事人签字",
        "湿垃圾混合投放",
    ):
        assert expected in text, expected
    # One citation style for the regulation (issue 17): never "第57(2)条" beside "第二十四条第一款".
    assert "57(2)" not in text and "该条例" not in text


def test_article_codes_are_cited_in_one_style() -> None:
    from enforcement.notice import cite

    assert [cite(c) for c in ("57(2)", "58(1)", "60", "110(3)")] == [
        "第五十七条第二款",
        "第五十八条第一款",
        "第六十条",
        "第一百一十条第三款",
    ]


def _refer(case: Case, *, evidence: list[str] | None = None, document: Any = None) -> None:
    """Walk a case the only way to "referred": persuasion, a notice, its deadline passed, refused (with
    `document` as evidence when given), referred; `evidence` (record client ids) is put on the case first."""
    if evidence is not None:
        Case.objects.filter(pk=case.pk).update(evidence=evidence)
        case.refresh_from_db()
    case_step(actor=None, case=case, status=CaseStatus.PERSUASION)
    case_step(actor=None, case=case, status=CaseStatus.NOTICE)
    _deadline_passed(case)
    case_step(actor=None, case=case, status=CaseStatus.REFUSED, document=document)
    case_step(actor=None, case=case, status=CaseStatus.REFERRED)


def _deadline_passed(case: Case) -> None:
    """Let the notice's deadline lie in the past (the test cannot wait ten days)."""
    from enforcement.models import CaseStep

    past = local_today() - datetime.timedelta(days=1)
    Case.objects.filter(pk=case.pk).update(due=past)
    step = CaseStep.objects.get(case=case, status=CaseStatus.NOTICE, voided_by__isnull=True)
    step.data["params"]["deadline"] = past.isoformat()
    step.save(update_fields=["data"])


@pytest.mark.django_db
def test_open_a_case_from_a_report_about_a_unit(grid: Grid, personas: dict) -> None:
    client = client_for(personas["community_secretary"])
    response = client.post(
        "/cases/new/",
        {
            "community": grid.c1.code,
            "subject": "unit",
            "subject_name": "某餐饮公司",
            "article": "57(1)",
            "violation_day": "2026-11-20",
            "source": "report",
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302 and case.subject_name == "某餐饮公司" and case.article.code == "57(1)"
    assert case.source == CaseSource.REPORT
    wrong = client.post(
        "/cases/new/",
        {
            "community": grid.c1.code,
            "subject": "individual",
            "article": "57(1)",
            "violation_day": "2026-11-20",
            "source": "manual",
        },
    )
    assert wrong.status_code == 200 and Case.objects.count() == 1  # article 57(1) is for units
    other = client.post(
        "/cases/new/",
        {"community": grid.c2.code, "subject": "unit", "article": "57(1)", "violation_day": "2026-11-20"},
    )
    assert other.status_code == 200 and Case.objects.count() == 1  # not this secretary's residential area


@pytest.mark.django_db
def test_staff_bound_below_a_residential_area_see_no_cases(grid: Grid) -> None:
    from accounts.models import User
    from enforcement.services import cases_visible_to

    _manual_case(grid.h1)
    below = User(username="mg_sec", role="community_secretary", node=grid.m1)
    other = User(username="c2_sec", role="community_secretary", node=grid.c2)
    area = User(username="lead", role="area_lead", node=grid.area)
    assert list(cases_visible_to(below)) == [] and list(cases_visible_to(other)) == []
    assert cases_visible_to(area).count() == 1


# --- the preview and the confirmation -----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_preview_lists_without_writing(grid: Grid, personas: dict, django_assert_max_num_queries) -> None:
    from audit.models import AuditEntry
    from enforcement.models import CaseStep
    from enforcement.services_proposal import OFFERED, PERSUADE_FIRST, repeat_proposal

    today = local_today()
    catches(grid, [0, 1, 2, 3, 4], today=today)
    refuser = Household.objects.get(building=grid.b1, room="102")
    catches(grid, [1], outcome="refused", household=refuser, today=today)
    catches(grid, [0, 1, 2, 3], household=grid.h_other, today=today)  # c2: not the c1 secretary's
    secretary = personas["community_secretary"]
    before = (Case.objects.count(), CaseStep.objects.count(), AuditEntry.objects.count())
    with django_assert_max_num_queries(8):
        found = repeat_proposal(actor=secretary, node=grid.c1, today=today)
    assert [(c.household, c.state) for c in found] == [(grid.h1, OFFERED), (refuser, PERSUADE_FIRST)]
    assert (found[0].days, found[0].records, found[0].kinds) == (5, 5, {"mixed": 5})
    assert found[0].last_days[0] == today
    page = client_for(secretary).get("/cases/propose/").content.decode()
    assert (before) == (Case.objects.count(), CaseStep.objects.count(), AuditEntry.objects.count())
    assert f'value="{grid.h1.code}"' in page and f'value="{refuser.code}"' not in page  # not offered
    assert "先劝导" in page and grid.h_other.code not in page and "101" in page  # the secretary sees rooms
    masked = client_for(personas["subdistrict_admin"]).get("/cases/propose/").content.decode()
    assert grid.h_other.code in masked  # the admin proposes for the whole sub-district


@pytest.mark.django_db
def test_confirm_opens_only_the_ticked_households_in_scope(grid: Grid, personas: dict) -> None:
    from audit.models import AuditEntry

    today = local_today()
    second = Household.objects.get(building=grid.b2, room="201")
    for household in (grid.h1, second, grid.h_other):
        catches(grid, [0, 2, 4, 6], household=household, today=today)
    client = client_for(personas["community_secretary"])
    audits = AuditEntry.objects.count()
    # Another residential area's household in the form: refused as a whole, nothing written.
    response = client.post("/cases/propose/", {"household": [grid.h1.code, grid.h_other.code]})
    assert response.status_code == 403 and Case.objects.count() == 0
    assert AuditEntry.objects.count() == audits
    response = client.post("/cases/propose/", {"household": [grid.h1.code]})
    assert response.status_code == 302
    (case,) = Case.objects.all()
    assert (case.household, case.source, len(case.evidence)) == (grid.h1, CaseSource.REPEAT_RULE, 4)
    assert case.steps.get().data == {"msg": "repeat", "params": {"days": 4, "window": 30, "records": 4}}
    assert AuditEntry.objects.filter(model="enforcement.Case", object_id=str(case.pk)).exists()
    # The same form sent again (double submit): no second case.
    client.post("/cases/propose/", {"household": [grid.h1.code]})
    assert Case.objects.count() == 1
    # Nothing ticked: nothing opened, back to the preview with a message.
    assert client.post("/cases/propose/", {}).status_code == 302 and Case.objects.count() == 1


@pytest.mark.django_db
def test_a_lone_refusal_is_persuaded_first_not_offered(grid: Grid, personas: dict) -> None:
    from enforcement.services_proposal import repeat_cases_confirm

    today = local_today()
    catches(grid, [2], outcome="refused", today=today)
    assert repeat_cases_propose(subdistrict=grid.sd, today=today) == []
    with pytest.raises(ValidationError) as info:
        repeat_cases_confirm(
            actor=personas["community_secretary"], node=grid.c1, today=today, household_codes=[grid.h1.code]
        )
    assert grid.h1.code in str(info.value) and Case.objects.count() == 0


# --- deadlines ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_steps_after_a_notice_wait_for_its_deadline_with_the_date_in_both_languages(
    grid: Grid, personas: dict
) -> None:
    from django.utils import translation

    secretary = personas["community_secretary"]
    case = _manual_case(grid.h1)
    case_step(actor=secretary, case=case, status=CaseStatus.PERSUASION)
    deadline = local_today() + datetime.timedelta(days=12)
    case_step(actor=secretary, case=case, status=CaseStatus.NOTICE, deadline=deadline)
    for lang, words in (("zh-hans", "期限至"), ("en", "gives until")):
        with translation.override(lang), pytest.raises(ValidationError) as info:
            case_step(actor=secretary, case=case, status=CaseStatus.REFUSED)
        assert deadline.isoformat() in str(info.value) and words in str(info.value)
    # Through the page: the message shows, the case stays at the notice.
    client = client_for(secretary)
    page = client.post(f"/cases/c/{case.code}/act/", {"action": "refused"}, follow=True).content.decode()
    assert deadline.isoformat() in page
    case.refresh_from_db()
    assert (case.status, case.due) == (CaseStatus.NOTICE, deadline)
    case_void_last_step(actor=secretary, case=case, reason="期限写错")
    for wrong in (local_today(), local_today() + datetime.timedelta(days=61)):
        with pytest.raises(ValidationError):  # today, or more than 60 days ahead
            case_step(actor=secretary, case=case, status=CaseStatus.NOTICE, deadline=wrong)
    case_step(actor=secretary, case=case, status=CaseStatus.NOTICE, deadline=deadline)
    pdf = client.get(f"/cases/c/{case.code}/notice.pdf").content
    assert f"{deadline:%Y年%m月%d日}" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text().replace("\n", "")


# --- closing with a record ------------------------------------------------------------------------------------


def _decided(grid: Grid, officer, *, fine: int = 150) -> Case:  # type: ignore[no-untyped-def]
    case = _manual_case(grid.h1)
    _refer(case, evidence=catches(grid, [1]))
    case_decide(officer=officer, case=case, amount=fine)
    case.refresh_from_db()
    return case


def _pdf_bytes() -> bytes:
    from pypdf import PdfWriter

    out = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.write(out)
    return out.getvalue()


@pytest.mark.django_db
def test_the_officer_closes_a_decided_case_with_a_record(grid: Grid, personas: dict) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from enforcement.models import CaseStep
    from enforcement.services import case_close

    officer = personas["enforcement_officer"]
    case = _decided(grid, officer)
    with pytest.raises(ValidationError):  # a decided case does not close without a record
        case_step(actor=officer, case=case, status=CaseStatus.CLOSED)
    client = client_for(officer)
    assert case.code in client.get("/cases/to-close/").content.decode()
    url = f"/cases/c/{case.code}/act/"
    bad: list[dict[str, Any]] = [
        {
            "outcome": "paid",
            "amount": "100",
            "document": SimpleUploadedFile("r.pdf", _pdf_bytes()),
        },  # not ¥150
        {"outcome": "paid", "amount": "150"},  # no receipt
        {"outcome": "paid", "amount": "abc", "document": SimpleUploadedFile("r.pdf", _pdf_bytes())},
        {"outcome": "paid", "amount": "150", "document": SimpleUploadedFile("r.svg", b"<svg></svg>")},
        {"outcome": "corrected", "document": SimpleUploadedFile("r.pdf", _pdf_bytes())},  # no note
    ]
    for form in bad:
        response = client.post(url, {"action": "close", **form}, follow=True)
        assert response.status_code == 200
        assert Case.objects.get(pk=case.pk).status == CaseStatus.DECIDED
    assert not CaseStep.objects.filter(status=CaseStatus.CLOSED).exists()
    with pytest.raises(PermissionDenied):  # the secretary does not close decided cases
        case_close(
            actor=personas["community_secretary"],
            case=case,
            outcome="paid",
            amount=150,
            document=_pdf_bytes(),
        )
    response = client.post(
        url,
        {
            "action": "close",
            "outcome": "paid",
            "amount": "150",
            "document": SimpleUploadedFile("收据.pdf", _pdf_bytes()),
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    step = case.steps.get(status=CaseStatus.CLOSED)
    assert case.status == CaseStatus.CLOSED and step.data["outcome"] == "paid" and step.data["amount"] == 150
    assert str(step.document.name).endswith(".pdf") and step.by == officer
    page = client.get(f"/cases/c/{case.code}/").content.decode()
    assert "罚款 150 元已缴纳" in page
    n = list(case.steps.all()).index(step) + 1  # a step's document is named by its place in the case
    served = client.get(f"/cases/c/{case.code}/doc/{n}/")
    assert served["Content-Type"] == "application/pdf" and served["X-Content-Type-Options"] == "nosniff"
    assert client_for(personas["outsider"]).get(f"/cases/c/{case.code}/doc/{n}/").status_code == 404
    assert case.code not in client.get("/cases/to-close/").content.decode()


# --- the list ---------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_case_list_filters_pages_and_masks(
    grid: Grid, personas: dict, django_assert_max_num_queries
) -> None:
    rooms = list(Household.objects.filter(community=grid.c1).order_by("pk"))[:30]
    for household in rooms:
        _manual_case(household)
    other = _manual_case(grid.h_other)
    first = Case.objects.filter(household=grid.h1).get()
    case_step(actor=None, case=first, status=CaseStatus.PERSUASION)
    admin = client_for(personas["subdistrict_admin"])
    with django_assert_max_num_queries(12):
        page1 = admin.get("/cases/").content.decode()
    assert page1.count("<tr><td data-label") == 25 and "31" in page1 and "page=2" in page1
    page2 = admin.get("/cases/", {"page": "2"}).content.decode()
    assert page2.count("<tr><td data-label") == 6
    assert admin.get("/cases/", {"page": "x%00"}).status_code == 200  # never a 500: the first page
    only_c2 = admin.get("/cases/", {"area": grid.c2.code}).content.decode()
    assert other.code in only_c2 and first.code not in only_c2
    persuaded = admin.get("/cases/", {"status": "persuasion"}).content.decode()
    assert first.code in persuaded and persuaded.count("<tr><td data-label") == 1
    assert "1号楼 101" in page2 and "1号楼 ***" not in page1 + page2  # the admin sees rooms (h1's: oldest)
    lead = client_for(personas["area_lead"]).get("/cases/", {"status": "persuasion"}).content.decode()
    assert first.code in lead and "1号楼 101" not in lead and "1号楼 ***" in lead  # masked for the lead
    waiting = local_today() + datetime.timedelta(days=10)
    case_step(actor=None, case=first, status=CaseStatus.NOTICE)
    assert first.code in admin.get("/cases/", {"due": "waiting"}).content.decode()
    assert first.code not in admin.get("/cases/", {"due": "overdue"}).content.decode()
    _deadline_passed(first)
    overdue = admin.get("/cases/", {"due": "overdue"}).content.decode()
    assert first.code in overdue and waiting.isoformat() not in overdue


# --- generated text in the reader's language ------------------------------------------------------------------


@pytest.mark.django_db
def test_generated_step_notes_are_translated(grid: Grid, personas: dict) -> None:
    from django.conf import settings
    from django.utils import translation

    from enforcement.models import CaseStep

    today = local_today()
    catches(grid, [0, 1, 2, 3], today=today)
    (case,) = repeat_cases_propose(subdistrict=grid.sd, today=today)
    legacy = CaseStep.objects.create(case=case, status=CaseStatus.PROPOSED, note="7 catches in 30 days")
    client = client_for(personas["community_secretary"])
    # The test client's requests activate their language in this thread: restore it afterwards.
    with translation.override(settings.LANGUAGE_CODE):
        zh = client.get(f"/cases/c/{case.code}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        en = client.get(f"/cases/c/{case.code}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "30 天内有 4 天违规" in zh and "catches" not in zh and "30 天内被发现 7 次" in zh
    assert "Mistakes on 4 different days in 30 days" in en and "7 catches in 30 days" in en
    assert legacy.typed_note == ""


# --- no shortcut to a referral (issue 17) ---------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("subject", [Subject.INDIVIDUAL, Subject.UNIT])
def test_refused_needs_a_passed_notice_and_referred_needs_evidence(
    grid: Grid, personas: dict, subject: str
) -> None:
    from django.utils import translation

    from enforcement.models import CaseStep
    from enforcement.services import has_evidence
    from tests.files import png_bytes

    admin = personas["subdistrict_admin"]
    unit = subject == Subject.UNIT
    case = case_open(
        actor=admin,
        community=grid.c1,
        subject=subject,
        source=CaseSource.MANUAL,
        violation_day=TODAY,
        article_code="57(1)" if unit else "57(2)",
        household=None if unit else grid.h1,
        subject_name="某餐饮公司" if unit else "",
    )
    case_step(actor=admin, case=case, status=CaseStatus.PERSUASION)
    # Persuaded, then "refused" at once: refused, no notice was given (both languages, through the page too).
    for lang, words in (("zh-hans", "整改通知书"), ("en", "rectification notice")):
        with translation.override(lang), pytest.raises(ValidationError) as info:
            case_step(actor=admin, case=case, status=CaseStatus.REFUSED)
        assert words in str(info.value)
    client = client_for(admin)
    page = client.post(f"/cases/c/{case.code}/act/", {"action": "refused"}, follow=True).content.decode()
    assert "整改通知书" in page and Case.objects.get(pk=case.pk).status == CaseStatus.PERSUASION
    case_step(actor=admin, case=case, status=CaseStatus.NOTICE)
    with pytest.raises(ValidationError):  # the deadline has not passed
        case_step(actor=admin, case=case, status=CaseStatus.REFUSED)
    _deadline_passed(case)
    case_step(actor=admin, case=case, status=CaseStatus.REFUSED)
    # No bin-side record and no document: the referral is refused, nothing written.
    assert not has_evidence(case)
    steps = CaseStep.objects.filter(case=case).count()
    for lang, words in (("zh-hans", "须有证据"), ("en", "needs evidence")):
        with translation.override(lang), pytest.raises(ValidationError) as info:
            case_step(actor=admin, case=case, status=CaseStatus.REFERRED)
        assert words in str(info.value)
    page = client.post(f"/cases/c/{case.code}/act/", {"action": "referred"}, follow=True).content.decode()
    assert "须有证据" in page
    case.refresh_from_db()
    assert case.status == CaseStatus.REFUSED and CaseStep.objects.filter(case=case).count() == steps
    if unit:
        # A photo of the mixed bins, uploaded with the referral through the page: the evidence it needs.
        from django.core.files.uploadedfile import SimpleUploadedFile

        response = client.post(
            f"/cases/c/{case.code}/act/",
            {"action": "referred", "document": SimpleUploadedFile("bins.png", png_bytes())},
        )
        assert response.status_code == 302
        step = CaseStep.objects.get(case=case, status=CaseStatus.REFERRED)
        assert str(step.document.name).endswith(".png")
    else:
        # A record at the bin on the case: enough.
        Case.objects.filter(pk=case.pk).update(evidence=catches(grid, [1]))
        case.refresh_from_db()
        assert has_evidence(case)
        case_step(actor=admin, case=case, status=CaseStatus.REFERRED)
    case.refresh_from_db()
    assert case.status == CaseStatus.REFERRED and has_evidence(case)


@pytest.mark.django_db
def test_a_proposed_case_is_dated_by_its_last_record(grid: Grid) -> None:
    today = local_today()
    catches(grid, [2, 4, 6, 8], today=today)
    (case,) = repeat_cases_propose(subdistrict=grid.sd, today=today)
    assert case.violation_day == today - datetime.timedelta(days=2)
    assert len(case.evidence) == 4


@pytest.mark.django_db
def test_step_buttons_name_the_action_and_wait_for_the_deadline(grid: Grid, personas: dict) -> None:
    """Issue 17: buttons say what the secretary does; "void" needs a step to void; "refused" is shown disabled,
    with the deadline, until the notice's deadline has passed."""
    from django.conf import settings
    from django.utils import translation

    secretary = personas["community_secretary"]
    client = client_for(secretary)
    case = _manual_case(grid.h1)
    url = f"/cases/c/{case.code}/"
    page = client.get(url).content.decode()
    assert "记录劝导" in page and "不予处理" in page
    assert 'value="void"' not in page  # only the first step: nothing to void
    case_step(actor=secretary, case=case, status=CaseStatus.PERSUASION)
    page = client.get(url).content.decode()
    assert 'value="void"' in page and "发出整改通知" in page
    deadline = local_today() + datetime.timedelta(days=5)
    case_step(actor=secretary, case=case, status=CaseStatus.NOTICE, deadline=deadline)
    page = client.get(url).content.decode()
    assert f"整改期限至 {deadline.isoformat()} 之后" in page and "确认已改正" in page
    assert 'value="refused" disabled' in page and "认定拒不改正" in page
    with translation.override(settings.LANGUAGE_CODE):  # the client's request activates its language here
        english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert (
        "Find a refusal to correct" in english and f"After the deadline of {deadline.isoformat()}" in english
    )
    _deadline_passed(case)
    page = client.get(url).content.decode()
    assert 'value="refused" disabled' not in page and '<button name="action" value="refused">' in page
    case_step(actor=secretary, case=case, status=CaseStatus.REFUSED)
    assert "移送执法" in client.get(url).content.decode()


@pytest.mark.django_db
def test_voiding_twice_goes_back_two_real_steps(grid: Grid, personas: dict) -> None:
    """A voiding step is not a step to void: after one void the next one undoes the step before it."""
    secretary = personas["community_secretary"]
    case = _manual_case(grid.h1)
    case_step(actor=secretary, case=case, status=CaseStatus.PERSUASION)
    case_step(actor=secretary, case=case, status=CaseStatus.NOTICE)
    case_void_last_step(actor=secretary, case=case, reason="通知有误")
    case_void_last_step(actor=secretary, case=case, reason="劝导记错户")
    case.refresh_from_db()
    assert case.status == CaseStatus.PROPOSED and case.due is None
    with pytest.raises(ValidationError):
        case_void_last_step(actor=secretary, case=case, reason="再撤")  # only the first step is left


@pytest.mark.django_db
def test_tiers_read_in_english_on_english_pages() -> None:
    """A decided step stored the tier's Chinese label: English pages showed "(tier: 湿垃圾…)" (issue 17)."""
    import re

    from django.utils import translation

    from enforcement.models import step_text

    tiers = list(Tier.objects.all())
    assert tiers and all(t.label_en and not re.search(r"[\u4e00-\u9fff]", t.label_en) for t in tiers)
    wet = Tier.objects.filter(code="wet-1").first()
    assert wet is not None
    data = {"msg": "decided", "params": {"fine": 100, "tier": wet.label}}
    with translation.override("en"):
        assert step_text(data) == f"Fine ¥100 (tier: {wet.label_en})" and wet.name == wet.label_en
        assert "混投" not in step_text(data)
    with translation.override("zh-hans"):
        assert wet.label in step_text(data) and wet.name == wet.label


def _jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 120, 40)).save(out, "JPEG")
    return out.getvalue()


@pytest.mark.django_db
def test_the_officer_keeps_the_party_after_closing_and_sees_evidence_against_the_charge(
    grid: Grid, personas: dict
) -> None:
    """Fresh-user walk on the officer's case page: (1) once closed, the party was masked ("1号楼 *** 于英娟")
    and the address shown a minute earlier was gone: the officer who acted on the case keeps reading it;
    (2) the evidence was a plain list: each item now shows its photo (served within the case's scope) and
    leads to the household's sorting record; (3) 3 of 4 records were "未破袋" under a 57(2) charge (mixing):
    the page shows the kinds of evidence against the charge and says which do not bear it out."""
    from django.core.files.base import ContentFile

    from enforcement.services import case_close
    from supervision.models import ObservationPhoto

    officer = personas["enforcement_officer"]
    h = grid.h1
    mixed = catches(grid, [1])
    bags = catches(grid, [2, 3, 4], outcome="bag_not_broken")
    ObservationPhoto.objects.create(
        client_id=uuid.UUID(mixed[0]), subdistrict_id=grid.sd.pk, image=ContentFile(_jpeg(), "e.jpg")
    )
    case = _manual_case(h)
    _refer(case, evidence=bags + mixed)
    case_decide(officer=officer, case=case, amount=150)
    client = client_for(officer)
    url = f"/cases/c/{case.code}/"
    before = client.get(url).content.decode()
    assert 'id="party-address"' in before and h.room in before
    case_close(
        actor=officer, case=Case.objects.get(pk=case.pk), outcome="paid", amount=150, document=_pdf_bytes()
    )
    assert Case.objects.get(pk=case.pk).status == CaseStatus.CLOSED
    page = client.get(url).content.decode()
    assert 'id="party-address"' in page and h.building.address in page
    assert f"{h.building.name} {h.room} {h.contact_name}" in page and "***" not in page
    assert h.contact_phone not in page  # the phone never
    # Evidence: kinds against the charge, the mismatch said, the photo shown and served, the sorting record.
    kinds = page[page.index('id="evidence-kinds"') :].split("</p>")[0]
    assert 'data-outcome="bag_not_broken" class="warn">未破袋 3' in kinds
    assert 'data-outcome="mixed">' in kinds and "混" in kinds
    assert 'id="evidence-mismatch"' in page and "有 3 条证据不属于" in page
    photo_url = f"/cases/c/{case.code}/evidence/4/photo/"  # the mixed record is the newest: 4th of 4
    assert f'<img src="{photo_url}"' in page and page.count('<img src="/cases/c/') == 1
    served = client.get(photo_url)
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert client.get(f"/cases/c/{case.code}/evidence/1/photo/").status_code == 404  # no photo
    assert client.get(f"/cases/c/{case.code}/evidence/9/photo/").status_code == 404
    assert client_for(personas["grid_worker"]).get(photo_url).status_code == 403
    assert 'href="#sorting"' in page and 'id="sorting"' in page and 'id="hh-drops"' in page
