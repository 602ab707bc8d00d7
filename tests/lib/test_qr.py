"""Issue 14, the household QR sheet: no character the PDF's CID font lacks (the "·" of its title printed as a
missing glyph), and each code's address printed under it, to be typed in when a camera cannot read it."""

from __future__ import annotations

from typing import Any

import pytest
from reportlab.pdfgen import canvas

from grid.models import HouseholdKey
from lib.qr import FONT, URL_FONT, pdf_text
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
        assert f"http://testserver/h/{key.token}/" in address
