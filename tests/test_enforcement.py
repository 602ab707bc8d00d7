"""Enforcement: fines within every article and tier, the 30-day repeat rule at its edges, the version in force
on the day, the steps (and voiding one), officer scope, and the rectification notice PDF."""

from __future__ import annotations

import datetime
import io
import uuid

import pytest
from django.core.exceptions import ValidationError
from pypdf import PdfReader

from enforcement.models import Article, Case, CaseSource, CaseStatus, Subject, Tier
from enforcement.services import (
    article_in_force,
    case_decide,
    case_open,
    case_step,
    case_void_last_step,
    fine_check,
    repeat_cases_propose,
    repeat_catches,
)
from supervision.ingest import SHANGHAI, Row, write_rows
from supervision.services import point_create
from tests.conftest import Grid, client_for

TODAY = datetime.date(2026, 11, 20)


def catches(grid: Grid, days_ago: list[int], outcome: str = "mixed") -> list[str]:
    point = point_create(actor=None, community=grid.c1, name=f"点{uuid.uuid4().hex[:4]}")
    rows = []
    for d in days_ago:
        day = TODAY - datetime.timedelta(days=d)
        at = datetime.datetime.combine(day, datetime.time(8), tzinfo=SHANGHAI)
        rows.append(
            Row(uuid.uuid4(), grid.sd.pk, grid.c1.pk, point.pk, grid.h1.pk, at, day, "wet", outcome, "dry")
        )
    write_rows(rows, recorded_by=None)
    return [str(r.client_id) for r in rows]


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
    [([0, 1, 2], False), ([0, 1, 2, 3], True), ([0, 5, 10, 29], True), ([0, 5, 10, 30], False)],
)
def test_the_30_day_rule_at_its_edges(grid: Grid, days_ago: list[int], caught: bool) -> None:
    catches(grid, days_ago)
    catches(grid, [1, 2], outcome="correct")  # correct drop-offs never count
    found = repeat_catches(None, subdistrict=grid.sd, today=TODAY)
    assert (grid.h1.pk in found) is caught
    if caught:
        assert len(found[grid.h1.pk]) == 4


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
    for status in (CaseStatus.PERSUASION, CaseStatus.NOTICE, CaseStatus.REFUSED, CaseStatus.REFERRED):
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
    case = case_open(
        actor=None,
        community=grid.c1,
        subject=Subject.INDIVIDUAL,
        source=CaseSource.MANUAL,
        violation_day=TODAY,
        article_code="57(2)",
        household=grid.h1,
    )
    officer = client_for(personas["enforcement_officer"])
    assert officer.get(f"/cases/c/{case.code}/").status_code == 404
    for status in (CaseStatus.PERSUASION, CaseStatus.REFUSED, CaseStatus.REFERRED):
        case_step(actor=None, case=case, status=status)
    page = officer.get(f"/cases/c/{case.code}/").content.decode()
    assert case.code in page and grid.h1.room not in page and "***" in page  # the room stays masked
    tier = Tier.objects.get(article=case.article, code="wet-1")
    officer.post(f"/cases/c/{case.code}/act/", {"action": "decide", "fine": "999", "tier": tier.pk})
    assert Case.objects.get(pk=case.pk).status == CaseStatus.REFERRED  # refused: outside the range
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
    response = client_for(personas["community_secretary"]).get(f"/cases/c/{case.code}/notice.pdf")
    assert response["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text().replace("\n", "")
    for expected in (
        "生活垃圾分类整改通知书",
        case.code,
        "第二十四条第一款",
        "第57(2)条",
        "50元以上200元以下",
        "当事人签字",
        "湿垃圾混合投放",
    ):
        assert expected in text, expected


@pytest.mark.django_db
def test_a_single_refusal_at_the_bin_proposes_a_case(grid: Grid) -> None:
    evidence = catches(grid, [2], outcome="refused")
    (case,) = repeat_cases_propose(subdistrict=grid.sd, today=TODAY)
    assert case.source == CaseSource.BIN_RECORD and case.evidence == evidence and case.household == grid.h1


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

    case_open(
        actor=None,
        community=grid.c1,
        subject=Subject.INDIVIDUAL,
        source=CaseSource.MANUAL,
        violation_day=TODAY,
        article_code="57(2)",
        household=grid.h1,
    )
    below = User(username="mg_sec", role="community_secretary", node=grid.m1)
    other = User(username="c2_sec", role="community_secretary", node=grid.c2)
    area = User(username="lead", role="area_lead", node=grid.area)
    assert list(cases_visible_to(below)) == [] and list(cases_visible_to(other)) == []
    assert cases_visible_to(area).count() == 1
