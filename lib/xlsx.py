"""Reading tables from .xlsx/.csv uploads and writing .xlsx downloads."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from lib.bilingual import Msg

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class TableError(Exception):
    def __init__(self, msg: Msg):
        super().__init__(msg.en)
        self.msg = msg


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        # Excel stores phone numbers and counts typed as numbers as floats: 13812345678.0.
        return str(int(value))
    return str(value).strip()


def read_table(filename: str, data: bytes) -> tuple[list[str], list[list[str]]]:
    """The header row and the data rows of the first sheet, every cell as stripped text."""
    if not data:
        raise TableError(Msg("文件是空的。", "The file is empty."))
    name = filename.lower()
    rows: list[list[str]]
    if name.endswith(".xlsx"):
        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
            raise TableError(
                Msg(
                    "这不是有效的 Excel (.xlsx) 文件，请用模板另存为 .xlsx 后再上传。",
                    "This is not a valid Excel (.xlsx) file; save it from the template as .xlsx and upload again.",
                )
            ) from None
        sheet = book.worksheets[0]
        rows = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        book.close()
    elif name.endswith(".csv"):
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
        rows = [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]
    else:
        raise TableError(Msg("只接受 .xlsx 或 .csv 文件。", "Only .xlsx or .csv files are accepted."))
    rows = [r for r in rows if any(c for c in r)]
    if not rows:
        raise TableError(Msg("文件是空的。", "The file is empty."))
    header = rows[0]
    while header and not header[-1]:
        header.pop()
    return header, [r + [""] * (len(header) - len(r)) for r in rows[1:]]


def xlsx_bytes(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]) -> bytes:
    book = Workbook(write_only=True)
    for title, headers, rows in sheets:
        sheet = book.create_sheet(title=title[:31])
        sheet.append(list(headers))
        for row in rows:
            sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_response(
    filename: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], title: str = "Sheet1"
) -> HttpResponse:
    response = HttpResponse(xlsx_bytes([(title, headers, rows)]), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
