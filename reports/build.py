"""The monthly / annual report of a node: what the sub-district sends to the district. One data pass, then
two files: .xlsx with the tables, and a Chinese PDF with the same tables and two charts."""

from __future__ import annotations

import datetime
import io
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from assessment.models import Grade
from assessment.scoring import in_rank_order
from grid.models import GridNode
from lib import cjk  # Chinese line breaking for every paragraph below (importing it is the switch)
from lib.numbers import DASH, Num, fmt, num, pct
from lib.periods import Period
from lib.qr import FONT  # registers the CID font: Chinese text stays extractable
from lib.xlsx import xlsx_bytes
from reports.selectors import Dashboard, dashboard

GRADE_ZH: dict[str, str] = {Grade.EXCELLENT: "优", Grade.GOOD: "良", Grade.FAIR: "中", Grade.POOR: "差"}
CATEGORY_ZH = {"recyclable": "可回收物", "hazardous": "有害垃圾", "wet": "湿垃圾", "dry": "干垃圾"}
CATEGORY_COLOURS = {"recyclable": "#1f5fa8", "hazardous": "#c0392b", "wet": "#7b4a26", "dry": "#333333"}
CATEGORY_EN = {
    "recyclable": "Recyclable",
    "hazardous": "Hazardous",
    "wet": "Wet (food) waste",
    "dry": "Dry (residual) waste",
}
NO_DATA = "本期无数据"
NOT_ENOUGH = "数据不足"
KG = "千克"  # the one unit of weight in the Chinese report, as on the zh pages (千克, never 公斤 beside kg)

# A text in both languages: (Chinese, English). The PDF is Chinese; the .xlsx takes the requester's language,
# one language per file (`ReportData.en`).
Head = tuple[str, str]


@dataclass
class ReportData:
    node: GridNode
    period: Period
    board: Dashboard
    en: bool = False  # texts of the .xlsx in English (the requester's language); the PDF stays Chinese

    def t(self, text: Head) -> str:
        return text[1] if self.en else text[0]

    def category(self, key: str) -> str:
        return (CATEGORY_EN if self.en else CATEGORY_ZH)[key]

    @property
    def to_date(self) -> bool:
        """A running period: the report covers its whole days so far (月至今), not its calendar span."""
        return self.board.end < self.period.end

    @property
    def span(self) -> str:
        """ "2026-11-01 – 2026-11-29（月至今）": the days covered, and whether the period is still running."""
        text = f"{self.period.start:%Y-%m-%d} – {self.board.end:%Y-%m-%d}"
        if not self.to_date:
            return text
        if self.en:
            return f"{text} (to date)"
        return f"{text}（{'月至今' if self.period.kind == 'month' else '至今'}）"

    @property
    def has_data(self) -> bool:
        """Any record in the period: drop-offs, bin checks, staffed windows, weighings or assessment evidence.
        Without one the report says so instead of grading the node 差 and listing households to visit."""
        b = self.board
        a = b.assessment
        return bool(
            b.drops.total
            or b.purity_checks
            or b.staffed
            or any(t.kg for t in b.tonnage)
            or (a is not None and a.has_data)
        )


def report_end(period: Period, today: datetime.date) -> datetime.date:
    """The last day a report of `period` covers: its end, or for a running period the last whole day
    (yesterday; today is not over, its records are partial). On a period's first day there is no whole day
    yet: that day itself."""
    if period.end < today:
        return period.end
    return max(period.start, today - datetime.timedelta(days=1))


def report_data(node: GridNode, period: Period, today: datetime.date, *, en: bool = False) -> ReportData:
    """The report's numbers; ValueError for a period that has not begun by `today` (see lib.periods).
    Averages (kg a day) are over the days covered, so a running month is not diluted by days to come."""
    if not period.begun(today):
        raise ValueError(period.key)
    end = report_end(period, today)
    by = "day" if period.kind == "month" else ("week" if period.kind == "quarter" else "month")
    return ReportData(node, period, dashboard(node, period.start, end, by, today=today), en)


