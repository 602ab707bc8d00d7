"""Assessment: periods, grades at their boundaries, each indicator's formula on hand-built data with known
answers, the minimum-sample rule, the veto, rankings, drill-down consistency, inspection scores, the API."""

from __future__ import annotations

import datetime
import re
import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from assessment.models import Indicator, InspectionScore, Scheme, Source
from assessment.scoring import assess
from assessment.services import inspection_record, scheme_copy
from audit.models import AuditEntry
from lib.clock import local_today
from lib.periods import Period
from supervision.models import PointDay, Shift
from supervision.services import point_create, shift_signup, shifts_generate
from tests.conftest import Grid, client_for, purity_check
from tests.files import pdf_bytes, png_bytes
from tonnage.models import TonnageRecord, TonnageTarget

TODAY = datetime.date(2026, 11, 27)
SEPT = Period.parse("2026-09")


def test_periods_parse_and_reject() -> None:
    assert Period.parse("2026-02").end == datetime.date(2026, 2, 28)
    assert Period.parse("2026-q4") == Period(
        "quarter", datetime.date(2026, 10, 1), datetime.date(2026, 12, 31)
    )
    assert Period.parse("2026").end == datetime.date(2026, 12, 31)
    assert Period.parse("2026-01").previous().key == "2025-12"
    assert Period.parse("2026-11").days_until(TODAY) == 27
    for bad in ("2026-13", "26-01", "2026-Q5", "", "1999", "2026-11-01"):
        with pytest.raises(ValueError):
            Period.parse(bad)


@pytest.mark.parametrize(
    ("met", "total", "grade"),
    [
        (4, 5, "excellent"),  # exactly 80%
        (79, 100, "good"),
        (3, 5, "good"),  # exactly 60%
        (59, 100, "fair"),
        (3, 10, "fair"),  # exactly 30%
        (29, 100, "poor"),
        (0, 18, "poor"),
        (0, 0, None),
    ],
)
def test_grade_boundaries(met: int, total: int, grade: str | None) -> None:
    assert Scheme(excellent_from=80, good_from=60, fair_from=30).grade(met, total) == grade


def _scheme(grid: Grid, *indicators: tuple[str, str, int, str, int]) -> Scheme:
    """A sub-district version for 2026 that overrides the seeded default."""
    scheme = Scheme.objects.create(
        subdistrict=grid.sd,
        effective_from=datetime.date(2026, 1, 1),
        name="测试办法",
        pass_mark=Decimal("60"),
    )
    for i, (code, source, weight, target, min_sample) in enumerate(indicators):
        Indicator.objects.create(
            scheme=scheme,
            code=code,
            name=code,
            source=source,
            weight=Decimal(weight),
            target=Decimal(target),
            min_sample=min_sample,
            sort_order=i,
        )
    return scheme


def _pointday(point, day: datetime.date, total: int, correct: int, category: str = "wet") -> None:  # type: ignore[no-untyped-def]
    PointDay.objects.create(
        subdistrict_id=point.subdistrict_id,
        community_id=point.community_id,
        point=point,
        day=day,
        category=category,
        total=total,
        correct=correct,
        mixed=total - correct,
    )


