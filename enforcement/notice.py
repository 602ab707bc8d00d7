"""The rectification notice (整改通知书) as a printable Chinese PDF."""

from __future__ import annotations

import datetime
import io

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas

from enforcement.evidence import case_records
from enforcement.models import Case
from guide.qr import FONT  # registers the CID font

OUTCOME_ZH = {
    "mixed": "混合投放",
    "bag_not_broken": "未破袋投放",
    "refused": "拒不改正",
    "corrected": "当场纠正",
    "correct": "正确投放",
}
CATEGORY_ZH = {"recyclable": "可回收物", "hazardous": "有害垃圾", "wet": "湿垃圾", "dry": "干垃圾"}


def _lines(c: canvas.Canvas, x: float, y: float, text: str, size: int = 11, leading: float = 7 * mm) -> float:
    """Chinese has no spaces to break at: fill each line up to the text width, measured in the font."""
    c.setFont(FONT, size)
    width = A4[0] - 2 * x
    line = ""
    for ch in text:
        if pdfmetrics.stringWidth(line + ch, FONT, size) > width:
            c.drawString(x, y, line)
            y -= leading
            line = ""
        line += ch
    if line:
        c.drawString(x, y, line)
        y -= leading
    return y


def notice_pdf(
    case: Case,
    *,
    deadline_days: int = 10,
    issued: datetime.date | None = None,
    deadline: datetime.date | None = None,
) -> bytes:
    """The notice as PDF bytes; `deadline` is the one recorded with the notice step (case.due) when there is
    one, so the paper and the case wait for the same day; otherwise `issued` + `deadline_days`."""
    issued = issued or datetime.date.today()
    deadline = deadline or issued + datetime.timedelta(days=deadline_days)
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=A4)
    c.setTitle(f"整改通知书 {case.code}")
    w, h = A4
    c.setFont(FONT, 20)
    c.drawCentredString(w / 2, h - 30 * mm, "生活垃圾分类整改通知书")
    c.setFont(FONT, 10)
    c.drawRightString(w - 20 * mm, h - 40 * mm, f"编号：{case.code}")
    x, y = 22 * mm, h - 55 * mm
    if case.household is not None:
        who = f"{case.community.name} {case.household.building.name} {case.household.room} 住户"
        address = case.household.building.address
    else:
        who, address = case.subject_name or case.get_subject_display(), ""
    y = _lines(c, x, y, f"当事人：{who}")
    if address:
        y = _lines(c, x, y, f"地址：{address}")
    records = list(case_records(case)[:12])
    y -= 3 * mm
    y = _lines(c, x, y, "经查，你（单位）存在以下生活垃圾分类违法行为：")
    for o in records:
        local = o.observed_at.astimezone(datetime.timezone(datetime.timedelta(hours=8)))
        y = _lines(
            c,
            x + 6 * mm,
            y,
            f"{local:%Y-%m-%d %H:%M} 于{o.point.name}：{CATEGORY_ZH.get(o.category, '')}{OUTCOME_ZH.get(o.outcome, '')}",
            size=10,
            leading=6 * mm,
        )
    if not records:
        y = _lines(c, x + 6 * mm, y, f"{case.violation_day:%Y-%m-%d}：混合投放生活垃圾", size=10)
    y -= 3 * mm
    article = case.article
    basis = (
        f"上述行为违反了《上海市生活垃圾管理条例》第二十四条第一款的规定。依据该条例第{article.code}条"
        f"（{article.title}；{article.effective_from:%Y年%m月%d日}起施行的版本），责令你（单位）于"
        f"{deadline:%Y年%m月%d日}前改正，按规定分类投放生活垃圾。逾期不改正或拒不改正的，"
        f"将移送城管执法部门依法处理，可处{article.fine_min}元以上{article.fine_max}元以下罚款。"
    )
    y = _lines(c, x, y, basis)
    y -= 10 * mm
    c.setFont(FONT, 11)
    for label in ("当事人签字：", "居民区（物业）签字：", "日期："):
        c.drawString(x, y, label)
        c.line(x + 45 * mm, y - 1 * mm, x + 120 * mm, y - 1 * mm)
        y -= 12 * mm
    c.drawRightString(w - 22 * mm, y - 5 * mm, f"{case.community.name}  {issued:%Y年%m月%d日}")
    c.setFont(FONT, 8)
    c.drawString(x, 15 * mm, "本通知一式两份，当事人与居民区各执一份。")
    c.showPage()
    c.save()
    return buffer.getvalue()