def _share(part: int, whole: int, decimals: int = 1) -> Num:
    return pct(part / whole if whole else None, decimals)


GRADE_EN: dict[str, str] = {
    Grade.EXCELLENT: "excellent",
    Grade.GOOD: "good",
    Grade.FAIR: "fair",
    Grade.POOR: "poor",
}


def _grade(data: ReportData) -> str:
    a = data.board.assessment
    if a is None:
        return DASH
    if not a.has_data:
        return data.t((NO_DATA, "no data in this period"))
    if not a.overall.grade:
        return data.t((NOT_ENOUGH, "not enough data"))
    return (GRADE_EN if data.en else GRADE_ZH).get(a.overall.grade, DASH)


def summary_rows(data: ReportData) -> list[tuple[str, Any]]:
    b = data.board
    a = b.assessment
    meeting: Any = DASH
    if a is not None:
        meeting = f"{a.overall.met} / {len(a.areas)}" if a.overall.grade else _grade(data)
    kg = "kg" if data.en else KG
    rows: list[tuple[Head, Any]] = [
        (("节点", "Node"), f"{data.node.name} ({data.node.code})"),
        (("期间", "Period"), f"{data.period.key} · {data.span}"),
        (("户数", "Households"), num(b.households, 0, "" if data.en else "户")),
        (("投放次数", "Drop-offs"), num(b.drops.total, 0, "" if data.en else "次")),
        # Correct + corrected on the spot + mistakes = all drop-offs (supervision.selectors.Rate).
        (("正确投放率", "Correct"), pct(b.drops.correct_rate)),
        (("当场纠正", "Corrected on the spot"), pct(b.drops.corrected_rate)),
        (("错误率", "Mistakes"), pct(b.drops.mistakes_rate)),
        # Clean checks only; the assessment's purity score counts slight mixing half (assessment.sources).
        (("纯净占比（仅计纯净）", "Clean share of bin checks (clean only)"), b.purity_pct),
        (("值守覆盖", "Windows staffed"), b.staffing_pct),
        (("日均清运量", "Collected a day"), num(b.kg_per_day, 1, kg)),
        (("清运总量", "Collected"), num(sum((t.kg for t in b.tonnage), 0), 1, kg)),
        (("考核等级", "Grade"), _grade(data)),
        (("达标居民区", "Areas meeting"), meeting),
    ]
    return [(data.t(k), v) for k, v in rows]


def assessment_table(data: ReportData) -> tuple[list[str], list[list[Any]]]:
    a = data.board.assessment
    if a is None or not data.has_data:
        return [DASH], []
    t = data.t
    not_enough = t((NOT_ENOUGH, "not enough data"))
    headers = [
        t(("排名", "Rank")),
        t(("居民区", "Residential area")),
        # The indicator's own name: two indicators share the group 有分类实效, never a name.
        *[
            t((f"{i.name}（{fmt(i.weight, 0)}分）", f"{i.name_en or i.code} ({fmt(i.weight, 0)})"))
            for i in a.indicators
        ],
        t(("总分", "Score")),
        t(("达标", "Meets")),
    ]
    rows = []
    for area in in_rank_order(a.areas):
        rows.append(
            [
                area.rank or DASH,
                area.node.name,
                *[num(s.score, 2) if s.score is not None else not_enough for s in area.scores],
                num(area.total, 2) if area.total is not None else not_enough,
                t(("否决", "vetoed"))
                if area.vetoed
                else t(("未评级", "not rated"))
                if not area.rated
                else (t(("是", "yes")) if area.meets else t(("否", "no"))),
            ]
        )
    return headers, rows


