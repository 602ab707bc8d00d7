"""The one upload gate (lib.uploads) on every upload path, the one way user files are served back, and the
bounded table reader and formula-safe writer (lib.xlsx)."""

from __future__ import annotations

import datetime
import io
import os
import subprocess
import sys
import textwrap
import time
import tracemalloc
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook
from PIL import Image

from activities.models import Activity
from activities.services import activity_create, activity_photo_add
from assessment.models import InspectionScore
from assessment.services import inspection_record
from grid.models import ImportJob, ImportStatus
from grid.services.importing import REJECTED_KEEP, import_job_create, import_jobs_purge
from lib import xlsx
from lib.uploads import IMAGE_ONLY, clean_upload, read_capped
from lib.xlsx import TableError, read_table, safe_cell, xlsx_bytes
from party.services import milestone_add, milestone_done, project_create
from tests.conftest import Grid, client_for
from tests.files import jpeg_bytes, pdf_bytes, png_bomb, png_bytes, xlsx_bytes_with
from tonnage.models import TonnageRecord
from tonnage.services import tonnage_record
from units.models import Commitment
from units.services import commitment_add, commitment_update, unit_create

HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>'
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def _activity(grid: Grid, title: str = "主题党日") -> Activity:
    now = timezone.now()
    return activity_create(
        actor=None,
        node=grid.c1,
        kind="theme_day",
        title=title,
        starts_at=now,
        ends_at=now + datetime.timedelta(hours=1),
    )


def _upload(name: str, data: bytes, content_type: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


# --- the gate itself -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "declared"),
    [
        ("check.pdf", HTML, "application/pdf"),  # the file
        ("board.png", SVG, "image/png"),  # the other file
        ("notes.pdf", b"%PDF-1.4 evidence", "application/pdf"),  # a header and nothing else
        ("page.jpg", b"<html><img src=x onerror=alert(1)>", "image/jpeg"),
        ("x.exe", b"MZ\x90\x00" + b"\x00" * 64, "application/octet-stream"),
        ("book.zip", b"PK\x03\x04" + b"\x00" * 64, "application/pdf"),
        ("empty.png", b"", "image/png"),
    ],
)
def test_it_refuses_what_the_content_is_not(name: str, data: bytes, declared: str) -> None:
    with pytest.raises(ValidationError):
        clean_upload(_upload(name, data, declared))


