"""Tonnage from Excel/CSV: 居民区编码, 日期, 类别, 重量（千克）, 磅单号 (and 称重来源, the weighbridge or system that
numbered the ticket) — bad rows refuse the file with row-level zh/en messages; known tickets are reported as
skipped (same values) or as conflicts for the person to resolve (tonnage.services)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from grid.models import GridNode, Level
from grid.scope import Scope
from grid.services.importing import ImportRejected, RowError
from guide.models import CategoryKey
from lib.bilingual import Msg
from lib.idempotency import idempotency_key
from lib.validation import InvalidInput
from lib.xlsx import TableError, cell_day, cell_decimal, read_table
from tonnage.services import CATEGORY_ZH, BulkResult, _check, tonnage_bulk

HEADERS = ["居民区编码", "日期", "类别", "重量（千克）", "磅单号"]
STATION = "称重来源"  # optional


def tonnage_import(*, actor: Any, root: GridNode, filename: str, data: bytes) -> BulkResult:
    """Check the whole file (ImportRejected with every bad row), then write its new weighings in one
    transaction; returns what was created, skipped (with reasons) and left in conflict."""
    Scope.of(actor).require(root)
    try:
        header, rows = read_table(filename, data, headings=[*HEADERS, STATION])
    except TableError as exc:
        raise ImportRejected([RowError(0, "", exc.msg)]) from None
    missing = [h for h in HEADERS if h not in header]
    if missing:
        raise ImportRejected(
            [
                RowError(1, h, Msg("缺少必需的列“{h}”。", "Missing required column “{h}”.").format(h=h))
                for h in missing
            ]
        )
    index = {h: header.index(h) for h in HEADERS}
    station_at = header.index(STATION) if STATION in header else None
    communities = {n.code: n for n in GridNode.objects.subtree(root).filter(level=Level.COMMUNITY)}
    errors: list[RowError] = []
    resolved = []
    seen: dict[tuple[str, str], int] = {}
    for n, raw in enumerate(rows, start=2):
        code, day_text, cat_text, kg_text, ref = (raw[index[h]] for h in HEADERS)
        station = raw[station_at] if station_at is not None else ""
        community = communities.get(code)
        if community is None:
            errors.append(
                RowError(
                    n,
                    "居民区编码",
                    Msg(
                        "找不到居民区“{v}”，或不在您的范围内。",
                        "No residential area “{v}” in your part of the grid.",
                    ).format(v=code[:30]),
                )
            )
            continue
        try:
            day = cell_day(day_text)
        except ValueError:
            errors.append(
                RowError(
                    n,
                    "日期",
                    Msg(
                        "日期应为 2026-11-30、2026/11/30 或 2026年11月30日，实际是“{v}”。",
                        "The date must be like 2026-11-30, 2026/11/30 or 2026年11月30日; got “{v}”.",
                    ).format(v=day_text[:30]),
                )
            )
            continue
        try:
            kg: Any = cell_decimal(kg_text)
        except (ValueError, ArithmeticError):
            kg = kg_text  # _check below refuses it with the weight's own message
        category = CATEGORY_ZH.get(cat_text, cat_text)
        if category not in CategoryKey.values:
            errors.append(
                RowError(
                    n, "类别", Msg("未知的类别“{v}”。", "Unknown category “{v}”.").format(v=cat_text[:20])
                )
            )
            continue
        try:
            _check(community, day, category, kg)
        except ValidationError as exc:
            errors.append(RowError(n, "重量（千克）", Msg(exc.messages[0], exc.messages[0])))
            continue
        try:
            ref = idempotency_key(ref, max_length=60)  # the row's key: present, and not cut when stored
        except InvalidInput as exc:
            errors.append(RowError(n, "磅单号", exc.msg))
            continue
        if len(station) > 60:
            errors.append(
                RowError(n, STATION, Msg("内容过长（最多 60 个字符）。", "Too long (at most 60 characters)."))
            )
            continue
        if (station, ref) in seen:
            errors.append(
                RowError(
                    n,
                    "磅单号",
                    Msg("与第 {o} 行重复。", "Duplicate of row {o}.").format(o=seen[(station, ref)]),
                )
            )
            continue
        seen[(station, ref)] = n
        resolved.append((n, station, (community, day, category, kg, ref)))
    if errors:
        raise ImportRejected(errors)
    if not resolved:
        raise ImportRejected(
            [RowError(2, "", Msg("文件只有表头，没有数据行。", "The file has a header but no data rows."))]
        )
    result = BulkResult()
    with transaction.atomic():
        for station in sorted({s for _, s, _ in resolved}):
            part = [(n, row) for n, s, row in resolved if s == station]
            one = tonnage_bulk(
                actor=actor,
                rows=[row for _, row in part],
                source="import",
                station=station,
                row_numbers=[n for n, _ in part],
            )
            result.created += one.created
            result.skipped += one.skipped
            result.conflicts += one.conflicts
    result.skipped.sort(key=lambda s: s.row)
    result.conflicts.sort(key=lambda c: c.row)
    return result