def supervision_table(data: ReportData) -> tuple[list[str], list[list[Any]]]:
    t = data.t
    headers = [
        t(("节点", "Node")),
        t(("投放次数", "Drop-offs")),
        t(("正确", "Correct")),
        t(("当场纠正", "Corrected on the spot")),
        t(("错误", "Mistakes")),
        t(("值守班次", "Windows")),
        t(("有人值守", "Staffed")),
    ]
    rows = [
        [
            c.node.name,
            num(c.drops.total),
            pct(c.drops.correct_rate),
            pct(c.drops.corrected_rate),
            pct(c.drops.mistakes_rate),
            num(c.shifts),
            _share(c.staffed, c.shifts, 0),
        ]
        for c in data.board.children or []
    ]
    return headers, rows


def tonnage_table(data: ReportData) -> tuple[list[str], list[list[Any]]]:
    t = data.t
    headers = [
        t(("类别", "Category")),
        t((f"合计（{KG}）", "Collected (kg)")),
        t((f"日均（{KG}）", "kg a day")),
        t((f"基线（{KG}/日）", "Baseline (kg a day)")),
        t(("变化", "Change")),
        t(("户均（克/日）", "g per household a day")),
    ]
    rows = [
        [
            data.category(tt.category),
            num(tt.kg, 1),
            num(tt.kg_per_day, 1),
            num(tt.baseline_kg_per_day, 1),
            pct(tt.change, 1, signed=True),
            num(tt.per_household_g, 0),
        ]
        for tt in data.board.tonnage
    ]
    return headers, rows


def trend_table(data: ReportData) -> tuple[list[str], list[list[Any]]]:
    s = data.board.series
    t = data.t
    headers = [
        t(("日期", "Date")),
        t(("投放次数", "Drop-offs")),
        t(("正确投放率", "Correct rate")),
        *[t((f"{CATEGORY_ZH[c]}（{KG}）", f"{CATEGORY_EN[c]} (kg)")) for c in CATEGORY_ZH],
    ]
    rows = [
        [
            # A date cell (the first day of the week or month when bucketed), not text.
            datetime.date.fromisoformat(label),
            num(s["drops"][i]),
            # The series holds a percentage for the chart; the cell holds the share, shown with a % format.
            pct(s["correct"][i] / 100 if s["correct"][i] is not None else None),
            *[num(s["tonnage"][c][i], 1) for c in CATEGORY_ZH],
        ]
        for i, label in enumerate(s["labels"])
    ]
    return headers, rows


def report_xlsx(data: ReportData) -> bytes:
    """One language per file (the requester's); figures stay numbers (lib.numbers.Num → a number cell
    with its number_format), dates stay dates; columns as wide as their contents."""
    t = data.t
    sheets: list[tuple[str, Sequence[str], Sequence[Sequence[Any]]]] = [
        (t(("概况", "Summary")), [t(("项目", "Item")), t(("数值", "Value"))], summary_rows(data))
    ]
    for title, (headers, rows) in (
        (t(("考核", "Assessment")), assessment_table(data)),
        (t(("督导", "Supervision")), supervision_table(data)),
        (t(("清运量", "Tonnage")), tonnage_table(data)),
        (t(("趋势", "Trend")), trend_table(data)),
    ):
        sheets.append((title, headers, rows))
    return xlsx_bytes(sheets, fit_columns=True)


# --- PDF ------------------------------------------------------------------------------------------------

BODY = ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=16, wordWrap="CJK")
TITLE = ParagraphStyle("title", parent=BODY, fontSize=18, leading=26, alignment=1, spaceAfter=6)
# keepWithNext: a section heading goes to the next page with its chart rather than stay alone at the foot.
HEAD = ParagraphStyle(
    "head", parent=BODY, fontSize=13, leading=20, spaceBefore=10, spaceAfter=4, keepWithNext=1
)


def _text(value: Any, style: ParagraphStyle) -> Paragraph:
    """A Paragraph showing `value` as plain text. reportlab reads Paragraph text as markup: a drop-off point
    named `<img src="/some/file"/>` embedded a file of the server (or failed the report), `<a href=…>` made a
    link, a lone `<` or `&` broke the paragraph. Every text in a report PDF goes through here (`cjk.markup`:
    escaped, and quotes set narrow so that “优” reads as one word)."""
    return Paragraph(cjk.markup(str(value)), style)