@pytest.fixture
def data(grid: Grid) -> dict:
    """c1: two points with known September numbers; c2: one point, few records."""
    windows = [(d, datetime.time(7), datetime.time(9)) for d in range(7)] + [
        (d, datetime.time(18, 30), datetime.time(20, 30)) for d in range(7)
    ]
    p1 = point_create(actor=None, community=grid.c1, name="甲1号点", code="TSD-P1", windows=windows)
    p2 = point_create(actor=None, community=grid.c1, name="甲2号点", code="TSD-P2")
    q1 = point_create(actor=None, community=grid.c2, name="乙1号点", code="TSD-Q1")
    sept = datetime.date(2026, 9, 1)
    # Correct drop-offs: c1 = (60 + 30) of (70 + 30) = 90%, split over two points and two months' edge.
    _pointday(p1, sept, 70, 60)
    _pointday(p2, datetime.date(2026, 9, 30), 30, 30, category="dry")
    _pointday(p1, datetime.date(2026, 10, 1), 1000, 0)  # outside September: must not count
    _pointday(q1, sept, 5, 5)
    # Purity: c1 has clean, clean, clean, slight, serious → 3.5 / 5; c2 has one serious.
    for level in ("clean", "clean", "slight"):
        purity_check(p1, sept, level)
    purity_check(p2, sept, "clean")
    purity_check(p2, datetime.date(2026, 9, 15), "serious")
    purity_check(q1, sept, "serious")
    # Staffing: 2 windows a day × 2 days at p1 = 4 shifts, 3 with someone on duty.
    shifts_generate(points=[p1], start=datetime.date(2026, 9, 10), days=2)
    shifts = list(Shift.objects.filter(point=p1).order_by("day", "start"))
    assert len(shifts) == 4
    for shift in shifts[:3]:
        shift_signup(actor=None, shift=shift, person=grid.w1.person)
    # Tonnage: c1 weighed on 27 of September's 30 days; against a baseline of 100 kg/d of wet and dry.
    for d in range(27):
        for category, kg in (("wet", 150), ("dry", 90)):
            TonnageRecord.objects.create(
                subdistrict=grid.sd,
                community=grid.c1,
                day=sept + datetime.timedelta(days=d),
                category=category,
                kg=Decimal(kg),
                source="ticket",
                ref=f"t-{d}-{category}",
            )
    for category in ("wet", "dry", "recyclable"):
        TonnageTarget.objects.create(
            node=grid.c1,
            year=2026,
            category=category,
            baseline_kg_per_day=Decimal("100"),
            target_kg_per_day=Decimal("100"),
        )
    # Inspections: c1 scored 80 and 90 on facilities in September (mean 85), c2 none.
    for score in ("80", "90"):
        inspection_record(
            actor=None,
            community=grid.c1,
            indicator_code="facilities",
            day=datetime.date(2026, 9, 20),
            score=score,
            inspector="测评组",
            client_id=uuid.uuid4(),
        )
    return {"p1": p1, "p2": p2, "q1": q1}


@pytest.mark.django_db
def test_each_formula_gives_the_known_answer(grid: Grid, data: dict) -> None:
    _scheme(
        grid,
        ("correct", Source.CORRECT_RATE, 10, "0.95", 10),
        ("purity", Source.PURITY, 15, "0.9", 1),
        ("on_duty", Source.STAFFING, 20, "1", 1),
        ("traceable", Source.TONNAGE_DAYS, 10, "1", 1),
        ("trend", Source.TONNAGE_TREND, 5, "1", 1),
        ("facilities", Source.INSPECTION, 40, "1", 1),
    )
    result = assess(grid.sd, SEPT, today=TODAY)
    c1 = {s.indicator.code: s for s in result.area(grid.c1.code).scores}  # type: ignore[union-attr]
    assert (c1["correct"].tally.num, c1["correct"].tally.den) == (90, 100)
    assert c1["correct"].score == Decimal("9.47")  # 10 × 0.90 / 0.95
    assert (c1["purity"].tally.num, c1["purity"].tally.den, c1["purity"].tally.serious) == (
        Decimal("3.5"),
        5,
        1,
    )
    assert c1["purity"].score == Decimal("11.67")  # 15 × 0.7 / 0.9
    assert (c1["on_duty"].tally.num, c1["on_duty"].tally.den) == (3, 4)
    assert c1["on_duty"].score == Decimal("15.00")
    assert (c1["traceable"].tally.num, c1["traceable"].tally.den) == (27, 30)
    assert c1["traceable"].score == Decimal("9.00")
    # wet 150×27/30 = 135 kg/d > 100 (right way); dry 81 < 100 (right way); recyclable never weighed: no row.
    assert (c1["trend"].tally.num, c1["trend"].tally.den) == (2, 2)
    assert c1["facilities"].tally.num / c1["facilities"].tally.den == Decimal("0.85")
    assert c1["facilities"].score == Decimal("34.00")
    area = result.area(grid.c1.code)
    assert area is not None and area.total == Decimal("84.14")
    # c1: 1 serious of 5 checks = 20% > the 10% veto line: fails whatever its score.
    assert area.vetoed and not area.meets


