"""Printable A4 sheets of QR codes (PDF), with the Chinese name under each code and the address the code
carries, as text to type in when a camera cannot read the code."""

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

URL_FONT = "Courier"  # a standard PDF font: the address typed by hand, each character as wide as the next
URL_LINE = 30  # characters per line of the address under a code (5.5 pt Courier: 30 fit in a cell)

pdfmetrics.registerFont(UnicodeCIDFont(FONT))

# Characters STSong-Light (Adobe-GB1 through UniGB-UCS2-H) draws as a missing glyph, and what to print
# instead: the middle dot of "交通居民区 · 户码" first of all.
NO_GLYPH = str.maketrans({"\u00b7": " ", "\u2022": " ", "\u2027": " ", "\u30fb": " ", "\u2013": "-"})


def pdf_text(text: str) -> str:
    """`text` as STSong-Light can draw it: the characters it lacks replaced (NO_GLYPH), control characters
    and those beyond the Basic Multilingual Plane (emoji; UCS-2 cannot name them) left out, spaces folded."""
    kept = "".join(ch for ch in text.translate(NO_GLYPH) if ch.isprintable() and ord(ch) <= 0xFFFF)
    return " ".join(kept.split())


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
    """labels: (data encoded in the QR, name printed under it, small code line). Under each code also the
    data itself (an address) in two short lines; every text through `pdf_text`."""
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=A4)
    title = pdf_text(title)
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
            _draw_qr(c, data, x + (CELL_W - QR_SIZE) / 2, y + 17 * mm, QR_SIZE)
            c.setFont(FONT, 10)
            c.drawCentredString(x + CELL_W / 2, y + 13 * mm, pdf_text(name)[:18])
            c.setFont(FONT, 7)
            c.drawCentredString(x + CELL_W / 2, y + 9.5 * mm, pdf_text(code))
            c.setFont(URL_FONT, 5.5)
            for n, line in enumerate(address_lines(data)):
                c.drawCentredString(x + CELL_W / 2, y + (6 - 2.5 * n) * mm, line)
        c.showPage()
    c.save()
    return buffer.getvalue()


def address_lines(data: str) -> list[str]:
    """The address under a code, cut into lines of URL_LINE characters (at most three: a sheet's address
    is some 60); ASCII only, as Courier has nothing else."""
    text = data.encode("ascii", "replace").decode()
    return [text[i : i + URL_LINE] for i in range(0, min(len(text), 3 * URL_LINE), URL_LINE)]
