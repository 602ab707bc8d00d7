"""Tonnage: recording (idempotent by ticket), import with row errors, API, per-capita and 三增一减."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from grid.services.importing import ImportRejected
from tests.conftest import Grid, client_for
from tests.files import xlsx_bytes_with
from tonnage.demo import tonnage_demo_generate
from tonnage.importing import HEADERS, tonnage_import
from tonnage.models import TonnageRecord, TonnageTarget
from tonnage.selectors import tonnage_summary
from tonnage.services import tonnage_record

DAY = datetime.date(2026, 11, 10)


def xlsx(rows: list[list[object]]) -> bytes:
    return xlsx_bytes_with([list(HEADERS), *rows])


@pytest.mark.django_db
def test_record_is_idempotent_and_checked(grid: Grid) -> None:
    first, created = tonnage_record(
        actor=None, community=grid.c1, day=DAY, category="wet", kg="350.25", ref="T-1"
    )
    again, created_again = tonnage_record(
        actor=None, community=grid.c1, day=DAY, category="wet", kg="999", ref="T-1"
    )
    assert created and not created_again and again == first and first.kg == Decimal("350.2")
    for bad in ({"kg": "-1"}, {"kg": "abc"}, {"kg": "200000"}, {"category": "plutonium"}):
        args = {"kg": "1", "category": "wet", **bad}
        with pytest.raises(ValidationError):
            tonnage_record(actor=None, community=grid.c1, day=DAY, ref=f"x{bad}", **args)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        tonnage_record(
            actor=None, community=grid.m1, day=DAY, category="wet", kg=1, ref="mg"
        )  # not a residential area


@pytest.mark.django_db
def test_summary_per_capita_and_three_up_one_down(grid: Grid) -> None:
    for category, kg in (("wet", 300), ("dry", 200), ("recyclable", 90)):
        tonnage_record(actor=None, community=grid.c1, day=DAY, category=category, kg=kg, ref=f"{category}-1")
    TonnageTarget.objects.create(
        node=grid.c1, year=DAY.year, category="wet", baseline_kg_per_day=10, target_kg_per_day=12
    )
    TonnageTarget.objects.create(
        node=grid.c1, year=DAY.year, category="dry", baseline_kg_per_day=8, target_kg_per_day=6
    )
    rows = {r.category: r for r in tonnage_summary(grid.c1, DAY.replace(day=1), DAY.replace(day=30))}
    assert rows["wet"].kg == 300 and rows["wet"].kg_per_day == 10
    assert rows["wet"].per_household_g == Decimal(10 * 1000 / 36).quantize(
        Decimal("1")
    )  # 36 households in c1
    assert rows["wet"].per_resident_g == Decimal(10 * 1000 / 72).quantize(Decimal("1"))  # 2 people each
    assert rows["wet"].change == 0 and rows["wet"].on_track is False  # flat wet waste is not "up"
    assert rows["dry"].change_pct == "-16.7%" and rows["dry"].on_track is True  # dry down
    assert rows["hazardous"].on_track is None  # no baseline


@pytest.mark.django_db
def test_import_rejects_whole_file_with_row_messages(grid: Grid) -> None:
    bad = xlsx(
        [
            [grid.c1.code, "2026-11-01", "湿垃圾", 120, "A1"],
            [grid.c2.code, "2026-11-01", "干垃圾", 90, "A2"],
            [grid.c1.code, "11/02", "干垃圾", 90, "A3"],
            [grid.c1.code, "2026-11-02", "干垃圾", -5, "A4"],
            [grid.c1.code, "2026-11-02", "干垃圾", 5, "A1"],
        ]
    )
    with pytest.raises(ImportRejected) as info:
        tonnage_import(actor=None, root=grid.c1, filename="t.xlsx", data=bad)
    assert [(e.row, e.column) for e in info.value.errors] == [
        (3, "居民区编码"),
        (4, "日期"),
        (5, "重量（千克）"),
        (6, "磅单号"),
    ]
    assert not TonnageRecord.objects.exists()
    good = xlsx(
        [
            [grid.c1.code, "2026-11-01", "湿垃圾", 120, "A1"],
            [grid.c1.code, "2026-11-01", "可回收物", 40.5, "A2"],
        ]
    )
    assert tonnage_import(actor=None, root=grid.c1, filename="t.xlsx", data=good).created == 2
    again = tonnage_import(actor=None, root=grid.c1, filename="t.xlsx", data=good)  # the same tickets again
    assert (again.created, [s.row for s in again.skipped], again.conflicts) == (0, [2, 3], [])


@pytest.mark.django_db
def test_api_and_pages(grid: Grid, personas: dict) -> None:
    secretary = client_for(personas["community_secretary"])
    body = [
        {"ref": "W-1", "community": grid.c1.code, "day": "2026-11-10", "category": "wet", "kg": 120.5},
        {"ref": "W-2", "community": grid.c1.code, "day": "2026-11-10", "category": "dry", "kg": 80},
    ]
    first = secretary.post(
        "/api/v1/tonnage/records", json.dumps(body), content_type="application/json"
    ).json()
    again = secretary.post(
        "/api/v1/tonnage/records", json.dumps(body), content_type="application/json"
    ).json()
    assert first == {"created": 2, "duplicate": 0, "conflicts": [], "refused": []}
    assert again == {"created": 0, "duplicate": 2, "conflicts": [], "refused": []}
    corrected = secretary.post(
        "/api/v1/tonnage/records", json.dumps([{**body[0], "kg": 121.5}]), content_type="application/json"
    ).json()
    assert corrected["created"] == 0 and corrected["conflicts"] == [
        {
            "ref": "W-1",
            "stored_kg": 120.5,
            "sent_kg": 121.5,
            "stored_day": "2026-11-10",
            "sent_day": "2026-11-10",
        }
    ]
    assert TonnageRecord.objects.get(ref="W-1").kg == Decimal("120.5")  # changed only by a person's choice
    other = secretary.post(
        "/api/v1/tonnage/records",
        json.dumps([{**body[0], "ref": "W-3", "community": grid.c2.code}]),
        content_type="application/json",
    )
    assert other.status_code == 404 and other.json()["code"] == "unknown_community"
    malformed = secretary.post(
        "/api/v1/tonnage/records", json.dumps([{"ref": "x", "kg": "lots"}]), content_type="application/json"
    )
    assert malformed.status_code == 400
    page = secretary.get(f"/tonnage/n/{grid.c1.code}/?month=2026-11").content.decode()
    assert "120.5" in page and "三增一减" in page
    assert (
        client_for(personas["area_lead"])
        .post("/api/v1/tonnage/records", json.dumps(body), content_type="application/json")
        .status_code
        == 403
    )


@pytest.mark.django_db
def test_demo_tonnage_shows_three_up_one_down(grid: Grid) -> None:
    assert tonnage_demo_generate(grid.sd, days=30) > 0
    today = datetime.date.today()
    rows = {
        r.category: r
        for r in tonnage_summary(
            grid.c1, today - datetime.timedelta(days=10), today - datetime.timedelta(days=1)
        )
    }
    assert rows["wet"].on_track and rows["recyclable"].on_track and rows["dry"].on_track


@pytest.mark.django_db
def test_node_above_areas_sums_their_baselines_only_when_all_have_one(grid: Grid) -> None:
    for community, kg in ((grid.c1, 300), (grid.c2, 150)):
        tonnage_record(
            actor=None, community=community, day=DAY, category="wet", kg=kg, ref=f"wet-{community.code}"
        )
        TonnageTarget.objects.create(
            node=community, year=DAY.year, category="wet", baseline_kg_per_day=10, target_kg_per_day=12
        )
    TonnageTarget.objects.create(
        node=grid.c1, year=DAY.year, category="dry", baseline_kg_per_day=8, target_kg_per_day=6
    )
    rows = {r.category: r for r in tonnage_summary(grid.area, DAY.replace(day=1), DAY.replace(day=30))}
    assert rows["wet"].baseline_kg_per_day == 20 and rows["wet"].kg_per_day == 15
    assert rows["wet"].change_pct == "-25.0%" and rows["wet"].on_track is False
    assert rows["dry"].baseline_kg_per_day is None  # only c1 has one: no sum pretends to cover c2
    # The area's own figures, once set, win.
    TonnageTarget.objects.create(
        node=grid.area, year=DAY.year, category="wet", baseline_kg_per_day=12, target_kg_per_day=14
    )
    rows = {r.category: r for r in tonnage_summary(grid.area, DAY.replace(day=1), DAY.replace(day=30))}
    assert rows["wet"].baseline_kg_per_day == 12


@pytest.mark.django_db
def test_summed_weights_keep_the_records_tenth_of_a_kilo(grid: Grid) -> None:
    # Found by the crawl: SQLite sums decimals as floats and the page showed 15927.9000000000 kg.
    for n, (category, kg) in enumerate((("wet", "0.1"), ("wet", "0.2"), ("dry", "1.1"), ("dry", "2.2"))):
        tonnage_record(actor=None, community=grid.c1, day=DAY, category=category, kg=kg, ref=f"tenth-{n}")
    for community in (grid.c1, grid.c2):
        TonnageTarget.objects.create(
            node=community, year=DAY.year, category="dry", baseline_kg_per_day="0.1", target_kg_per_day="0.2"
        )
    rows = {r.category: r for r in tonnage_summary(grid.c1, DAY.replace(day=1), DAY.replace(day=30))}
    assert str(rows["wet"].kg) == "0.3" and str(rows["dry"].kg) == "3.3"
    area = {r.category: r for r in tonnage_summary(grid.area, DAY.replace(day=1), DAY.replace(day=30))}
    assert str(area["dry"].baseline_kg_per_day) == "0.2" and str(area["dry"].target_kg_per_day) == "0.4"


@pytest.mark.django_db
def test_a_micro_grid_reads_its_residential_areas_weighings_only(grid: Grid) -> None:
    # Weighings hang at residential areas: a micro-grid's tonnage is its residential area's (c1 for m1),
    # per household of that area, never another area's (c2) — it used to read nothing at all (issue 15).
    for community, kg in ((grid.c1, 300), (grid.c2, 150)):
        tonnage_record(
            actor=None, community=community, day=DAY, category="wet", kg=kg, ref=f"mg-{community.code}"
        )
        TonnageTarget.objects.create(
            node=community, year=DAY.year, category="wet", baseline_kg_per_day=10, target_kg_per_day=12
        )
    span = (DAY.replace(day=1), DAY.replace(day=30))
    m1 = {r.category: r for r in tonnage_summary(grid.m1, *span)}
    c1 = {r.category: r for r in tonnage_summary(grid.c1, *span)}
    assert m1["wet"].kg == 300 and m1["wet"].kg_per_day == 10
    assert m1 == c1  # kg, per household (36 in c1), per resident, baseline and target: the area's
    m3 = {r.category: r for r in tonnage_summary(grid.m3, *span)}
    assert m3["wet"].kg == 150 and m3["wet"].baseline_kg_per_day == 10


@pytest.mark.django_db
def test_the_page_opens_on_the_last_whole_month_and_an_unweighed_month_reads_no_data(
    grid: Grid, personas: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fresh-user walk: on 12-01 the page opened on December, hours old: every category 0 kg and "-100.0% ✗"
    against the baseline (dry waste "-100% ✓"). It opens on the last whole month (lib.periods, as the
    assessment page does), and a category without weighings reads "无数据", with no verdict."""
    from django.utils import timezone

    from lib.clock import SHANGHAI

    monkeypatch.setattr(timezone, "now", lambda: datetime.datetime(2026, 12, 1, 7, tzinfo=SHANGHAI))
    tonnage_record(actor=None, community=grid.c1, day=DAY, category="wet", kg=300, ref="wet-1")
    for category in ("wet", "dry"):
        TonnageTarget.objects.create(
            node=grid.c1, year=DAY.year, category=category, baseline_kg_per_day=10, target_kg_per_day=12
        )
    secretary = client_for(personas["community_secretary"])
    page = secretary.get(f"/tonnage/n/{grid.c1.code}/").content.decode()
    assert "<small>2026-11</small>" in page and "300.0" in page  # November, the last whole month
    dry = page[page.index('data-category="dry"') :].split("</tr>")[0]
    assert "无数据" in dry and "-100" not in dry and "✓" not in dry and "✗" not in dry
    # December asked for (no whole day yet): nothing weighed, no verdict, no division by zero.
    rows = tonnage_summary(grid.c1, datetime.date(2026, 12, 1), datetime.date(2026, 11, 30))
    assert all(r.change is None and r.on_track is None and r.change_pct == "无数据" for r in rows)
    december = secretary.get(f"/tonnage/n/{grid.c1.code}/?month=2026-12")
    assert december.status_code == 200 and "-100" not in december.content.decode()
    # 三增一减 reads in English on English pages, with its gloss.
    en = secretary.get(f"/tonnage/n/{grid.c1.code}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "三增一减" not in en and "3 up, 1 down" in en and "dry waste should shrink" in en