@pytest.mark.django_db
def test_minimum_sample_means_no_score_not_zero(grid: Grid, data: dict) -> None:
    _scheme(
        grid, ("correct", Source.CORRECT_RATE, 50, "1", 10), ("facilities", Source.INSPECTION, 50, "1", 1)
    )
    result = assess(grid.area, SEPT, today=TODAY)
    c2 = result.area(grid.c2.code)
    assert c2 is not None
    correct = c2.scores[0]
    assert correct.tally.sample == 5 and not correct.enough and correct.score is None
    assert c2.total is None and not c2.meets and c2.rank is None
    # With enough data the same five records score.
    Indicator.objects.filter(code="correct").update(min_sample=5)
    c2 = assess(grid.area, SEPT, today=TODAY).area(grid.c2.code)
    assert c2 is not None and c2.scores[0].score == Decimal("50.00")
    assert c2.total is None  # still no inspection: incomplete, shown as points so far
    assert c2.points == Decimal("50.00")


@pytest.mark.django_db
def test_grades_rankings_and_veto_switch(grid: Grid, data: dict) -> None:
    scheme = _scheme(grid, ("correct", Source.CORRECT_RATE, 100, "1", 1))
    result = assess(grid.sd, SEPT, today=TODAY)
    c1, c2 = result.area(grid.c1.code), result.area(grid.c2.code)
    assert c1 is not None and c2 is not None
    assert (c1.total, c2.total) == (Decimal("90.00"), Decimal("100.00"))
    assert (c2.rank, c1.rank) == (1, 2)
    # c2's one check was serious (100% > 10%): vetoed. c1's 20%: vetoed too. No area meets → 差.
    assert c1.vetoed and c2.vetoed and result.overall.grade == "poor"
    scheme.veto_serious_share = None
    scheme.save()
    result = assess(grid.sd, SEPT, today=TODAY)
    assert result.overall.met == 2 and result.overall.grade == "excellent"
    assert [(g.node.code, g.met, len(g.areas), g.grade) for g in result.groups] == [
        (grid.area.code, 2, 2, "excellent")
    ]


@pytest.mark.django_db
def test_scheme_versions_by_year(grid: Grid) -> None:
    default = Scheme.in_force(grid.sd.pk, datetime.date(2026, 5, 1))
    assert default is not None and default.subdistrict_id is None
    assert sum(i.weight for i in default.indicators.all()) == 100
    copy = scheme_copy(actor=None, scheme=default, year=2027)
    assert copy.pk != default.pk and copy.indicators.count() == default.indicators.count()
    assert Scheme.in_force(grid.sd.pk, datetime.date(2027, 1, 1)) == copy
    assert Scheme.in_force(grid.sd.pk, datetime.date(2026, 12, 31)) == default
    with pytest.raises(ValidationError):
        scheme_copy(actor=None, scheme=default, year=2027)