def test_truncated_and_polyglot_files() -> None:
    jpeg, pdf = jpeg_bytes(), pdf_bytes()
    for cut in (jpeg[: len(jpeg) // 2], png_bytes()[:-20], pdf[: len(pdf) // 2], pdf[:-40]):
        with pytest.raises(ValidationError):
            clean_upload(cut)
    # A PNG with a page appended comes back as pixels only; the script does not survive.
    clean = clean_upload(png_bytes() + HTML)
    assert clean.content_type == "image/png" and b"script" not in clean.data
    with Image.open(io.BytesIO(clean.data)) as img:
        img.load()
        assert img.size == (60, 40)
    # A JPEG's metadata (location, phone) is dropped; a PDF is kept byte for byte once it opens.
    stripped = clean_upload(jpeg_bytes(exif_gps=True))
    with Image.open(io.BytesIO(stripped.data)) as img:
        assert not img.getexif() and img.format == "JPEG"
    assert clean_upload(pdf).data == pdf and clean_upload(pdf).extension == "pdf"
    # Only photos where only photos belong.
    with pytest.raises(ValidationError):
        clean_upload(pdf, accept=IMAGE_ONLY)


def test_the_stored_name_follows_the_content_not_the_claim() -> None:
    assert clean_upload(pdf_bytes()).filename("../../evil.html") == "evil.pdf"
    assert clean_upload(png_bytes()).filename(None, default="evidence") == "evidence.png"


def test_size_is_capped_before_reading() -> None:
    class Huge:
        size = 50 * 1024 * 1024

        def read(self, n: int = -1) -> bytes:  # pragma: no cover - must not be called
            raise AssertionError("read a file larger than the cap")

        def seek(self, n: int) -> None:  # pragma: no cover
            raise AssertionError

    with pytest.raises(ValidationError, match="MB"):
        read_capped(Huge())
    with pytest.raises(ValidationError, match="MB"):
        clean_upload(b"\xff\xd8\xff" + b"\x00" * (10 * 1024 * 1024))


def test_pixel_bomb_is_refused_from_the_header_without_taking_memory() -> None:
    """The issue's file (about 20 KB, 13,000 × 13,000 px) and a smaller one just over the cap (7,000²),
    in a fresh interpreter so that its peak resident memory measures only this."""
    script = textwrap.dedent(
        """
        import os, resource, django
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wastegrid.settings")
        django.setup()
        from django.core.exceptions import ValidationError
        from lib.uploads import clean_upload
        from tests.files import png_bomb
        bombs = [png_bomb(), png_bomb(7_000, 7_000)]
        print(len(bombs[0]))
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        for bomb in bombs:
            try:
                clean_upload(bomb)
                print("accepted")
            except ValidationError as exc:
                print("refused", exc.messages[0])
        print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    size, first, second, grown_mb = out.stdout.strip().splitlines()
    assert int(size) < 40_000
    assert first.startswith("refused") and second.startswith("refused")
    assert "像素" in first or "pixels" in first
    assert int(grown_mb) < 50  # decoding 13,000² would take 169 MB at 1 byte a pixel


# --- every upload path -------------------------------------------------------------------------------------


def _inspection_setup(grid: Grid) -> dict[str, Any]:
    # "publicity" is an inspection indicator of the default scheme the migrations seed.
    return {"community": grid.c1, "indicator_code": "publicity", "day": datetime.date(2026, 11, 20)}


@pytest.mark.django_db
def test_inspection_evidence_goes_through_the_gate(grid: Grid) -> None:
    common = _inspection_setup(grid)
    for name, data, declared in (("a.pdf", HTML, "application/pdf"), ("b.png", SVG, "image/png")):
        with pytest.raises(ValidationError):
            inspection_record(
                actor=None,
                score="90",
                inspector="组",
                client_id=uuid.uuid4(),
                evidence=_upload(name, data, declared),
                **common,
            )
    assert InspectionScore.objects.count() == 0  # nothing half-written
    record, _ = inspection_record(
        actor=None,
        score="90",
        inspector="组",
        client_id=uuid.uuid4(),
        evidence=_upload("board.html", png_bytes() + HTML, "text/html"),
        **common,
    )
    assert (record.evidence.name or "").endswith(".png")
    assert b"script" not in record.evidence.read()


@pytest.mark.django_db
def test_commitment_and_milestone_evidence_go_through_the_gate(grid: Grid) -> None:
    unit = unit_create(actor=None, subdistrict=grid.sd, name="育婴堂路小学", kind="school", community=grid.c1)
    commitment = commitment_add(actor=None, unit=unit, year=2026, title="桶边值守")
    with pytest.raises(ValidationError):
        commitment_update(
            actor=None,
            commitment=commitment,
            status="done",
            evidence=_upload("x.pdf", HTML, "application/pdf"),
        )
    assert not Commitment.objects.get(pk=commitment.pk).evidence
    commitment_update(
        actor=None, commitment=commitment, status="done", evidence=_upload("r.pdf", pdf_bytes(), "image/png")
    )
    assert (Commitment.objects.get(pk=commitment.pk).evidence.name or "").endswith(".pdf")

    project = project_create(
        actor=None, node=grid.sd, inclusion="practical", year=2026, title="箱房改造", owner="市容所"
    )
    milestone = milestone_add(actor=None, project=project, title="调研")
    with pytest.raises(ValidationError):
        milestone_done(
            actor=None,
            milestone=milestone,
            day=datetime.date(2026, 11, 1),
            evidence=_upload("s.png", SVG, "image/png"),
        )
    milestone.refresh_from_db()
    assert milestone.done_on is None and not milestone.evidence


@pytest.mark.django_db
def test_ticket_and_activity_photos_go_through_the_gate(grid: Grid) -> None:
    day = datetime.date(2026, 11, 1)
    with pytest.raises(ValidationError):
        tonnage_record(
            actor=None,
            community=grid.c1,
            day=day,
            category="wet",
            kg="12",
            ref="T-svg",
            photo=_upload("t.png", SVG, "image/png"),
        )
    with pytest.raises(ValidationError):  # a PDF is evidence, not a ticket photo
        tonnage_record(
            actor=None,
            community=grid.c1,
            day=day,
            category="wet",
            kg="12",
            ref="T-pdf",
            photo=_upload("t.jpg", pdf_bytes(), "image/jpeg"),
        )
    assert not TonnageRecord.objects.exists()
    record, _ = tonnage_record(
        actor=None,
        community=grid.c1,
        day=day,
        category="wet",
        kg="12",
        ref="T-1",
        photo=_upload("t.png", png_bytes(), "image/png"),
    )
    assert (record.photo.name or "").endswith(".jpg") and record.photo.read()[:3] == b"\xff\xd8\xff"

    activity = _activity(grid)
    for bad in (SVG, png_bomb(7_000, 7_000)):
        with pytest.raises(ValidationError):
            activity_photo_add(actor=None, activity=activity, data=_upload("p.png", bad, "image/png"))
    assert not activity.photos.exists()


@pytest.mark.django_db
def test_photo_api_refuses_a_pixel_bomb_with_400(grid: Grid, personas: dict) -> None:
    from supervision.services import point_create
    from tests.supervision.test_ingest import post, record

    point = point_create(actor=None, community=grid.c1, name="甲1号箱房")
    client = client_for(personas["volunteer"])
    rec = record(point.code)
    post(client, [rec])
    day = timezone.localtime(datetime.datetime.fromisoformat(rec["observed_at"])).date().isoformat()
    for data in (png_bomb(), SVG):
        upload = io.BytesIO(data)
        upload.name = "bin.png"
        bad = client.post(
            "/api/v1/supervision/photos", {"client_id": rec["client_id"], "day": day, "image": upload}
        )
        assert bad.status_code == 400 and bad.json()["code"] == "bad_photo"
        assert bad.json()["message"]["zh"]


@pytest.mark.django_db
def test_inspection_form_refuses_html_declared_as_pdf(grid: Grid, personas: dict) -> None:
    _inspection_setup(grid)
    admin = client_for(personas["subdistrict_admin"])
    post = {
        "form_id": str(uuid.uuid4()),
        "community": grid.c1.code,
        "indicator": "publicity",
        "day": "2026-11-20",
        "score": "88",
        "inspector": "第三方",
        "evidence": _upload("check.pdf", HTML, "application/pdf"),
    }
    page = admin.post(f"/assessment/n/{grid.sd.code}/inspect/", post, follow=True).content.decode()
    assert "PDF" in page and InspectionScore.objects.count() == 0


# --- serving -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_served_files_are_attachments_with_a_type_from_their_content(grid: Grid, personas: dict) -> None:
    common = _inspection_setup(grid)
    admin = client_for(personas["subdistrict_admin"])
    pdf = pdf_bytes()
    record, _ = inspection_record(
        actor=None,
        score="90",
        inspector="组",
        client_id=uuid.uuid4(),
        evidence=_upload("check.pdf", pdf, "text/html"),
        **common,
    )
    response = admin.get(f"/assessment/n/{grid.c1.code}/evidence/{record.client_id}/")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == pdf  # type: ignore[attr-defined]
    # A file stored before the gate existed (HTML named .pdf) is served as opaque bytes, never as a page.
    legacy = InspectionScore.objects.create(
        subdistrict=grid.sd,
        community=grid.c1,
        indicator_code="publicity",
        day=datetime.date(2026, 11, 21),
        score=Decimal("80"),
        inspector="旧",
        client_id=uuid.uuid4(),
    )
    legacy.evidence.save("old.pdf", ContentFile(HTML))
    old = admin.get(f"/assessment/n/{grid.c1.code}/evidence/{legacy.client_id}/")
    assert old["Content-Type"] == "application/octet-stream"
    assert old["Content-Disposition"].startswith("attachment;") and ".bin" in old["Content-Disposition"]
    assert old["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_activity_photos_are_served_inline_only_as_reencoded_images(grid: Grid, personas: dict) -> None:
    activity = _activity(grid)
    photo = activity_photo_add(actor=None, activity=activity, data=png_bytes())
    client = client_for(personas["community_secretary"])
    response = client.get(f"/activities/a/{activity.code}/photo/{photo.code}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("inline;")
    assert response["X-Content-Type-Options"] == "nosniff"
    # Whatever sits in the file store, only JPEG/PNG bytes are ever inline.
    photo.image.save("old.jpg", ContentFile(SVG))
    again = client.get(f"/activities/a/{activity.code}/photo/{photo.code}/")
    assert again["Content-Type"] == "application/octet-stream"
    assert again["Content-Disposition"].startswith("attachment;")


# --- the table reader ------------------------------------------------------------------------------------------


def _peak_mb(fn: Any) -> tuple[Any, float]:
    tracemalloc.start()
    try:
        try:
            result: Any = fn()
        except TableError as exc:
            result = exc
        return result, tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def test_xlsx_dimension_bomb_reads_in_bounded_memory() -> None:
    rows = [["姓名", "电话"], ["张三", "13800000001"]]
    # The shape: a few KB declaring A1:XFD8000 (before: padded to 16,384 × 8,000 cells, 1.3 GB).
    declared = xlsx_bytes_with(rows, dimension="A1:XFD8000")
    assert len(declared) < 10_000
    result, peak = _peak_mb(lambda: read_table("b.xlsx", declared))
    assert result == (["姓名", "电话"], [["张三", "13800000001"]]) and peak < 50
    # The same with a real cell at XFD8000, then at the last row of the sheet: the far cell is never read
    # (no row is padded out to it), the file reads in bounded memory and time.
    for cell in (b"XFD8000", b"A1048576"):
        row = cell.lstrip(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        far = xlsx_bytes_with(
            rows,
            dimension="A1:XFD1048576",
            extra_xml=b'<row r="%s"><c r="%s" s="0"/></row>' % (row, cell),
        )
        started = time.monotonic()
        result, peak = _peak_mb(lambda data=far: read_table("b.xlsx", data))
        assert result == (["姓名", "电话"], [["张三", "13800000001"]])
        assert peak < 50 and time.monotonic() - started < 20
    # A value one column past the bound (column 101, CW) refuses the file, with a zh/en message.
    wide = xlsx_bytes_with(rows, extra_xml=b'<row r="5"><c r="CW5" t="inlineStr"><is><t>x</t></is></c></row>')
    result, _ = _peak_mb(lambda: read_table("b.xlsx", wide))
    assert isinstance(result, TableError) and "100" in result.msg.zh and "columns" in result.msg.en
    # 5,000 rows each with a styled empty cell at XFD (a sheet formatted to its last column): empties are
    # cut, so nothing is refused and nothing is padded.
    styled = b"".join(f'<row r="{r}"><c r="XFD{r}" s="0"/></row>'.encode() for r in range(3, 5003))
    gap = xlsx_bytes_with(rows, dimension="A1:XFD1048576", extra_xml=styled)
    result, peak = _peak_mb(lambda: read_table("b.xlsx", gap))
    assert result == (["姓名", "电话"], [["张三", "13800000001"]]) and peak < 50


def test_xlsx_rows_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsx, "MAX_ROWS", 10)
    data = xlsx_bytes_with([["a"]] + [[str(i)] for i in range(11)])
    with pytest.raises(TableError) as caught:
        read_table("rows.xlsx", data)
    assert "10" in caught.value.msg.en and "行" in caught.value.msg.zh
    assert read_table("rows.xlsx", xlsx_bytes_with([["a"]] + [[str(i)] for i in range(10)]))[1][-1] == ["9"]


def test_xlsx_that_is_not_one_is_refused() -> None:
    # Entities (the "billion laughs" shape) are refused by defusedxml, which openpyxl uses when installed.
    laughs = b'<!DOCTYPE w [<!ENTITY a "' + b"ha" * 50 + b'"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    entity = xlsx_bytes_with(
        [["a"]], doctype=laughs, extra_xml=b'<row r="2"><c r="A2" t="inlineStr"><is><t>&b;</t></is></c></row>'
    )
    for data in (b"PK\x03\x04broken", HTML, pdf_bytes(), entity):
        with pytest.raises(TableError):
            read_table("x.xlsx", data)


@pytest.mark.parametrize(
    "data",
    [
        b"a,b\n" + b"," * 3_000_000,  # one line of three million empty cells
        b'a,b\n"' + b"x,\n" * 200_000 + b'"\n',  # a quoted cell running over 200,000 lines
        b"a,b\n" + b"x" * 200_000 + b"\n",  # one cell far over the field bound
        b"a\n" + b"y" * 3000 + b"\n",  # a cell over MAX_CELL
    ],
)
def test_csv_bombs_are_refused_in_bounded_memory(data: bytes) -> None:
    result, peak = _peak_mb(lambda: read_table("bomb.csv", data))
    assert isinstance(result, TableError) and result.msg.zh and result.msg.en
    assert peak < 50


def test_csv_rows_and_size_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsx, "MAX_ROWS", 100)
    with pytest.raises(TableError):
        read_table("rows.csv", b"a,b\n" + b"1,2\n" * 101)
    header, rows = read_table("rows.csv", b"a,b\n1,2\n\n,\n" + '张,"多\n行"\n'.encode())
    assert header == ["a", "b"] and rows == [["1", "2"], ["张", "多\n行"]]
    monkeypatch.setattr(xlsx, "MAX_BYTES", 1000)
    with pytest.raises(TableError, match="large"):
        read_table("big.csv", b"a\n" + b"1\n" * 600)


def test_the_admin_is_no_way_around_the_gate() -> None:
    from django.contrib import admin

    for model in (InspectionScore, Commitment):
        assert "evidence" in admin.site._registry[model].readonly_fields


# --- formula escaping ------------------------------------------------------------------------------------------


def test_export_text_never_becomes_a_formula() -> None:
    hostile = [
        '=HYPERLINK("http://evil.example","点我")',
        "+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(A1)",
        "\t=1",
        "\r=1",
    ]
    kept = ["-5", "+3.2%", "普通文字", "a=b"]
    numbers = [-5, Decimal("-1.5"), 0.25, None]
    data = xlsx_bytes([("s", ["=title", "b"], [hostile + kept + numbers])])
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    header = [c for c in next(sheet.iter_rows(min_row=1, max_row=1))]
    cells = [c for c in next(sheet.iter_rows(min_row=2, max_row=2))]
    assert header[0].value == "'=title" and header[0].data_type == "s"
    for cell, text in zip(cells[: len(hostile)], hostile, strict=True):
        # (XML reads a CR back as LF)
        assert cell.data_type == "s" and cell.value == ("'" + text).replace("\r", "\n")
    assert [c.value for c in cells[len(hostile) : len(hostile) + len(kept)]] == kept
    # Numbers stay numbers (a trailing empty cell is not written at all).
    assert [c.value for c in cells[len(hostile) + len(kept) :]] == [-5, -1.5, 0.25]
    assert [c.data_type for c in cells[len(hostile) + len(kept) :]] == ["n", "n", "n"]
    assert all(c.data_type != "f" for c in header + cells)
    assert safe_cell("a\x00b") == "ab"  # a NUL no longer makes the export fail


@pytest.mark.django_db
def test_an_activity_titled_as_a_formula_exports_as_text(grid: Grid, personas: dict) -> None:
    activity = _activity(grid, title='=HYPERLINK("http://evil.example","报名")')
    export = client_for(personas["community_secretary"]).get(f"/activities/a/{activity.code}/?export=xlsx")
    assert export.status_code == 200
    book = load_workbook(io.BytesIO(export.content))
    values = [c for ws in book.worksheets for row in ws.iter_rows() for c in row]
    assert values and not [c for c in values if c.data_type == "f"]


# --- rejected import files -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_rejected_import_files_are_not_kept_whole_forever(grid: Grid, personas: dict) -> None:
    secretary = personas["subdistrict_admin"]
    big = b"a,b\n" + b"x,y\n" * 700_000  # 2.8 MB, over the 2 MB kept for a rejected file
    small = "楼栋编码,名称\n坏,行\n".encode()
    job_big = import_job_create(kind="buildings", filename="big.csv", data=big, actor=secretary, root=grid.sd)
    job_small = import_job_create(
        kind="buildings", filename="s.csv", data=small, actor=secretary, root=grid.sd
    )
    job_big.refresh_from_db()
    job_small.refresh_from_db()
    assert job_big.status == job_small.status == ImportStatus.FAILED
    assert bytes(job_big.data) == b"" and bytes(job_small.data) == small
    # After the retention window the small one goes too, at the next import or purge.
    ImportJob.objects.filter(pk=job_small.pk).update(created_at=timezone.now() - REJECTED_KEEP * 2)
    assert import_jobs_purge() == 1
    job_small.refresh_from_db()
    assert bytes(job_small.data) == b""


# Found by probing the running demo after issue 13.


def test_xlsx_row_numbers_past_the_sheet_limit_are_refused_at_once() -> None:
    """A 5 KB .xlsx naming row 2,000,000,000 made openpyxl yield every missing row before it (hours of one
    worker's CPU). Rows are looked at up to Excel's own limit, empty ones included."""
    rows = [["姓名", "电话"], ["张三", "13800000001"]]
    for row in (2_000_000_000, 1_048_577, 10**15):
        far = xlsx_bytes_with(
            rows, extra_xml=b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>x</t></is></c></row>' % (row, row)
        )
        started = time.monotonic()
        result, peak = _peak_mb(lambda data=far: read_table("far.xlsx", data))
        assert isinstance(result, TableError) and "1,048,576" in result.msg.en and result.msg.zh
        assert time.monotonic() - started < 20 and peak < 50


@pytest.mark.parametrize(
    "cell",
    [
        b'<c r="A3" t="s"><v>999999</v></c>',  # a shared-string index past the table: IndexError, a 500
        b'<c r="A3" t="s"><v>-99999999</v></c>',
        b'<c r="A3" t="d"><v>9999-99-99</v></c>',
        b'<c r="A3" t="n"><v>1e99999</v></c>',
    ],
)
def test_xlsx_cells_that_cannot_be_read_refuse_the_file(cell: bytes) -> None:
    data = xlsx_bytes_with([["a"], ["b"]], extra_xml=b'<row r="3">' + cell + b"</row>")
    try:
        read_table("cell.xlsx", data)
    except TableError as exc:
        assert exc.msg.zh and exc.msg.en
    # Reading a value is fine too (1e99999 is a float infinity): what matters is no other exception.


@pytest.mark.parametrize("blank", [b"\n", b",\n", b'"",""\r\n'])
def test_csv_of_blank_lines_is_refused_quickly(blank: bytes) -> None:
    """29 MB of blank lines took 12 s (a line of commas 27 s) before being called empty."""
    data = b"a,b\n1,2\n" + blank * 1_100_000
    started = time.monotonic()
    with pytest.raises(TableError) as caught:
        read_table("blank.csv", data)
    assert "1,048,576" in caught.value.msg.en and time.monotonic() - started < 10
    assert read_table("ok.csv", b"a,b\n" + b"\n" * 1000 + b"1,2\n") == (["a", "b"], [["1", "2"]])


@pytest.mark.parametrize("size", [(1, 39_000_000), (39_000_000, 1), (20_001, 1000)])
def test_images_with_a_side_too_long_are_refused_from_the_header(size: tuple[int, int]) -> None:
    """A 150 KB PNG of 1 × 39,000,000 px is under the pixel cap but took a worker to 1 GB and 6 s (Pillow
    allocates per row)."""
    bomb = png_bomb(*size)
    assert len(bomb) < 200_000
    tracemalloc.start()
    try:
        with pytest.raises(ValidationError) as caught:
            clean_upload(bomb)
        peak = tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()
    assert "20,000" in str(caught.value) or "20000" in str(caught.value)
    assert peak < 20
    assert clean_upload(png_bomb(2000, 2000)).content_type == "image/png"


@pytest.mark.parametrize("name", ['grid-A"B.xlsx', "grid-A\nB.xlsx", "甲乙.xlsx", "grid-ZJ-01.xlsx"])
def test_export_file_names_never_break_the_header(name: str) -> None:
    """Export names carry codes people typed; a line break in one raised BadHeaderError (500)."""
    response = xlsx.xlsx_response(name, ["a"], [["b"]])
    header = response["Content-Disposition"]
    assert header.startswith("attachment; filename") and "\n" not in header


@pytest.mark.parametrize("cell", ["张\x1b[31m三", "李\x07四", "王\x85五", "赵\x0b六"])
def test_imported_cells_with_control_characters_are_refused(cell: str) -> None:
    """Forms and API bodies refuse control characters; an imported CSV carried them into stored names."""
    data = f"姓名,电话\n正常,13800000001\n{cell},13800000002\n".encode()
    for encoded in (data, data.decode().encode("gb18030", errors="ignore")):
        with pytest.raises(TableError) as caught:
            read_table("people.csv", encoded)
        assert "3" in caught.value.msg.en and "控制字符" in caught.value.msg.zh
    header, rows = read_table("ok.csv", '姓名,地址\n张三,"一号楼\t东\r\n二单元"\n'.encode())
    assert rows == [["张三", "一号楼\t东\r\n二单元"]]
