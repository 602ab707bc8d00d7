"""Printable A4 sheets of QR codes (PDF), with the Chinese name under each code."""

from __future__ import annotations

import io
from collections.abc import Sequence

import segno
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

FONT = "STSong-Light"  # a CID font every PDF reader has: Chinese text stays extractable, nothing embedded
COLUMNS, ROWS = 4, 5
CELL_W, CELL_H = 46 * mm, 54 * mm
QR_SIZE = 36 * mm

pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def _draw_qr(c: canvas.Canvas, data: str, x: float, y: float, size: float) -> None:
    code = segno.make(data, error="m", micro=False)
    rows = [list(r) for r in code.matrix]
    n = len(rows) + 8  # 4-module quiet zone on each side
    module = size / n
    c.setFillColorRGB(0, 0, 0)
    for r, row in enumerate(rows):
        for col, dark in enumerate(row):
            if dark:
                c.rect(x + (col + 4) * module, y + size - (r + 5) * module, module, module, stroke=0, fill=1)


def qr_sheet_pdf(labels: Sequence[tuple[str, str, str]], *, title: str) -> bytes:
    """labels: (data encoded in the QR, name printed under it, small code line)."""
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=A4)
    c.setTitle(title)
    page_w, page_h = A4
    margin_x = (page_w - COLUMNS * CELL_W) / 2
    top = page_h - 20 * mm
    per_page = COLUMNS * ROWS
    for start in range(0, max(len(labels), 1), per_page):
        c.setFont(FONT, 11)
        c.drawString(margin_x, page_h - 12 * mm, title)
        for i, (data, name, code) in enumerate(labels[start : start + per_page]):
            col, row = i % COLUMNS, i // COLUMNS
            x = margin_x + col * CELL_W
            y = top - (row + 1) * CELL_H
            _draw_qr(c, data, x + (CELL_W - QR_SIZE) / 2, y + 14 * mm, QR_SIZE)
            c.setFont(FONT, 10)
            c.drawCentredString(x + CELL_W / 2, y + 9 * mm, name[:18])
            c.setFont(FONT, 7)
            c.drawCentredString(x + CELL_W / 2, y + 5 * mm, code)
        c.showPage()
    c.save()
    return buffer.getvalue()