@pytest.mark.django_db
def test_evidence_adds_up_to_the_score_on_every_page(grid: Grid, data: dict, personas: dict) -> None:
    """Drill-down consistency: for each indicator, the evidence rows on the page sum to the tally the score
    is computed from, and the records behind each row are the rows' own."""
    result = assess(grid.c1, SEPT, today=TODAY)
    area = result.area(grid.c1.code)
    assert area is not None
    client = client_for(personas["community_secretary"])
    for s in area.scores:
        page = client.get(
            f"/assessment/n/{grid.c1.code}/i/{s.indicator.code}/?period=2026-09"
        ).content.decode()
        nums = [Decimal(v) for v in re.findall(r'data-num="([^"]+)"', page)]
        dens = [Decimal(v) for v in re.findall(r'data-den="([^"]+)"', page)]
        assert sum(nums) == s.tally.num and sum(dens) == s.tally.den, s.indicator.code
        shown = re.search(r'id="score">([^<]+)<', page)
        assert shown is not None
        assert shown[1] == (str(s.score) if s.score is not None else "未计分"), s.indicator.code
    # The records behind the purity row of point 2 are its two checks, one serious.
    page = client.get(
        f"/assessment/n/{grid.c1.code}/i/purity/records/?period=2026-09&key=TSD-P2&month=2026-09"
    ).content.decode()
    assert page.count("<tr>") == 3
    assert "严重混杂" in page or "Serious mixing" in page


@pytest.mark.django_db
def test_inspection_scores_are_checked_idempotent_and_audited(grid: Grid) -> None:
    form = uuid.uuid4()
    common: dict[str, Any] = {
        "community": grid.c1,
        "indicator_code": "publicity",
        "day": TODAY,
        "inspector": "测评组",
    }
    for bad in ("101", "-1", "abc", "NaN"):
        with pytest.raises(ValidationError):
            inspection_record(actor=None, score=bad, client_id=uuid.uuid4(), **common)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        inspection_record(
            actor=None, score="90", client_id=uuid.uuid4(), **{**common, "indicator_code": "correct"}
        )  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        inspection_record(
            actor=None, score="90", client_id=uuid.uuid4(), **{**common, "community": grid.area}
        )  # type: ignore[arg-type]
    exe = SimpleUploadedFile("x.exe", b"MZ", content_type="application/octet-stream")
    with pytest.raises(ValidationError):
        inspection_record(actor=None, score="90", client_id=uuid.uuid4(), evidence=exe, **common)  # type: ignore[arg-type]
    assert InspectionScore.objects.count() == 0
    photo = SimpleUploadedFile("board.png", png_bytes(), content_type="image/png")
    first, created = inspection_record(actor=None, score="92.5", client_id=form, evidence=photo, **common)  # type: ignore[arg-type]
    again, created_again = inspection_record(actor=None, score="10", client_id=form, **common)  # type: ignore[arg-type]
    assert created and not created_again and again.pk == first.pk and again.score == Decimal("92.50")
    assert InspectionScore.objects.count() == 1
    assert AuditEntry.objects.filter(model="assessment.InspectionScore", object_id=str(first.pk)).count() == 1


@pytest.mark.django_db
def test_inspection_form_and_evidence_file(grid: Grid, personas: dict) -> None:
    admin = client_for(personas["subdistrict_admin"])
    form_id = str(uuid.uuid4())
    post = {
        "form_id": form_id,
        "community": grid.c1.code,
        "indicator": "facilities",
        "day": "2026-11-20",
        "score": "88",
        "inspector": "第三方",
    }
    pdf_data = pdf_bytes()
    pdf = SimpleUploadedFile("check.pdf", pdf_data, content_type="application/pdf")
    assert admin.post(f"/assessment/n/{grid.sd.code}/inspect/", {**post, "evidence": pdf}).status_code == 302
    assert admin.post(f"/assessment/n/{grid.sd.code}/inspect/", post).status_code == 302  # resubmitted form
    record = InspectionScore.objects.get()
    url = f"/assessment/n/{grid.c1.code}/evidence/{record.client_id}/"
    assert b"".join(admin.get(url).streaming_content) == pdf_data  # type: ignore[attr-defined]
    assert client_for(personas["outsider"]).get(url).status_code == 404
    bad = admin.post(
        f"/assessment/n/{grid.sd.code}/inspect/", {**post, "form_id": str(uuid.uuid4()), "score": "abc"}
    )
    assert bad.status_code == 200
    assert "0 到 100" in bad.content.decode() or "0 to 100" in bad.content.decode()
    assert InspectionScore.objects.count() == 1


