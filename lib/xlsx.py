"""Reading tables from .xlsx/.csv uploads and writing .xlsx downloads."""

from __future__ import annotations

import csv
import datetime
import decimal
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from lib.bilingual import Msg
from lib.numbers import Num
from lib.validation import has_control_chars

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# Bounds on what an upload may make us hold in memory. Household imports run to 150,000 rows of about ten
# columns; every other table is far smaller.
MAX_BYTES = 30 * 1024 * 1024
# All parts of an .xlsx once inflated: the XML the parser walks (150,000 rows × 10 cells is about 60 MB).
MAX_UNZIPPED = 160 * 1024 * 1024
MAX_ROWS = 200_000  # data rows, not counting the header or empty rows
MAX_COLUMNS = 100
MAX_CELL = 2000  # characters in one cell
MAX_CSV_LINE = 64 * 1024  # characters in one physical CSV line
MAX_CSV_LINES_PER_ROW = 20  # a quoted cell may span lines (Alt+Enter in Excel), not without end
# Rows looked at, empty ones included: Excel's own sheet limit. Empty rows are skipped cheaply but not for
# free: an .xlsx naming row 2,000,000,000 had openpyxl yield every missing row before it (hours of CPU), and
# a 29 MB CSV of blank lines took 12 s. No spreadsheet has more rows than this, so a file that does is refused.
MAX_SCANNED_ROWS = 1_048_576

_NOT_XLSX = Msg(
    "这不是有效的 Excel (.xlsx) 文件，请用模板另存为 .xlsx 后再上传。",
    "This is not a valid Excel (.xlsx) file; save it from the template as .xlsx and upload again.",
)
_EMPTY = Msg("文件是空的。", "The file is empty.")


class TableError(Exception):
    def __init__(self, msg: Msg):
        super().__init__(msg.en)
        self.msg = msg


def _too_many_rows() -> TableError:
    return TableError(
        Msg("一个文件最多 {n} 行数据。", "At most {n} data rows per file.").format(n=f"{MAX_ROWS:,}")
    )


def _too_many_columns() -> TableError:
    return TableError(
        Msg(
            "表格最多 {n} 列，请删除多余的列后再上传。",
            "At most {n} columns; delete the extra columns and upload again.",
        ).format(n=MAX_COLUMNS)
    )


# Invisible characters that copy and paste carries into cells (zero-width space and joiners, BOM, soft
# hyphen): a room "1-101\u200b" must be the room 1-101.
_INVISIBLE = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff]")
# Excel keeps 15 significant digits of a number: an 18-digit ID typed into a number cell is stored with its
# last digits turned to 0 (and may still pass the check digit), so no number cell that large is read.
EXACT_LIMIT = 10**15
# A long number shown (and saved to CSV) the way Excel shows it in a General cell: 1.10101E+17.
_EXCEL_SCIENTIFIC = re.compile(r"[+-]?\d(\.\d+)?[eE]\+?(1[1-9]|[2-9]\d)")


_SPACES = re.compile(r"\s+")


class _InexactNumber(Exception):
    pass


def normal_text(value: str) -> str:
    """Text as spreadsheets should have held it: Unicode NFKC (full-width digits, letters and punctuation
    become ASCII, "１-１０１" is "1-101", the ideographic space a space), invisible characters dropped, trimmed."""
    return _INVISIBLE.sub("", unicodedata.normalize("NFKC", value)).strip()


