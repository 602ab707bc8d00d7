"""Issue 14, the household QR sheet: no character the PDF's CID font lacks (the "·" of its title printed as a
missing glyph), and each code's address printed under it, to be typed in when a camera cannot read it."""

from __future__ import annotations

from typing import Any

import pytest
from reportlab.pdfgen import canvas

from grid.models import HouseholdKey
from lib.qr import FONT, URL_FONT, URL_SIZE, address_line, address_size, pdf_text, qr_sheet_pdf
from tests.conftest import Grid, client_for


def test_pdf_text_leaves_out_what_the_font_cannot_draw() -> None:
    assert pdf_text("交通居民区 · 户码") == "交通居民区 户码"
    assert pdf_text("甲•乙\u30fb丙 😀\x07") == "甲 乙 丙"
    assert pdf_text("1号楼 1-102") == "1号楼 1-102"  # what it can draw is kept as it is


@pytest.mark.django_db
def test_the_households_sheet_prints_each_address_and_no_missing_glyph(
    grid: Grid, personas: dict, monkeypatch: Any
) -> None:
    drawn: list[tuple[str, str]] = []

    def capturing(real: Any) -> Any:
        def capture(self: Any, x: float, y: float, text: str, *args: Any, **kwargs: Any) -> Any:
            drawn.append((self._fontname, text))
            return real(self, x, y, text, *args, **kwargs)

        return capture

    for method in ("drawString", "drawCentredString"):  # the title, and the lines under each code
        monkeypatch.setattr(canvas.Canvas, method, capturing(getattr(canvas.Canvas, method)))
    client = client_for(personas["community_secretary"])
    response = client.get(f"/guide/qr/{grid.c1.code}/households.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert (FONT, f"{grid.c1.name} 家庭二维码") in drawn  # the title, its "·" left out
    assert drawn and not any("·" in text for font, text in drawn if font == FONT)
    address = "".join(text for font, text in drawn if font == URL_FONT)
    for key in HouseholdKey.objects.filter(household__community=grid.c1):
        assert f"testserver/h/{key.token}/" in address  # as typed: the browser adds "http(s)://"


@pytest.mark.django_db
def test_each_address_stays_on_one_line_of_the_printed_sheet(grid: Grid, personas: dict) -> None:
    """A walk found the address broken over two lines under each code (one typed as two); pypdf reads the
    sheet as a reader would."""
    import io

    from pypdf import PdfReader

    client = client_for(personas["community_secretary"])
    response = client.get(f"/guide/qr/{grid.c1.code}/households.pdf")
    lines = [
        line.strip()
        for page in PdfReader(io.BytesIO(response.content)).pages
        for line in page.extract_text().splitlines()
    ]
    keys = list(HouseholdKey.objects.filter(household__community=grid.c1))
    assert keys
    for key in keys:
        assert f"testserver/h/{key.token}/" in lines
    # A long address (a real host name) is set smaller, never cut or broken.
    long = "https://wastegrid.zhijiang-subdistrict.example.gov.cn/h/" + "x" * 33 + "/"
    pdf = qr_sheet_pdf([(long, "1号楼 101", "ZJXL-07-B001-101")], title="t")
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text().splitlines()
    assert address_line(long) in [line.strip() for line in text]
    assert address_size(address_line(long)) < URL_SIZE