@pytest.mark.django_db
def test_assessment_api(grid: Grid, data: dict, personas: dict) -> None:
    _scheme(grid, ("correct", Source.CORRECT_RATE, 100, "1", 1))
    admin = client_for(personas["subdistrict_admin"])
    body = admin.get(f"/api/v1/assessment/{grid.sd.code}?period=2026-09").json()
    assert body["period"] == "2026-09" and body["met"] == 0 and body["grade"] == "poor"
    by_code = {a["code"]: a for a in body["areas"]}
    assert by_code[grid.c1.code]["total"] == "90.00" and by_code[grid.c1.code]["vetoed"] is True
    assert by_code[grid.c1.code]["indicators"][0]["sample"] == 100 and by_code[grid.c1.code]["rated"] is True
    empty = admin.get(f"/api/v1/assessment/{grid.sd.code}?period=2026-01").json()["areas"]
    assert empty and all(a["total"] is None and not a["rated"] and not a["meets"] for a in empty)  # 未评级
    bad = admin.get(f"/api/v1/assessment/{grid.sd.code}?period=2026-13")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_period"
    assert admin.get(f"/api/v1/assessment/{grid.sd.code}?period=" + "9" * 50).status_code == 400
    assert client_for(personas["outsider"]).get(f"/api/v1/assessment/{grid.c1.code}").status_code == 404


@pytest.mark.django_db
def test_assessment_page_and_export(grid: Grid, data: dict, personas: dict) -> None:
    import io

    from openpyxl import load_workbook

    _scheme(grid, ("correct", Source.CORRECT_RATE, 100, "1", 1))
    Scheme.objects.filter(subdistrict=grid.sd).update(veto_serious_share=None)
    admin = client_for(personas["subdistrict_admin"])
    page = admin.get(f"/assessment/n/{grid.sd.code}/?period=2026-09").content.decode()
    assert f'href="/assessment/n/{grid.c1.code}/i/correct/?period=2026-09">90.00<' in page
    response = admin.get(f"/assessment/n/{grid.sd.code}/?period=2026-09&export=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert rows[1][:4] == (1, grid.c2.code, grid.c2.name, 100) and rows[2][:4] == (
        2,
        grid.c1.code,
        grid.c1.name,
        90,
    )
    # A bad period falls back to this month rather than failing.
    assert admin.get(f"/assessment/n/{grid.sd.code}/?period=nonsense").status_code == 200


# --- issue 17: no data, future periods, windows not yet over, names in two languages ----------------------


@pytest.mark.django_db
def test_a_period_without_records_is_not_graded(grid: Grid, data: dict, personas: dict) -> None:
    _scheme(grid, ("correct", Source.CORRECT_RATE, 100, "0.9", 10))
    empty = assess(grid.sd, Period.parse("2026-03"), today=TODAY)
    assert not empty.has_data and empty.overall.grade is None and empty.overall.met == 0
    assert all(g.grade is None and g.rank is None for g in empty.groups)
    graded = assess(grid.sd, SEPT, today=TODAY)
    assert graded.has_data and graded.overall.grade is not None
    page = client_for(personas["subdistrict_admin"]).get(f"/assessment/n/{grid.sd.code}/?period=2026-03")
    assert page.status_code == 200 and "本期无数据，不评级。" in page.content.decode()