def _cell(value: Any) -> str:
    """A cell as text, the way a person reads it. Numbers: integers without ".0" (Excel stores phone
    numbers and counts typed as numbers as floats: 13812345678.0), other floats to Excel's 15 significant
    digits (464068.7, not 464068.69999999995); a number cell of EXACT_LIMIT or more raises _InexactNumber.
    Dates: YYYY-MM-DD (with HH:MM:SS when there is a time of day). Text: `normal_text`."""
    if value is None or value == "":  # most cells of a sparse sheet, every cell of a blank CSV line
        return ""
    if isinstance(value, str):
        # ASCII is its own NFKC and holds no invisible characters: the common case skips both.
        text = value.strip() if value.isascii() else normal_text(value)
        if ("E" in text or "e" in text) and _EXCEL_SCIENTIFIC.fullmatch(text):
            raise _InexactNumber
        return text
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float | decimal.Decimal):
        if abs(float(value)) >= EXACT_LIMIT:
            raise _InexactNumber
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return format(value, ".15g") if isinstance(value, float) else str(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return normal_text(str(value))


def _inexact(row: int, column: int) -> TableError:
    return TableError(
        Msg(
            "第 {row} 行第 {col} 列是超过 15 位的数字（或 Excel 缩写的 1.23E+17），Excel 只保留 15 位有效数字，"
            "后面几位已经丢失。请把这一列设为“文本”格式后重新输入（身份证号、电话号码、编号都应是文本）。",
            "Row {row}, column {col} holds a number of more than 15 digits (or Excel's shortened 1.23E+17): "
            "Excel keeps only 15 significant digits, so the last ones are lost. Format the column as Text and "
            "type the values again (ID numbers, phone numbers and codes must be text).",
        ).format(row=row, col=get_column_letter(column))
    )


def _bounded(raw_rows: Iterable[Sequence[Any]]) -> list[list[str]]:
    """Non-empty rows as text, trailing empty cells cut, refused as soon as a bound is passed, so a sheet
    can never make us hold more than MAX_ROWS × MAX_COLUMNS cells."""
    rows: list[list[str]] = []
    for scanned, raw in enumerate(raw_rows):
        if scanned >= MAX_SCANNED_ROWS:
            raise TableError(
                Msg(
                    "文件的行数（含空行）超过 {n} 行。",
                    "The file has more than {n} rows, empty ones included.",
                ).format(n=f"{MAX_SCANNED_ROWS:,}")
            )
        if raw.count(None) == len(raw):  # an empty or missing row, counted in C: a gap costs little
            continue
        if len(raw) > MAX_COLUMNS:
            # Cells past MAX_COLUMNS are allowed only empty (formatting); set() runs in C.
            if set(raw[MAX_COLUMNS:]) - {None, ""}:
                raise _too_many_columns()
            raw = raw[:MAX_COLUMNS]
        try:
            row = [_cell(v) for v in raw]
        except _InexactNumber:
            column = next(i for i, v in enumerate(raw, start=1) if _is_inexact(v))
            raise _inexact(scanned + 1, column) from None
        while row and not row[-1]:
            row.pop()
        if not row:
            continue
        # The edge for imported text, as ControlCharsMiddleware is for forms: a CSV cell carried ESC or BEL
        # into names and addresses. One search per row (tab, allowed, joins the cells).
        if has_control_chars("\t".join(row)):
            raise TableError(
                Msg(
                    "第 {n} 行含有不可见的控制字符，请删除后重试。",
                    "Row {n} contains invisible control characters; remove them and try again.",
                ).format(n=scanned + 1)
            )
        if max(len(c) for c in row) > MAX_CELL:
            raise TableError(
                Msg(
                    "单元格内容过长（最多 {n} 个字）。", "A cell is too long ({n} characters at most)."
                ).format(n=MAX_CELL)
            )
        rows.append(row)
        if len(rows) > MAX_ROWS + 1:  # + the header
            raise _too_many_rows()
    return rows


def _is_inexact(value: Any) -> bool:
    try:
        _cell(value)
    except _InexactNumber:
        return True
    return False


def _xlsx_rows(data: bytes) -> list[list[str]]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            # Declared sizes bind: zipfile stops inflating a part at its declared size.
            if sum(info.file_size for info in archive.infolist()) > MAX_UNZIPPED:
                raise TableError(
                    Msg("Excel 文件解压后太大。", "The Excel file is too large once uncompressed.")
                )
        # read_only streams rows; openpyxl parses with defusedxml (installed) against entity bombs.
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, SyntaxError):
        raise TableError(_NOT_XLSX) from None
    try:
        sheet = book.worksheets[0]
        # Ignore the declared dimension (a 5 KB file may claim A1:XFD1048576): rows would be padded to it.
        sheet.reset_dimensions()  # type: ignore[union-attr]
        # openpyxl would pad each row out to its last cell (XFD is column 16,384, a 0.8 ms list per row):
        # read one column past the bound instead, so a value there refuses the file and cells further out
        # (never part of a template) are not read at all. Likewise one row past MAX_SCANNED_ROWS: openpyxl
        # stops at max_row before filling the gap up to a far-off row number.
        return _bounded(
            sheet.iter_rows(max_row=MAX_SCANNED_ROWS + 1, max_col=MAX_COLUMNS + 1, values_only=True)
        )
    except TableError:
        raise
    except Exception:  # noqa: BLE001 — openpyxl raises many types on hostile parts (IndexError for a
        # shared-string index past the table was a 500); all mean "not an .xlsx we can read".
        raise TableError(_NOT_XLSX) from None
    finally:
        book.close()


