"""Imports: a bad file is rejected whole with row-level zh/en messages; a good one lands in one go."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from audit.models import AuditEntry
from grid.models import Building, GridWorker, Household, ImportJob, ImportStatus, Person
from grid.services.importing import ImportRejected, grid_import
from tests.conftest import Grid, client_for
from tests.files import xlsx_bytes_with

HEADERS = ["楼栋编码", "室号", "楼道", "人口数", "联系人", "联系电话"]


def xlsx(rows: list[list[object]], headers: list[str] = HEADERS) -> bytes:
    return xlsx_bytes_with([headers, *rows])


def rejected(
    grid: Grid, data: bytes, filename: str = "h.xlsx", kind: str = "households"
) -> list[dict[str, object]]:
    before = Household.objects.count(), Person.objects.count(), Building.objects.count()
    with pytest.raises(ImportRejected) as info:
        grid_import(kind=kind, filename=filename, data=data, actor=None, root=grid.c1)
    assert (Household.objects.count(), Person.objects.count(), Building.objects.count()) == before
    errors = [e.as_dict() for e in info.value.errors]
    assert all(e["zh"] and e["en"] for e in errors)
    return errors


@pytest.mark.django_db
def test_a_good_file_is_imported_and_audited(grid: Grid) -> None:
    data = xlsx(
        [[grid.b1.code, "801", "1单元", 3, "王五", 13812345678], [grid.b2.code, "802", "", "", "", ""]]
    )
    created = grid_import(kind="households", filename="h.xlsx", data=data, actor=None, root=grid.c1)
    assert created == 2
    h = Household.objects.get(building=grid.b1, room="801")
    assert (h.size, h.contact_phone, h.community_id, h.code) == (
        3,
        "13812345678",
        grid.c1.pk,
        f"{grid.b1.code}-801",
    )
    assert Household.objects.get(building=grid.b2, room="802").size == 1
    assert AuditEntry.objects.filter(model="grid.Household", object_id=str(h.pk), action="create").exists()


@pytest.mark.django_db
def test_wrong_headers_are_named(grid: Grid) -> None:
    errors = rejected(grid, xlsx([["x", "1"]], headers=["楼号", "室号"]))
    columns = {e["column"] for e in errors}
    assert "楼栋编码" in columns  # missing
    assert "楼号" in columns  # unknown
    assert any("Missing required column" in str(e["en"]) for e in errors)


@pytest.mark.django_db
def test_duplicate_households_in_file_and_in_database(grid: Grid) -> None:
    data = xlsx([[grid.b1.code, "901"], [grid.b1.code, "901"], [grid.b1.code, "101"]])
    errors = rejected(grid, data)
    assert {(e["row"], e["column"]) for e in errors} == {(3, "室号"), (4, "室号")}
    assert "row 2" in str(next(e for e in errors if e["row"] == 3)["en"])
    assert "已存在" in str(next(e for e in errors if e["row"] == 4)["zh"])


@pytest.mark.django_db
def test_unknown_and_out_of_scope_buildings(grid: Grid) -> None:
    # b3 exists but belongs to the other residential area: to this importer it does not exist.
    errors = rejected(grid, xlsx([["ZZZ-B999", "101"], [grid.b3.code, "999"]]))
    assert [(e["row"], e["column"]) for e in errors] == [(2, "楼栋编码"), (3, "楼栋编码")]


@pytest.mark.django_db
def test_text_in_number_column_and_bad_phone(grid: Grid) -> None:
    errors = rejected(grid, xlsx([[grid.b1.code, "901", "", "三口", "", "12345"]]))
    assert {e["column"] for e in errors} == {"人口数", "联系电话"}
    assert any("whole number" in str(e["en"]) for e in errors)


@pytest.mark.django_db
def test_one_bad_row_rejects_the_good_ones_too(grid: Grid) -> None:
    errors = rejected(grid, xlsx([[grid.b1.code, "901"], [grid.b1.code, ""]]))
    assert errors[0]["row"] == 3 and errors[0]["en"] == "Required value is missing."
    assert not Household.objects.filter(room="901").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("filename", "data", "expected"),
    [
        ("empty.xlsx", b"", "The file is empty."),
        ("fake.xlsx", b"this is not a zip file at all", "not a valid Excel"),
        ("fake.xlsx", b"PK\x03\x04garbage", "not a valid Excel"),
        ("h.pdf", b"%PDF-1.4", "Only .xlsx or .csv"),
        ("header-only.csv", "楼栋编码,室号\n".encode(), "no data rows"),
        ("blank.csv", b"\n\n", "The file is empty."),
    ],
)
def test_unreadable_files_get_a_clear_message(grid: Grid, filename: str, data: bytes, expected: str) -> None:
    errors = rejected(grid, data, filename=filename)
    assert expected in str(errors[0]["en"])


@pytest.mark.django_db
def test_csv_in_gbk_from_chinese_excel(grid: Grid) -> None:
    data = f"楼栋编码,室号,联系人\n{grid.b1.code},902,李四\n".encode("gb18030")
    assert grid_import(kind="households", filename="h.csv", data=data, actor=None, root=grid.c1) == 1
    assert Household.objects.get(room="902").contact_name == "李四"


@pytest.mark.django_db
def test_grid_workers_and_people_import(grid: Grid) -> None:
    workers = xlsx(
        [["孙网格", "13700000001", grid.m1.code, "11010519491231002X", grid.h1.code]],
        headers=["姓名", "手机号", "微网格编码", "身份证号", "户编码"],
    )
    assert grid_import(kind="grid_workers", filename="w.xlsx", data=workers, actor=None, root=grid.c1) == 1
    worker = GridWorker.objects.get(person__name="孙网格")
    assert worker.code.startswith(grid.m1.code + "-W") and worker.person.household == grid.h1
    bad_id = xlsx(
        [["钱", "", "110105194912310021", "", grid.c1.code]],
        headers=["姓名", "手机号", "身份证号", "户编码", "所属网格编码"],
    )
    errors = rejected(grid, bad_id, kind="people")
    assert errors[0]["column"] == "身份证号"


@pytest.mark.django_db
def test_buildings_import_generates_codes(grid: Grid) -> None:
    data = xlsx(
        [[grid.c1.code, "20号楼", "测试路3弄20号", grid.m2.code, ""]],
        headers=["居民区编码", "楼栋名称", "地址", "微网格编码", "楼栋编码"],
    )
    assert grid_import(kind="buildings", filename="b.xlsx", data=data, actor=None, root=grid.c1) == 1
    b = Building.objects.get(name="20号楼")
    assert b.code == f"{grid.c1.code}-B003" and b.microgrid == grid.m2


@pytest.mark.django_db
def test_upload_page_reports_rows_and_template_downloads(grid: Grid, personas: dict) -> None:
    client = client_for(personas["community_secretary"])
    template = client.get("/grid/import/template/households.xlsx")
    sheet = load_workbook(io.BytesIO(template.content)).worksheets[0]
    assert [c.value for c in sheet[1]] == [
        "楼栋编码",
        "室号",
        "楼道",
        "人口数",
        "联系人",
        "联系电话",
        "户编码",
    ]

    bad = io.BytesIO(xlsx([[grid.b1.code, "901", "", "abc"]]))
    bad.name = "bad.xlsx"
    response = client.post("/grid/import/", {"kind": "households", "file": bad}, follow=True)
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.FAILED
    assert "人口数" in response.content.decode() and "whole number" in response.content.decode()

    good = io.BytesIO(xlsx([[grid.b1.code, "901"]]))
    good.name = "good.xlsx"
    client.post("/grid/import/", {"kind": "households", "file": good})
    assert ImportJob.objects.filter(status=ImportStatus.DONE, created=1).exists()
    # Another user's job is not visible, even by its id.
    other = client_for(personas["subdistrict_admin"]).get(f"/grid/import/{job.public_id}/")
    assert other.status_code == 404


@pytest.mark.django_db
def test_import_page_preselects_the_kind_and_says_what_the_button_does(grid: Grid, personas: dict) -> None:
    client = client_for(personas["community_secretary"])
    html = client.get("/grid/import/?kind=households").content.decode()
    assert '<option value="households" selected>' in html and "上传并导入" in html
    assert "selected" not in client.get("/grid/import/?kind=nonsense").content.decode()
    # The secretary's home links there with households chosen.
    assert "/grid/import/?kind=households" in client.get("/").content.decode()


@pytest.mark.django_db
def test_a_waiting_job_shows_no_empty_count(grid: Grid, personas: dict) -> None:
    import uuid

    user = personas["community_secretary"]
    job = ImportJob.objects.create(
        public_id=uuid.uuid4(), kind="households", filename="h.xlsx", data=b"", created_by=user, node=grid.c1
    )
    html = client_for(user).get(f"/grid/import/{job.public_id}/").content.decode()
    assert "0 / 0" not in html and "正在读取文件" in html


@pytest.mark.django_db
def test_a_done_import_links_to_the_households_and_to_assignment(grid: Grid, personas: dict) -> None:
    client = client_for(personas["community_secretary"])
    good = io.BytesIO(xlsx([[grid.b1.code, "9901"], [grid.b1.code, "9902"]]))
    good.name = "good.xlsx"
    response = client.post("/grid/import/", {"kind": "households", "file": good}, follow=True)
    html = response.content.decode()
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.DONE and job.created == 2
    stored = Household.objects.filter(building=grid.b1, room__in=["9901", "9902"])
    assert stored.count() == 2 and not stored.filter(grid_worker__isnull=False).exists()
    assert f"/grid/households/?building={grid.b1.code}" in html
    assert "导入的住户中有 2 户尚未分配网格员" in html
    assert f"/grid/n/{grid.c1.code}/coverage/" in html
    # Once assigned, the page says so instead.
    stored.update(grid_worker=grid.w1)
    again = client.get(f"/grid/import/{job.public_id}/").content.decode()
    assert "导入的住户都已分配网格员" in again and "尚未分配网格员" not in again


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["buildings", "households", "grid_workers", "people"])
def test_the_template_has_an_example_the_importer_accepts_but_never_imports(
    grid: Grid, personas: dict, kind: str
) -> None:
    """Issue 17: an example row on a sheet of its own (named as an example, the notes say it is not imported);
    its values pass the importer's checks; the template uploaded as it is imports nothing."""
    from grid.services.importing import SPECS, RowError, _parse_row

    client = client_for(personas["community_secretary"])
    book = load_workbook(io.BytesIO(client.get(f"/grid/import/template/{kind}.xlsx").content))
    data_sheet, notes, example = book.worksheets
    assert data_sheet.max_row == 1  # headers only: nothing to import by mistake
    assert "示例" in example.title and "Example" in example.title
    assert any("不会被导入" in str(c.value) for row in notes.iter_rows() for c in row)
    header = [str(c.value) for c in example[1]]
    row = ["" if c.value is None else str(c.value) for c in example[2]]
    assert header == [c.header for c in SPECS[kind]] and all(
        row[i] for i, c in enumerate(SPECS[kind]) if c.required
    )
    errors: list[RowError] = []
    _parse_row(SPECS[kind], {h: i for i, h in enumerate(header)}, row, 2, errors)
    assert errors == []
    with pytest.raises(
        ImportRejected
    ) as info:  # the downloaded template itself: no data rows, nothing written
        grid_import(
            kind=kind,
            filename="t.xlsx",
            data=client.get(f"/grid/import/template/{kind}.xlsx").content,
            actor=None,
            root=grid.c1,
        )
    assert "没有数据行" in info.value.errors[0].msg.zh