@pytest.mark.django_db
def test_a_future_period_is_refused(grid: Grid, data: dict, personas: dict) -> None:
    from assessment.scoring import FuturePeriod
    from lib.periods import parse_begun

    nxt = f"{TODAY.year + 1}-01"
    with pytest.raises(FuturePeriod):
        assess(grid.sd, Period.parse(nxt), today=TODAY)
    with pytest.raises(ValueError):
        parse_begun(nxt, TODAY)
    assert parse_begun("2026-11", TODAY).key == "2026-11"
    admin = client_for(personas["subdistrict_admin"])
    future = Period.parse(f"{datetime.date.today().year + 1}-01")
    page = admin.get(f"/assessment/n/{grid.sd.code}/?period={future.key}")
    assert page.status_code == 400 and "该期间尚未开始" in page.content.decode()
    api = admin.get(f"/api/v1/assessment/{grid.sd.code}?period={future.key}")
    assert api.status_code == 400 and api.json()["code"] == "period_not_begun"
    # The evidence of an indicator that exists (/correct_rate/ matched no URL: a 404 whatever the period).
    for path in ("i/correct/", "i/correct/records/"):
        evidence = admin.get(f"/assessment/n/{grid.c1.code}/{path}?period={future.key}")
        assert evidence.status_code == 400 and "该期间尚未开始" in evidence.content.decode(), path


