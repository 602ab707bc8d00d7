"""Tonnage from Excel/CSV: 居民区编码, 日期, 类别, 重量（千克）, 磅单号 — all or nothing, row-level zh/en messages."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError

from grid.access import Scope
from grid.models import GridNode, Level
from grid.services.importing import ImportRejected, RowError
from guide.models import CategoryKey
from lib.bilingual import Msg
from lib.idempotency import idempotency_key
from lib.validation import InvalidInput
from lib.xlsx import TableError, read_table
from tonnage.services import CATEGORY_ZH, _check, tonnage_bulk

HEADERS = ["居民区编码", "日期", "类别", "重量（千克）", "磅单号"]


def tonnage_import(*, actor: Any, root: GridNode, filename: str, data: bytes) -> int:
    Scope.of(actor).require(root)
    try:
        header, rows = read_table(filename, data)
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
    communities = {n.code: n for n in GridNode.objects.subtree(root).filter(level=Level.COMMUNITY)}
    errors: list[RowError] = []
    resolved = []
    seen: dict[str, int] = {}
    for n, raw in enumerate(rows, start=2):
        code, day_text, cat_text, kg, ref = (raw[index[h]] for h in HEADERS)
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
            day = datetime.date.fromisoformat(day_text[:10])
        except ValueError:
            errors.append(RowError(n, "日期", Msg("日期应为 YYYY-MM-DD。", "The date must be YYYY-MM-DD.")))
            continue
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
        if ref in seen:
            errors.append(
                RowError(n, "磅单号", Msg("与第 {o} 行重复。", "Duplicate of row {o}.").format(o=seen[ref]))
            )
            continue
        seen[ref] = n
        resolved.append((community, day, category, kg, ref))
    if errors:
        raise ImportRejected(errors)
    if not resolved:
        raise ImportRejected(
            [RowError(2, "", Msg("文件只有表头，没有数据行。", "The file has a header but no data rows."))]
        )
    return tonnage_bulk(actor=actor, rows=resolved, source="import")