CELL = ParagraphStyle("cell", parent=BODY, fontSize=8, leading=10)
FIGURE = ParagraphStyle("figure", parent=CELL, alignment=2)  # numbers right-aligned, decimals line up


def _table(
    headers: Sequence[str], rows: Sequence[Sequence[Any]], widths: Sequence[float] | None = None
) -> Table:
    body = [[_text(h, CELL) for h in headers]]
    body += [[_text(v, FIGURE if isinstance(v, Num) else CELL) for v in row] for row in rows]
    table = Table(body, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8f3ee")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return table


def _correct_chart(data: ReportData) -> Drawing:
    s = data.board.series
    points = [(i, v) for i, v in enumerate(s["correct"]) if v is not None]
    drawing = Drawing(170 * mm, 60 * mm)
    drawing.add(String(0, 56 * mm, "正确投放率(%)", fontName=FONT, fontSize=9))
    if not points:
        drawing.add(String(40 * mm, 25 * mm, "本期无投放记录", fontName=FONT, fontSize=10))
        return drawing
    plot = LinePlot()
    plot.x, plot.y, plot.width, plot.height = 12 * mm, 8 * mm, 150 * mm, 44 * mm
    plot.data = [points]
    plot.lines[0].strokeColor = colors.HexColor("#0b6e4f")
    plot.lines[0].strokeWidth = 1.5
    low = min(v for _i, v in points)
    plot.yValueAxis.valueMin = max(0, int(low // 10) * 10)
    plot.yValueAxis.valueMax = 100
    plot.xValueAxis.valueMin = 0
    plot.xValueAxis.valueMax = max(1, len(s["labels"]) - 1)
    step = max(1, len(s["labels"]) // 8)
    plot.xValueAxis.valueSteps = list(range(0, len(s["labels"]), step))
    plot.xValueAxis.labelTextFormat = lambda i: s["labels"][int(i)][5:] if int(i) < len(s["labels"]) else ""
    plot.xValueAxis.labels.fontSize = 7
    plot.yValueAxis.labels.fontSize = 7
    drawing.add(plot)
    return drawing


def _tonnage_chart(data: ReportData) -> Drawing:
    drawing = Drawing(170 * mm, 55 * mm)
    drawing.add(String(0, 51 * mm, f"日均清运量（{KG}）：本期与基线", fontName=FONT, fontSize=9))
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 15 * mm, 8 * mm, 150 * mm, 38 * mm
    rows = data.board.tonnage
    chart.data = [
        [float(t.kg_per_day) for t in rows],
        [float(t.baseline_kg_per_day or 0) for t in rows],
    ]
    chart.categoryAxis.categoryNames = [CATEGORY_ZH[t.category] for t in rows]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    this_period, baseline = colors.HexColor("#0b6e4f"), colors.HexColor("#c8d6cf")
    chart.bars[0].fillColor = this_period
    chart.bars[1].fillColor = baseline
    drawing.add(chart)
    # Which bar is which: the two colours named at the top right, beside the title.
    legend = Legend()
    legend.x, legend.y = 120 * mm, 52 * mm
    legend.fontName, legend.fontSize = FONT, 8
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.deltax = 22 * mm
    legend.boxAnchor = "nw"
    legend.dx = legend.dy = 7
    legend.colorNamePairs = [(this_period, "本期"), (baseline, "基线")]
    drawing.add(legend)
    return drawing


def _summary_text(data: ReportData) -> str:
    b = data.board
    a = b.assessment
    span = f"{data.period.start:%Y年%m月%d日}至{b.end:%Y年%m月%d日}"
    if data.to_date:
        span += "（月至今）" if data.period.kind == "month" else "（至今）"
    if not data.has_data:
        return (
            f"{span}，{data.node.name}本期无数据：没有桶边投放、桶内检查、值守或清运记录，"
            f"因此不作考核评级，也不列上门走访名单。"
        )
    tonnage = {t.category: t for t in b.tonnage}
    moves = []
    for key, name in CATEGORY_ZH.items():
        t = tonnage.get(key)
        if t is not None and t.change is not None:
            moves.append(f"{name}{'增' if t.change > 0 else '减'}{fmt(abs(t.change), 1, '%')}")
    text = (
        f"{span}，{data.node.name}共覆盖{fmt(b.households, 0, '户')}，"
        f"记录桶边投放{fmt(b.drops.total, 0, '次')}，正确投放率{pct(b.drops.correct_rate)}"
        f"（当场纠正{pct(b.drops.corrected_rate)}，错误{pct(b.drops.mistakes_rate)}）；"
        f"定时定点值守覆盖{b.staffing_pct}，桶内纯净检查中纯净占比{b.purity_pct}（仅计纯净）；"
        f"日均清运量{fmt(b.kg_per_day, 1, KG)}"
    )
    text += f"（与基线相比：{'，'.join(moves)}）。" if moves else "。"
    if a is not None and a.has_data:
        # 《…（五有）》: two closing marks in a row, and a line may hang only one of them in the margin.
        scheme = f"《{a.scheme.name}》" if a.scheme.name[-1:] not in cjk.CLOSING else a.scheme.name
        if a.overall.grade is None:
            text += f"按{scheme}考核，本期各居民区数据均不足，不作评级。"
        else:
            text += (
                f"按{scheme}考核，{len(a.areas)}个居民区中{a.overall.met}个达标，"
                f"等级为“{GRADE_ZH.get(a.overall.grade, DASH)}”。"
            )
    # The visit list runs to today, not to the period's end: only a period with mistakes of its own names it.
    if b.visits and b.drops.mistakes:
        text += f"多次投放错误的住户已列入上门走访名单（最多的{len(b.visits)}户见系统）。"
    return text


def report_pdf(data: ReportData) -> bytes:
    """The Chinese report, whatever language the .xlsx was asked in."""
    data = replace(data, en=False)
    buffer = io.BytesIO()
    kind = {"month": "月报", "quarter": "季报", "year": "年报"}[data.period.kind]
    title = f"{data.node.name}生活垃圾分类工作{kind}（{data.period.key}）"
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=title,
        author="wastegrid",
    )
    story: list[Any] = [_text(title, TITLE), _text(_summary_text(data), BODY), Spacer(1, 4 * mm)]
    story.append(_table(["项目", "数值"], [(k, str(v)) for k, v in summary_rows(data)], [60 * mm, 100 * mm]))
    story += [Paragraph("一、桶边督导", HEAD), _correct_chart(data)]
    headers, rows = supervision_table(data)
    if rows:
        story.append(_table(headers, rows))
    story += [
        Paragraph("二、分类清运量（三增一减）", HEAD),
        _tonnage_chart(data),
        _table(*tonnage_table(data)),
    ]
    headers, rows = assessment_table(data)
    story.append(Paragraph("三、考核与排名", HEAD))
    if rows:
        n = len(headers) - 4  # rank, area, total, meets around the indicators
        story.append(_table(headers, rows, [10 * mm, 26 * mm, *[(174 - 62) * mm / n] * n, 16 * mm, 10 * mm]))
    elif data.board.assessment is not None:
        story.append(_text("本期无数据，不作考核评级。", BODY))
    else:
        story.append(_text("本期无适用的考核办法。", BODY))
    if data.board.weakest:
        story.append(Paragraph("四、需要关注的投放点", HEAD))
        story.append(
            _table(
                ["投放点", "投放次数", "正确投放率"],
                [(w.name, num(w.rate.total), pct(w.rate.correct_rate)) for w in data.board.weakest],
            )
        )
    doc.build(story)
    return buffer.getvalue()