@pytest.mark.django_db
def test_windows_not_over_are_not_evidence(
    grid: Grid, personas: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 10:11 the morning window (7–9) is over and counts; the evening one (18:30–20:30) does not yet."""
    from django.utils import timezone

    from assessment.sources import records, tallies

    ind = Indicator(source=Source.STAFFING, code="on_duty")
    point = point_create(
        actor=None,
        community=grid.c1,
        name="甲1号点",
        code="TSD-P1",
        windows=[(d, datetime.time(7), datetime.time(9)) for d in range(7)]
        + [(d, datetime.time(18, 30), datetime.time(20, 30)) for d in range(7)],
    )
    today = local_today()
    shifts_generate(points=[point], start=today, days=1)
    for shift in Shift.objects.filter(point=point, day=today):
        shift_signup(actor=None, shift=shift, person=grid.w1.person)
    at_1011 = datetime.datetime.combine(today, datetime.time(10, 11), tzinfo=timezone.get_current_timezone())
    monkeypatch.setattr(timezone, "now", lambda: at_1011)  # whatever the hour the test runs at
    month = Period.containing("month", today)
    tally = tallies(ind, [grid.c1.pk], month, today)[grid.c1.pk]
    assert tally.den == 1  # only the window whose end has passed
    headers, rows = records(ind, grid.c1.pk, month, today, "TSD-P1", None)
    assert len(rows) == 1 and rows[0][1] == "07:00–09:00"
    assert tallies(ind, [grid.c1.pk], month, today + datetime.timedelta(days=1))[grid.c1.pk].den == 2


@pytest.mark.django_db
def test_default_indicator_names_are_chinese_distinct_and_translated(grid: Grid) -> None:
    from django.utils.translation import override

    scheme = Scheme.objects.get(subdistrict=None, effective_from=datetime.date(2019, 1, 1))
    names = list(scheme.indicators.values_list("name", flat=True))
    assert len(set(names)) == len(names) == 6
    assert all(not re.search(r"[A-Za-z]{3,}", n) for n in names), names  # no English in the Chinese name
    facilities = scheme.indicators.get(code="facilities")
    with override("zh-hans"):
        assert facilities.label == "设施设备完好" and facilities.group_label == "有设施设备"
    with override("en"):
        assert facilities.label == "Facilities and equipment" and facilities.group_label == "Facilities"
    purity, correct = scheme.indicators.get(code="purity"), scheme.indicators.get(code="correct")
    assert purity.group == correct.group == "有分类实效" and purity.name != correct.name


@pytest.mark.django_db
def test_assessment_page_lists_groups_by_rank(grid: Grid, data: dict, personas: dict) -> None:
    _scheme(grid, ("correct", Source.CORRECT_RATE, 100, "0.9", 1))
    page = client_for(personas["subdistrict_admin"]).get(f"/assessment/n/{grid.sd.code}/?period=2026-09")
    ranks = [g.rank or 10**6 for g in page.context["groups"]]
    assert ranks == sorted(ranks) and page.context["groups"][0].rank == 1


# --- issue 17 (second walk): a running period counts whole days up to yesterday ----------------------------


@pytest.mark.django_db
def test_a_running_period_counts_whole_days_up_to_yesterday(grid: Grid, data: dict) -> None:
    """On 30 September, September's own last day (30/30 correct at p2, a weighing) is not over: not counted.
    The numbers pages, dashboard and report count the same days, so a score does not move during the day."""
    _scheme(
        grid,
        ("correct", Source.CORRECT_RATE, 50, "1", 1),
        ("traceable", Source.TONNAGE_DAYS, 25, "1", 1),
        ("facilities", Source.INSPECTION, 25, "1", 1),
    )
    inspection_record(
        actor=None,
        community=grid.c1,
        indicator_code="facilities",
        day=datetime.date(2026, 9, 30),
        score="0",
        inspector="测评组",
        client_id=uuid.uuid4(),
    )
    running = assess(grid.sd, SEPT, today=datetime.date(2026, 9, 30))
    assert running.through == datetime.date(2026, 9, 29) and running.running
    c1 = {s.indicator.code: s.tally for s in running.area(grid.c1.code).scores}  # type: ignore[union-attr]
    assert (c1["correct"].num, c1["correct"].den) == (60, 70)  # 09-30's 30 drop-offs wait for 1 October
    assert c1["traceable"].den == 29  # days weighed out of the 29 whole days so far
    assert (c1["facilities"].num, c1["facilities"].den) == (Decimal("1.7"), 2)  # the 0 of 09-30 not yet
    ended = assess(grid.sd, SEPT, today=datetime.date(2026, 10, 1))
    assert ended.through == SEPT.end and not ended.running
    c1 = {s.indicator.code: s.tally for s in ended.area(grid.c1.code).scores}  # type: ignore[union-attr]
    assert (c1["correct"].num, c1["correct"].den) == (90, 100) and c1["traceable"].den == 30
    # Begun today: not a future period (no FuturePeriod), but no whole day yet, so nothing is graded.
    first_day = assess(grid.sd, Period.parse("2026-10"), today=datetime.date(2026, 10, 1))
    assert first_day.through < first_day.period.start and not first_day.has_data
    assert first_day.overall.grade is None


@pytest.mark.django_db
def test_the_assessment_page_says_it_counts_up_to_yesterday(grid: Grid, personas: dict) -> None:

    _scheme(grid, ("correct", Source.CORRECT_RATE, 100, "1", 1))
    point = point_create(actor=None, community=grid.c1, name="甲1号点", code="TSD-P1")
    today = local_today()
    yesterday = today - datetime.timedelta(days=1)
    _pointday(point, today, 10, 0)
    month = Period.containing("month", today)
    admin = client_for(personas["subdistrict_admin"])
    page = admin.get(f"/assessment/n/{grid.sd.code}/?period={month.key}")
    assert page.status_code == 200 and page.context["result"].through == yesterday
    text = page.content.decode()
    if yesterday < month.start:  # the 1st of a month
        assert "本期今天开始：每天结束后才计入" in text
    else:
        assert f"{month.start:%Y-%m-%d} – {yesterday:%Y-%m-%d}：截至昨天的整天" in text
    # Today's 10 drop-offs are neither in the score nor among the records behind it.
    assert page.context["result"].area(grid.c1.code).scores[0].tally.den == 0
    records = admin.get(f"/assessment/n/{grid.c1.code}/i/correct/records/?period={month.key}&key=TSD-P1")
    assert records.status_code == 200 and records.context["rows"] == []
    if month.start <= yesterday:
        _pointday(point, yesterday, 4, 3)
        again = admin.get(f"/assessment/n/{grid.c1.code}/i/correct/records/?period={month.key}&key=TSD-P1")
        assert len(again.context["rows"]) == 1
    # An ended period says nothing about yesterday.
    ended = admin.get(f"/assessment/n/{grid.sd.code}/?period={month.previous().key}")
    assert 'id="through-note"' not in ended.content.decode()


# --- walk findings: the default period, unrated rows, one residential area -------------------------------


def test_the_default_period_is_the_last_with_whole_data() -> None:
    from lib.periods import last_whole_period

    # The 1st: the month began today and has no whole day yet, so last month is shown.
    assert last_whole_period("month", datetime.date(2026, 12, 1)).key == "2026-11"
    assert last_whole_period("month", datetime.date(2026, 12, 2)).key == "2026-12"
    assert last_whole_period("quarter", datetime.date(2027, 1, 1)).key == "2026-Q4"


@pytest.mark.django_db
def test_the_assessment_page_opens_last_month_on_the_1st(
    grid: Grid, data: dict, personas: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.utils import timezone

    from lib.clock import SHANGHAI

    _scheme(grid, ("correct", Source.CORRECT_RATE, 100, "1", 1))
    first = datetime.datetime(2026, 12, 1, 10, tzinfo=SHANGHAI)
    monkeypatch.setattr(timezone, "now", lambda: first)
    admin = client_for(personas["subdistrict_admin"])
    page = admin.get(f"/assessment/n/{grid.sd.code}/")
    assert page.status_code == 200 and page.context["period"].key == "2026-11"
    assert 'id="through-note"' not in page.content.decode()  # a whole month: nothing "up to yesterday"
    # A bad period falls back to the same default; a period asked for is kept.
    assert admin.get(f"/assessment/n/{grid.sd.code}/?period=x").context["period"].key == "2026-11"
    assert admin.get(f"/assessment/n/{grid.sd.code}/?period=2026-12").context["period"].key == "2026-12"
    # Mid-month: the running month, up to yesterday.
    monkeypatch.setattr(timezone, "now", lambda: first + datetime.timedelta(days=9))
    assert admin.get(f"/assessment/n/{grid.sd.code}/").context["period"].key == "2026-12"


@pytest.mark.django_db
def test_an_unrated_area_is_not_shown_as_failing(grid: Grid, data: dict, personas: dict) -> None:
    import io

    from openpyxl import load_workbook

    _scheme(grid, ("correct", Source.CORRECT_RATE, 100, "0.9", 10))
    admin = client_for(personas["subdistrict_admin"])
    for code in (grid.sd.code, grid.c1.code):
        text = admin.get(f"/assessment/n/{code}/?period=2026-03").content.decode()
        assert "本期无数据，不评级。" in text
        assert "✗" not in text and "分（已计）" not in text, code
        assert 'class="muted not-rated">未评级<' in text, code
    export = admin.get(f"/assessment/n/{grid.sd.code}/?period=2026-03&export=xlsx")
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert all(row[-1] == "未评级" for row in rows[1:])
    result = assess(grid.sd, Period.parse("2026-03"), today=TODAY)
    assert all(not a.rated and not a.meets for a in result.areas)


@pytest.mark.django_db
def test_a_single_residential_area_page_speaks_of_one(grid: Grid, data: dict, personas: dict) -> None:
    _scheme(grid, ("correct", Source.CORRECT_RATE, 100, "1", 1))
    Scheme.objects.filter(subdistrict=grid.sd).update(veto_serious_share=None)
    admin = client_for(personas["subdistrict_admin"])
    page = admin.get(f"/assessment/n/{grid.c1.code}/?period=2026-09")
    text = page.content.decode()
    assert 'id="area-verdict"' in text and "本居民区考核结果" in text
    assert "个居民区达标" not in text and "1 / 1" not in text
    area = page.context["result"].areas[0]
    assert area.rated and (("<b>达标</b>" in text) == area.meets)
    # Above the residential areas the count stays.
    assert "个居民区达标" in admin.get(f"/assessment/n/{grid.sd.code}/?period=2026-09").content.decode()