def _csv_rows(data: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise TableError(
            Msg(
                "无法识别 CSV 文件的编码（应为 UTF-8 或 GBK）。",
                "Cannot read the CSV's encoding (use UTF-8 or GBK).",
            )
        )
    if "\x00" in text:
        raise TableError(Msg("CSV 文件含有二进制内容。", "The CSV file contains binary data."))
    row_start = 0

    def lines() -> Iterator[str]:
        # Bounding the lines bounds the cells a single row can hold (a line of commas is a row of cells).
        for line in io.StringIO(text, newline=""):
            if len(line) > MAX_CSV_LINE or reader.line_num - row_start >= MAX_CSV_LINES_PER_ROW:
                raise TableError(Msg("CSV 文件有一行过长。", "A line of the CSV file is too long."))
            yield line

    def rows() -> Iterator[list[str]]:
        nonlocal row_start
        for row in reader:
            row_start = reader.line_num
            yield row

    reader = csv.reader(lines())
    try:
        return _bounded(rows())
    except csv.Error:
        raise TableError(Msg("CSV 文件格式有误。", "The CSV file is malformed.")) from None


def _heading_key(text: str) -> str:
    return _SPACES.sub("", normal_text(text))


def read_table(filename: str, data: bytes, headings: Sequence[str] = ()) -> tuple[list[str], list[list[str]]]:
    """The header row and the data rows of the first sheet of an .xlsx or .csv (chosen by `filename`),
    every cell as text the way a person reads it (`_cell`: NFKC, trimmed, numbers without float noise,
    dates as YYYY-MM-DD), empty rows dropped, each row padded to the header's width. A header cell that
    matches one of `headings` up to NFKC and spaces ("重量 (千克)" for "重量（千克）") is returned spelled as
    in `headings`.

    Bounded whatever the file declares: MAX_BYTES, MAX_ROWS data rows, MAX_COLUMNS (a value in the next
    column refuses the file; .xlsx cells further out are not read), MAX_CELL characters a cell, and for a
    CSV the length of its lines. Raises TableError (zh/en message) for an empty, unreadable or oversized
    file, or one with a number that lost digits (a number cell of 16+ digits, or Excel's 1.23E+17 in a CSV)."""
    if not data:
        raise TableError(_EMPTY)
    if len(data) > MAX_BYTES:
        raise TableError(
            Msg("文件太大（最大 {mb} MB）。", "The file is too large ({mb} MB at most).").format(
                mb=MAX_BYTES // (1024 * 1024)
            )
        )
    name = filename.lower()
    if name.endswith(".xlsx"):
        rows = _xlsx_rows(data)
    elif name.endswith(".csv"):
        rows = _csv_rows(data)
    else:
        raise TableError(Msg("只接受 .xlsx 或 .csv 文件。", "Only .xlsx or .csv files are accepted."))
    if not rows:
        raise TableError(_EMPTY)
    wanted = {_heading_key(h): h for h in headings}
    header = [wanted.get(_heading_key(h), h) for h in rows[0]]
    return header, [r + [""] * (len(header) - len(r)) for r in rows[1:]]


_DAY = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
_DAY_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
# Excel's day numbers (1 = 1900-01-01, counted from 1899-12-30 because of Lotus's leap-year bug) in the
# years this product reads: a date cell saved as General or through a CSV arrives as "46000".
_EXCEL_EPOCH = datetime.date(1899, 12, 30)
_EXCEL_SERIALS = range(36526, 73051)  # 2000-01-01 … 2099-12-31
_EXCEL_SERIAL = re.compile(r"(\d+)(?:\.\d+)?")


def cell_day(text: str) -> datetime.date:
    """A day in the forms spreadsheets hold: 2026-11-30, 2026/11/30, 2026.11.30, 2026年11月30日, 20261130,
    with or without a time of day, or Excel's day number (46000; 46000.5 with a time of day). ValueError for
    anything else, including an impossible day (2026-02-30)."""
    text = normal_text(text)
    found = _DAY.fullmatch(text) or _DAY_COMPACT.fullmatch(text)
    if found:
        return datetime.date(*(int(g) for g in found.groups()[:3]))
    serial = _EXCEL_SERIAL.fullmatch(text)  # a fraction is the time of day: 46000.5 is noon
    if serial and int(serial[1]) in _EXCEL_SERIALS:
        return _EXCEL_EPOCH + datetime.timedelta(days=int(serial[1]))
    raise ValueError(text[:30])


_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_UNIT = re.compile(r"\s*(kg|KG|Kg|千克|公斤)$")


def cell_decimal(text: str) -> decimal.Decimal:
    """A number in the forms spreadsheets hold: 1234.5, 1,234.5 (thousands separators), ' 12 ', full-width
    digits, a trailing kg/千克/公斤. ValueError for anything else (1.234,5 is ambiguous and refused; so are
    NaN and infinities)."""
    text = _UNIT.sub("", normal_text(text)).replace(" ", "")
    if _THOUSANDS.fullmatch(text):
        text = text.replace(",", "")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
        raise ValueError(text[:30])
    return decimal.Decimal(text)


# Text starting with one of these is run as a formula (or DDE command) by spreadsheet programs, whether the
# text arrives as an .xlsx cell (openpyxl writes "=…" as a formula) or later as CSV (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A signed number or percentage typed as text ("-5", "+3.2%") cannot carry a formula; left readable.
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9][0-9.,]*%?")


