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
URL_SIZE = 5.5  # pt, the address's largest size; a longer one is set smaller so that it stays on one line
URL_WIDTH = CELL_W - 4 * mm  # what the address may fill under a code

pdfmetrics.registerFont(UnicodeCIDFont(FONT))

# Characters STSong-Light (Adobe-GB1 through UniGB-UCS2-H) draws as a missing glyph, and what to print
# instead: the middle dot of "交通居民区 · 户码" first of all.
NO_GLYPH = str.maketrans({"\u00b7": " ", "\u2022": " ", "\u2027": " ", "\u30fb": " ", "\u2013": "-"})


def pdf_text(text: str) -> str:
    """`text` as STSong-Light can draw it: the characters it lacks replaced (NO_GLYPH), control characters
    and those beyond the Basic Multilingual Plane (emoji; UCS-2 cannot name them) left out, spaces folded."""
    kept = "".join(ch for ch in text.translate(NO_GLYPH) if ch.isprintable() and ord(ch) <= 0xFFFF)
    return " ".join(kept.split())


def qr_code(data: str) -> segno.QRCode:
    """The project's one QR encoder (household sheets and page, an activity's check-in, a contest's join
    code): the printed sheet and the household's own page draw the same code for the same address."""
    return segno.make(data, error="m", micro=False)


def qr_svg(data: str, *, scale: int = 5) -> str:
    """`data` as an inline SVG QR code (for a page: a phone shows it, a scanner reads it off the screen)."""
    return str(qr_code(data).svg_inline(scale=scale))


def _draw_qr(c: canvas.Canvas, data: str, x: float, y: float, size: float) -> None:
    code = qr_code(data)
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
    data itself (an address) on one line (`address_line`); every text through `pdf_text`."""
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
            line = address_line(data)
            c.setFont(URL_FONT, address_size(line))
            c.drawCentredString(x + CELL_W / 2, y + 5.5 * mm, line)
        c.showPage()
    c.save()
    return buffer.getvalue()


def address_line(data: str) -> str:
    """The address under a code as it is typed: one line (an address broken over two is read, and typed, as
    two), without "https://" or "http://", which a browser adds itself; ASCII only, as Courier has nothing
    else."""
    text = data.encode("ascii", "replace").decode()
    for scheme in ("https://", "http://"):
        if text.startswith(scheme):
            return text[len(scheme) :]
    return text


def address_size(line: str) -> float:
    """The font size (pt) that fits `line` into the width under a code: URL_SIZE, or smaller for a long one."""
    width = pdfmetrics.stringWidth(line, URL_FONT, 1) or 1
    return min(URL_SIZE, URL_WIDTH / width)
