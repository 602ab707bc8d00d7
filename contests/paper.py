"""A printable paper version of a contest: the questions, then the answer key on its own page."""

from __future__ import annotations

import io

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer

from contests.models import Contest
from lib.qr import FONT  # registers the CID font

LETTERS = "ABCD"
BODY = ParagraphStyle("body", fontName=FONT, fontSize=11, leading=17, wordWrap="CJK")
TITLE = ParagraphStyle("title", parent=BODY, fontSize=17, leading=26, alignment=1, spaceAfter=8)
CHOICE = ParagraphStyle("choice", parent=BODY, leftIndent=8 * mm)


def paper_pdf(contest: Contest) -> bytes:
    items = list(contest.items.select_related("question").order_by("order"))
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, title=contest.title, leftMargin=20 * mm, rightMargin=20 * mm)
    story: list[object] = [
        Paragraph(contest.title, TITLE),
        Paragraph("姓名：____________　　居民区：____________　　得分：______", BODY),
        Spacer(1, 6 * mm),
    ]
    for item in items:
        q = item.question
        story.append(Paragraph(f"{item.order + 1}. {q.text}", BODY))
        for letter, choice in zip(LETTERS, q.choices, strict=False):
            story.append(Paragraph(f"{letter}. {choice}", CHOICE))
        story.append(Spacer(1, 3 * mm))
    story += [PageBreak(), Paragraph(f"{contest.title} · 参考答案", TITLE)]
    for item in items:
        q = item.question
        story.append(Paragraph(f"{item.order + 1}. {LETTERS[q.answer]}　{q.explanation}", BODY))
    doc.build(story)
    return buffer.getvalue()
