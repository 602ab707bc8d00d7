"""The rectification notice (整改通知书) as a printable Chinese PDF."""

from __future__ import annotations

import datetime
import io
import re

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas

from enforcement.evidence import case_records
from enforcement.models import Case
from lib.clock import local_time, local_today
from lib.qr import FONT  # registers the CID font

OUTCOME_ZH = {
    "mixed": "混合投放",
    "bag_not_broken": "未破袋投放",
    "refused": "拒不改正",
    "corrected": "当场纠正",
    "correct": "正确投放",
}
CATEGORY_ZH = {"recyclable": "可回收物", "hazardous": "有害垃圾", "wet": "湿垃圾", "dry": "干垃圾"}


REGULATION = "《上海市生活垃圾管理条例》"
_DIGITS = "零一二三四五六七八九"


def _cn(n: int) -> str:
    """1..999 in Chinese numerals as laws are cited: 24 → 二十四, 10 → 十, 105 → 一百零五."""
    hundreds, rest = divmod(n, 100)
    tens, ones = divmod(rest, 10)
    out = f"{_DIGITS[hundreds]}百" if hundreds else ""
    if tens:
        out += ("" if tens == 1 and not hundreds else _DIGITS[tens]) + "十"
    elif hundreds and ones:
        out += "零"
    return out + (_DIGITS[ones] if ones else "")


def cite(code: str) -> str:
    """An article code as the notice cites it, one style throughout (issue 17): "57(2)" → 第五十七条第二款;
    a code of another shape is kept as typed, inside 第…条."""
    m = re.fullmatch(r"(\d{1,3})(?:\((\d{1,2})\))?", code.strip())
    if m is None:
        return f"第{code}条"
    return f"第{_cn(int(m[1]))}条" + (f"第{_cn(int(m[2]))}款" if m[2] else "")


def _violated(condition: str) -> str:
    """The provision an article's condition says was broken ("违反第二十四条第一款，…"), "" when it names none."""
    m = re.search(r"违反(第[零一二三四五六七八九十百]+条(?:第[一二三四五六七八九十]+款)?)", condition)
    return m[1] if m else ""


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
    issued = issued or local_today()
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
        local = local_time(o.observed_at)
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
    violated = _violated(article.condition)
    basis = (
        f"上述行为违反了{REGULATION}{violated}的规定。依据{REGULATION}{cite(article.code)}"
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
