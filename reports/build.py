"""The monthly / annual report of a node: what the sub-district sends to the district. One data pass, then
two files: .xlsx with the tables, and a Chinese PDF with the same tables and two charts."""

from __future__ import annotations

import datetime
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from assessment.models import Grade
from grid.models import GridNode
from guide.qr import FONT  # registers the CID font: Chinese text stays extractable
from lib.periods import Period
from lib.xlsx import xlsx_bytes
from reports.selectors import Dashboard, dashboard

GRADE_ZH: dict[str, str] = {Grade.EXCELLENT: "优", Grade.GOOD: "良", Grade.FAIR: "中", Grade.POOR: "差"}
CATEGORY_ZH = {"recyclable": "可回收物", "hazardous": "有害垃圾", "wet": "湿垃圾", "dry": "干垃圾"}
CATEGORY_COLOURS = {"recyclable": "#1f5fa8", "hazardous": "#c0392b", "wet": "#7b4a26", "dry": "#333333"}


@dataclass
class ReportData:
    node: GridNode
    period: Period
    board: Dashboard


def report_data(node: GridNode, period: Period, today: datetime.date) -> ReportData:
    end = min(period.end, today)
    by = "day" if period.kind == "month" else ("week" if period.kind == "quarter" else "month")
    return ReportData(node, period, dashboard(node, period.start, end, by, today=today))


def _pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def summary_rows(data: ReportData) -> list[tuple[str, Any]]:
    b = data.board
    a = b.assessment
    return [
        ("节点 Node", f"{data.node.name} ({data.node.code})"),
        ("期间 Period", f"{data.period.key} ({data.period.start} – {min(data.period.end, b.end)})"),
        ("户数 Households", b.households),
        ("投放次数 Drop-offs", b.drops.total),
        ("正确投放率 Correct rate", _pct(b.drops.correct_rate)),
        ("桶内纯净 Clean bin checks", b.purity_pct),
        ("值守覆盖 Windows staffed", b.staffing_pct),
        ("日均清运量(kg) kg a day", round(b.kg_per_day, 1)),
        ("考核等级 Grade", GRADE_ZH.get(a.overall.grade or "", "—") if a else "—"),
        ("达标居住区 Areas meeting", f"{a.overall.met} / {len(a.areas)}" if a else "—"),
    ]


def assessment_table(data: ReportData) -> tuple[list[str], list[list[Any]]]:
    a = data.board.assessment
    if a is None:
        return ["—"], []
    headers = [
        "排名 Rank",
        "居住区 Residential area",
        *[f"{i.group} {i.name}" for i in a.indicators],
        "总分 Score",
        "达标 Meets",
    ]
    rows = []
    for area in sorted(a.areas, key=lambda x: (x.rank or 10**6, x.node.code)):
        rows.append(
            [
                area.rank or "—",
                area.node.name,
                *[s.score if s.score is not None else "数据不足" for s in area.scores],
                area.total if area.total is not None else "数据不足",
                "否决" if area.vetoed else ("是" if area.meets else "否"),
            ]
        )
    return headers, rows


def supervision_table(data: ReportData) -> tuple[list[str], list[list[Any]]]:
    headers = [
        "节点 Node",
        "投放次数 Drop-offs",
        "正确投放率 Correct rate",
        "值守班次 Windows",
        "有人值守 Staffed",
    ]
    rows = [
        [c.node.name, c.drops.total, c.drops.pct, c.shifts, c.staffing] for c in data.board.children or []
    ]
    return headers, rows


def tonnage_table(data: ReportData) -> tuple[list[str], list[list[Any]]]:
    headers = [
        "类别 Category",
        "合计(kg) kg",
        "日均(kg) kg a day",
        "基线 Baseline",
        "变化 Change",
        "户均(g/日) g per household",
    ]
    rows = [
        [
            CATEGORY_ZH[t.category],
            t.kg,
            round(t.kg_per_day, 1),
            t.baseline_kg_per_day or "—",
            t.change_pct,
            t.per_household_g or "—",
        ]
        for t in data.board.tonnage
    ]
    return headers, rows


