"""Field cases (issue 18): inputs people actually produce, each example of the issue plus more of its kind,
with the right value and where it comes from. Importers read through one table reader (lib.xlsx.read_table:
NFKC, invisible characters, numbers and dates as spreadsheets hold them); tonnage tickets are unique per
weighing source, and a known ticket with other values is a conflict the person resolves."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from audit.models import AuditEntry
from grid.models import Household, Person
from grid.services.importing import ImportRejected, grid_import
from grid.services.records import household_create
from lib.xlsx import read_table
from tests.conftest import Grid, client_for
from tests.files import xlsx_bytes_with
from tonnage.importing import HEADERS as TONNAGE_HEADERS
from tonnage.importing import tonnage_import
from tonnage.models import TonnageRecord

HOUSEHOLDS = ["楼栋编码", "室号", "楼道", "人口数", "联系人", "联系电话"]
PEOPLE = ["姓名", "手机号", "身份证号", "户编码", "所属网格编码"]


def xlsx(headers: list[str], rows: list[list[Any]]) -> bytes:
    return xlsx_bytes_with([headers, *rows])


def csv(headers: list[str], rows: list[list[str]]) -> bytes:
    return "\n".join(",".join(r) for r in [headers, *rows]).encode("utf-8")


def errors_of(grid: Grid, kind: str, filename: str, data: bytes) -> list[dict[str, Any]]:
    before = Household.objects.count(), Person.objects.count()
    with pytest.raises(ImportRejected) as info:
        grid_import(kind=kind, filename=filename, data=data, actor=None, root=grid.c1)
    assert (Household.objects.count(), Person.objects.count()) == before  # nothing half-written
    return [e.as_dict() for e in info.value.errors]


# --- 8. Full-width and invisible characters are the characters they stand for ---------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "room",
    [
        "１-１０１",  # the example: full-width digits and hyphen (a Chinese IME in full-width mode)
        "1-101\u200b",  # a zero-width space copied from a web page or a WeChat message
        "\u30001-101 ",  # an ideographic space before (Chinese IME), an ASCII one after
        "1－101",  # the full-width hyphen-minus U+FF0D alone
    ],
)
def test_a_room_typed_in_full_width_is_the_existing_room(grid: Grid, room: str) -> None:
    household_create(actor=None, building=grid.b1, room="1-101")
    errors = errors_of(grid, "households", "h.csv", csv(HOUSEHOLDS, [[grid.b1.code, room, "", "", "", ""]]))
    assert [(e["row"], e["column"]) for e in errors] == [(2, "室号")]
    assert "1-101" in errors[0]["en"]  # "Already exists": the same room, not a new household "…-X"


@pytest.mark.django_db
def test_full_width_codes_headers_and_numbers_are_read(grid: Grid) -> None:
    """Full-width letters in a building code, a header with a trailing space, a full-width size and phone."""
    code = grid.b1.code.translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})  # ＴＳＤ-… as typed full-width
    data = csv(
        ["楼栋编码 ", "室 号", "楼道", "人口数", "联系人", "联系电话"],
        [[code, "８０１", "", "３", "王五", "１３８１２３４５６７８"]],
    )
    assert grid_import(kind="households", filename="h.csv", data=data, actor=None, root=grid.c1) == 1
    h = Household.objects.get(room="801")
    assert (h.building_id, h.size, h.contact_phone, h.code) == (
        grid.b1.pk,
        3,
        "13812345678",
        f"{grid.b1.code}-801",
    )


@pytest.mark.django_db
@pytest.mark.parametrize("room", ["甲", "一〇一", "底楼东"])
def test_a_room_without_digits_or_letters_is_a_row_error_not_a_shared_code(grid: Grid, room: str) -> None:
    """Before: every such room got the code "<building>-X", so the second one collided with the first."""
    errors = errors_of(grid, "households", "h.csv", csv(HOUSEHOLDS, [[grid.b1.code, room, "", "", "", ""]]))
    assert [(e["row"], e["column"]) for e in errors] == [(2, "室号")]
    assert "household code" in errors[0]["en"]
    # With a code given, the same room imports.
    data = csv([*HOUSEHOLDS, "户编码"], [[grid.b1.code, room, "", "", "", "", f"{grid.b1.code}-JIA"]])
    assert grid_import(kind="households", filename="h.csv", data=data, actor=None, root=grid.c1) == 1


# --- 9. Numbers stored as numbers keep every digit, or are refused ----------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "id_cell",
    [
        990000196001281024,  # the example: 18 digits in a number cell (Excel kept 15 of them)
        110101199003071234,  # a valid-looking ID typed into a General cell
        3.10104199001011e17,  # how Excel itself stores it: a float
    ],
)
def test_an_id_number_in_a_number_cell_is_refused_not_rounded(grid: Grid, id_cell: Any) -> None:
    errors = errors_of(grid, "people", "p.xlsx", xlsx(PEOPLE, [["张三", "", id_cell, "", grid.c1.code]]))
    assert len(errors) == 1 and "Row 2, column C" in errors[0]["en"]
    assert "文本" in errors[0]["zh"]


@pytest.mark.django_db
@pytest.mark.parametrize("shown", ["1.10101E+17", "3.10104E+17", "1.38123E+12"])
def test_excels_shortened_long_numbers_in_a_csv_are_refused(grid: Grid, shown: str) -> None:
    """Excel shows a long number in a General cell as 1.10101E+17 and saves a CSV the way it shows it."""
    errors = errors_of(grid, "people", "p.csv", csv(PEOPLE, [["张三", "", shown, "", grid.c1.code]]))
    assert len(errors) == 1 and "column C" in errors[0]["en"]


@pytest.mark.django_db
@pytest.mark.parametrize("phone", [13812345678, 13812345678.0, "+86 138-1234-5678"])
def test_a_phone_number_is_read_exactly_when_it_can_be(grid: Grid, phone: Any) -> None:
    """Eleven digits fit a double exactly: a phone typed into a number cell is read, not refused."""
    data = xlsx(PEOPLE, [["张三", phone, "", "", grid.c1.code]])
    assert grid_import(kind="people", filename="p.xlsx", data=data, actor=None, root=grid.c1) == 1
    assert Person.objects.get(name="张三").phone == "13812345678"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("021-6248-1234", "021-62481234"),  # a landline grouped like a mobile
        ("(021) 6248-1234", "02162481234"),
        ("0571-8888-6666", "0571-88886666"),
        ("+86 21 6248 1234", "02162481234"),  # the country code drops the trunk 0
        ("021-62481234", "021-62481234"),  # already in the stored form
    ],
)
def test_a_landline_is_read_as_people_type_it(grid: Grid, typed: str, stored: str) -> None:
    data = xlsx(PEOPLE, [["张三", typed, "", "", grid.c1.code]])
    assert grid_import(kind="people", filename="p.xlsx", data=data, actor=None, root=grid.c1) == 1
    assert Person.objects.get(name="张三").phone == stored


# --- tonnage: dates and weights in the forms spreadsheets hold --------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("day", "kg"),
    [
        ("2026/11/3", "1,234.5"),  # Excel's Chinese locale date; a thousands separator
        ("2026年11月3日", "１２３４.５"),  # a date typed in Chinese; full-width digits
        (datetime.datetime(2026, 11, 3), 1234.5),  # a real date cell (openpyxl: datetime at midnight)
        (46329, "1234.5 kg"),  # a date cell saved as General: Excel's day number; the unit typed in
        (46329.35, 1234.5),  # a date-and-time cell saved as General: the fraction is the time of day
    ],
)
def test_tonnage_dates_and_weights_as_spreadsheets_hold_them(grid: Grid, day: Any, kg: Any) -> None:
    headers = [h.replace("（", "(").replace("）", ")") for h in TONNAGE_HEADERS]  # "重量(千克)", half-width
    data = xlsx(headers, [[grid.c1.code, day, "湿垃圾", kg, "T-1"]])
    assert tonnage_import(actor=None, root=grid.c1, filename="t.xlsx", data=data).created == 1
    record = TonnageRecord.objects.get()
    assert (record.day, record.kg) == (datetime.date(2026, 11, 3), Decimal("1234.5"))


def test_number_cells_read_as_a_person_sees_them() -> None:
    """Excel stores 0.1 + 0.2 as 0.30000000000000004 and shows 0.3; a room typed as a number is 801.0 in
    some writers; a date cell at midnight is a date."""
    data = xlsx(["a", "b", "c", "d"], [[0.1 + 0.2, 801.0, datetime.datetime(2026, 11, 3), 1234.5]])
    assert read_table("t.xlsx", data)[1] == [["0.3", "801", "2026-11-03", "1234.5"]]


# --- 10. Known tickets: skipped with a reason, or a conflict the person resolves ------------------------


@pytest.mark.django_db
def test_known_tickets_are_reported_and_resolved_not_dropped(grid: Grid, personas: dict) -> None:
    admin = personas["subdistrict_admin"]
    first = xlsx(
        TONNAGE_HEADERS,
        [
            [grid.c1.code, "2026-11-03", "湿垃圾", 120, "T-1"],
            [grid.c2.code, "2026-11-03", "干垃圾", 80, "T-2"],
            [grid.c1.code, "2026-11-03", "干垃圾", 60, "T-3"],
        ],
    )
    assert tonnage_import(actor=admin, root=grid.sd, filename="t.xlsx", data=first).created == 3
    again = xlsx(
        TONNAGE_HEADERS,
        [
            [grid.c1.code, "2026-11-03", "湿垃圾", 120, "T-1"],  # the same: skipped, said so
            [grid.c1.code, "2026-11-03", "干垃圾", 80, "T-2"],  # the case: another area's ticket
            [grid.c1.code, "2026-11-03", "干垃圾", 66, "T-3"],  # the case: a corrected weight
            [grid.c1.code, "2026-11-04", "湿垃圾", 50, "T-4"],  # new
        ],
    )
    result = tonnage_import(actor=admin, root=grid.sd, filename="t.xlsx", data=again)
    assert result.created == 1
    assert [(s.row, s.ref) for s in result.skipped] == [(2, "T-1")]
    assert [(c.row, c.stored.ref, c.kg) for c in result.conflicts] == [(3, "T-2", 80), (4, "T-3", 66)]
    # A secretary sees another area's ticket as used elsewhere, without its values.
    secretary_result = tonnage_import(
        actor=personas["community_secretary"],
        root=grid.c1,
        filename="t.xlsx",
        data=xlsx(TONNAGE_HEADERS, [[grid.c1.code, "2026-11-03", "干垃圾", 80, "T-2"]]),
    )
    assert secretary_result.conflicts == [] and "outside" in secretary_result.skipped[0].reason.en
    # The admin resolves on the page: replace T-3, keep T-2.
    page = client_for(admin)
    form = {"form": "resolve", "count": "2"}
    for i, c in enumerate(result.conflicts):
        form |= {
            f"c{i}-station": "",
            f"c{i}-ref": c.stored.ref,
            f"c{i}-community": c.community.code,
            f"c{i}-day": c.day.isoformat(),
            f"c{i}-category": c.category,
            f"c{i}-kg": str(c.kg),
            f"c{i}-choice": "replace" if c.stored.ref == "T-3" else "keep",
        }
    assert page.post(f"/tonnage/n/{grid.sd.code}/record/", form).status_code == 302
    assert TonnageRecord.objects.get(ref="T-3").kg == Decimal("66")
    assert TonnageRecord.objects.get(ref="T-2").community_id == grid.c2.pk
    entry = AuditEntry.objects.get(model="tonnage.TonnageRecord", action="update")
    assert entry.changes["kg"] == ["60.0", "66.0"]


@pytest.mark.django_db
def test_ticket_numbers_are_unique_per_weighing_source(grid: Grid) -> None:
    """Two transfer stations both print ticket 000123: two weighings, not one."""
    data = xlsx(
        [*TONNAGE_HEADERS, "称重来源"],
        [
            [grid.c1.code, "2026-11-03", "湿垃圾", 120, "000123", "江场中转站"],
            [grid.c1.code, "2026-11-03", "干垃圾", 80, "000123", "彭浦中转站"],
        ],
    )
    assert tonnage_import(actor=None, root=grid.c1, filename="t.xlsx", data=data).created == 2
    assert set(TonnageRecord.objects.values_list("station", "ref")) == {
        ("江场中转站", "000123"),
        ("彭浦中转站", "000123"),
    }
