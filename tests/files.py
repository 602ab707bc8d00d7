"""Real files for upload tests, built in memory: images with Pillow, PDFs with pypdf, hostile shapes by hand."""

from __future__ import annotations

import io
import re
import struct
import zlib
from typing import Any

from openpyxl import Workbook
from PIL import Image
from pypdf import PdfWriter


def png_bytes(size: tuple[int, int] = (60, 40), color: str = "green") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def jpeg_bytes(size: tuple[int, int] = (120, 80), *, exif_gps: bool = False) -> bytes:
    img = Image.new("RGB", size, "blue")
    out = io.BytesIO()
    if exif_gps:
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"  # Make
        exif[0x8825] = {1: "N", 2: (31.0, 14.0, 0.0)}  # GPS IFD: a location
        img.save(out, "JPEG", exif=exif.tobytes())
    else:
        img.save(out, "JPEG")
    return out.getvalue()


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def png_bomb(width: int = 13_000, height: int = 13_000) -> bytes:
    """A valid 1-bit greyscale PNG of width × height px that weighs about 20 KB (the issue's file)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    packer = zlib.compressobj(9)
    body = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def xlsx_bytes_with(
    rows: list[list[Any]], *, dimension: str | None = None, extra_xml: bytes = b"", doctype: bytes = b""
) -> bytes:
    """A small .xlsx of `rows`, its sheet XML then altered: `dimension` replaces the declared range
    (e.g. "A1:XFD8000"), `extra_xml` is appended inside <sheetData> (e.g. a cell at XFD8000), `doctype`
    goes before the root element (e.g. entity definitions)."""
    import zipfile

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    plain = io.BytesIO()
    book.save(plain)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(plain.getvalue())) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                if dimension is not None:
                    data = re.sub(
                        rb'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{dimension}"/>'.encode(), data
                    )
                data = data.replace(b"</sheetData>", extra_xml + b"</sheetData>")
                data = data.replace(b"<worksheet", doctype + b"<worksheet", 1)
            dst.writestr(info, data)
    return out.getvalue()