def safe_cell(value: Any) -> Any:
    """What to write for `value` in an export: text that a spreadsheet would run as a formula gets a leading
    apostrophe (shown as text), characters XML cannot carry (NUL, other C0 controls) are dropped; numbers,
    dates and None are returned unchanged (a negative number stays a number)."""
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if value.startswith(FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def _number_cell(sheet: Any, value: Num) -> Any:
    cell = WriteOnlyCell(sheet, value=value.excel_value)
    cell.number_format = value.excel_format
    return cell


def _text_width(value: Any) -> int:
    """Columns a value takes on screen: a CJK character is about two Latin ones wide."""
    text = str(value) if value is not None else ""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _fit_widths(sheet: Any, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Column widths from the widest header or cell (8..60), set before the rows: a write-only sheet
    takes its column dimensions first."""
    widths = [_text_width(h) for h in headers]
    for row in rows:
        for i, v in enumerate(row):
            w = _text_width(v)
            if i < len(widths):
                widths[i] = max(widths[i], w)
            else:
                widths.append(w)
    for i, w in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = min(60, max(8, w + 2))


def xlsx_bytes(
    sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]], *, fit_columns: bool = False
) -> bytes:
    """An .xlsx with one sheet per (title, headers, rows); every cell goes through `safe_cell`, so no text
    from a user becomes a live formula. A `lib.numbers.Num` becomes a number cell with its number format
    (thousands, decimals, unit): it reads like the PDF and still adds up. `fit_columns` sizes the columns to
    their contents (it reads all rows first: for small tables such as reports)."""
    book = Workbook(write_only=True)
    for title, headers, rows in sheets:
        sheet = book.create_sheet(title=title[:31])
        if fit_columns:
            rows = [list(r) for r in rows]
            _fit_widths(sheet, headers, rows)
        sheet.append([safe_cell(h) for h in headers])
        for row in rows:
            sheet.append([_number_cell(sheet, v) if isinstance(v, Num) else safe_cell(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_response(
    filename: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], title: str = "Sheet1"
) -> HttpResponse:
    response = HttpResponse(xlsx_bytes([(title, headers, rows)]), content_type=XLSX_CONTENT_TYPE)
    # Names carry codes typed by people: a quote or line break in one must not break the header (a line break
    # raised BadHeaderError, a 500); non-ASCII names are encoded as RFC 6266 says.
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