def trend_table(data: ReportData) -> tuple[list[str], list[list[Any]]]:
    s = data.board.series
    headers = [
        "日期 Date",
        "投放次数 Drop-offs",
        "正确投放率(%) Correct %",
        *[f"{CATEGORY_ZH[c]}(kg)" for c in CATEGORY_ZH],
    ]
    rows = [
        [label, s["drops"][i], s["correct"][i], *[s["tonnage"][c][i] for c in CATEGORY_ZH]]
        for i, label in enumerate(s["labels"])
    ]
    return headers, rows


def report_xlsx(data: ReportData) -> bytes:
    return xlsx_bytes(
        [
            ("概况 Summary", ["项目 Item", "数值 Value"], summary_rows(data)),
            ("考核 Assessment", *assessment_table(data)),
            ("督导 Supervision", *supervision_table(data)),
            ("清运量 Tonnage", *tonnage_table(data)),
            ("趋势 Trend", *trend_table(data)),
        ]
    )


# --- PDF ------------------------------------------------------------------------------------------------

BODY = ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=16, wordWrap="CJK")
TITLE = ParagraphStyle("title", parent=BODY, fontSize=18, leading=26, alignment=1, spaceAfter=6)
HEAD = ParagraphStyle("head", parent=BODY, fontSize=13, leading=20, spaceBefore=10, spaceAfter=4)


def _text(value: Any, style: ParagraphStyle) -> Paragraph:
    """A Paragraph showing `value` as plain text. reportlab reads Paragraph text as markup: a drop-off point
    named `<img src="/some/file"/>` embedded a file of the server (or failed the report), `<a href=…>` made a
    link, a lone `<` or `&` broke the paragraph. Every text in a report PDF goes through here."""
    return Paragraph(escape(str(value)), style)


def _table(
    headers: Sequence[str], rows: Sequence[Sequence[Any]], widths: Sequence[float] | None = None
) -> Table:
    cell = ParagraphStyle("cell", parent=BODY, fontSize=8, leading=10)
    body = [[_text(str(h).split(" ")[0], cell) for h in headers]]
    body += [[_text(v, cell) for v in row] for row in rows]
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
    drawing.add(String(0, 51 * mm, "日均清运量(kg)：本期与基线", fontName=FONT, fontSize=9))
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
    chart.bars[0].fillColor = colors.HexColor("#0b6e4f")
    chart.bars[1].fillColor = colors.HexColor("#c8d6cf")
    drawing.add(chart)
    return drawing


def _summary_text(data: ReportData) -> str:
    b = data.board
    a = b.assessment
    tonnage = {t.category: t for t in b.tonnage}
    moves = []
    for key, name in CATEGORY_ZH.items():
        t = tonnage.get(key)
        if t is not None and t.change is not None:
            moves.append(f"{name}{'增' if t.change > 0 else '减'}{abs(t.change) * 100:.1f}%")
    text = (
        f"{data.period.start:%Y年%m月%d日}至{min(data.period.end, b.end):%Y年%m月%d日}，{data.node.name}共覆盖{b.households:,}户，"
        f"记录桶边投放{b.drops.total:,}次，正确投放率{_pct(b.drops.correct_rate)}；"
        f"定时定点值守覆盖{b.staffing_pct}，桶内纯净检查达标{b.purity_pct}；日均清运量{b.kg_per_day:.1f}公斤"
    )
    text += f"（与基线相比：{'，'.join(moves)}）。" if moves else "。"
    if a is not None:
        text += (
            f"按《{a.scheme.name.split(' ')[0]}》考核，{len(a.areas)}个居住区中{a.overall.met}个达标，"
            f"等级为“{GRADE_ZH.get(a.overall.grade or '', '—')}”。"
        )
    if b.visits:
        text += f"多次投放错误的住户已列入上门走访名单（最多的{len(b.visits)}户见系统）。"
    return text


def report_pdf(data: ReportData) -> bytes:
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
    story.append(
        _table(["项目", "数值"], [(k.split(" ")[0], v) for k, v in summary_rows(data)], [60 * mm, 100 * mm])
    )
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
        story.append(_table(headers, rows))
    else:
        story.append(Paragraph("本期无适用的考核办法。", BODY))
    if data.board.weakest:
        story.append(Paragraph("四、需要关注的投放点", HEAD))
        story.append(
            _table(
                ["投放点", "投放次数", "正确投放率"],
                [(w.name, w.rate.total, w.rate.pct) for w in data.board.weakest],
            )
        )
    doc.build(story)
    return buffer.getvalue()