@pytest.mark.django_db
def test_import_another_file_keeps_the_kind_and_the_rows_are_the_jobs_own(grid: Grid, personas: dict) -> None:
    """Issue 17: "import another file" keeps the kind chosen last; the rows an import created are known by
    the job, not by time (a household added meanwhile by hand is not among them)."""
    from grid.selectors import import_outcome

    client = client_for(personas["community_secretary"])
    good = io.BytesIO(xlsx([[grid.b1.code, "9801"], [grid.b1.code, "9802"]]))
    good.name = "good.xlsx"
    html = client.post("/grid/import/", {"kind": "households", "file": good}, follow=True).content.decode()
    job = ImportJob.objects.get()
    assert "/grid/import/?kind=households" in html
    assert '<option value="households" selected>' in client.get("/grid/import/").content.decode()
    Household.objects.create(
        subdistrict_id=grid.b1.subdistrict_id, community=grid.c1, building=grid.b1, room="9803", code="X-9803"
    )
    mine = Household.objects.filter(import_job=job)
    assert sorted(mine.values_list("room", flat=True)) == ["9801", "9802"]
    assert import_outcome(job)["added"] == 2
    listed = client.get(f"/grid/households/?import={job.public_id}").content.decode()
    assert "9801" in listed and "9802" in listed and "X-9803" not in listed
    assert f"?import={job.public_id}" in client.get(f"/grid/import/{job.public_id}/").content.decode()
    assert client.get("/grid/households/?import=nonsense").status_code == 200
