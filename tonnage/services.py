"""Recording collected weight: by hand from a weigh ticket, from Excel, or from weighing systems by API."""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from audit.services import audit_bulk_created, audit_created, saved_user
from grid.models import GridNode, Level
from guide.models import CategoryKey
from lib.bilingual import Msg
from tonnage.models import TonnageRecord

MAX_KG = decimal.Decimal("100000")  # 100 t from one residential area in one day is a typing error
CATEGORY_ZH = {
    "可回收物": "recyclable",
    "有害垃圾": "hazardous",
    "湿垃圾": "wet",
    "干垃圾": "dry",
    "厨余垃圾": "wet",
    "其他垃圾": "dry",
}


def _check(community: GridNode, day: datetime.date, category: str, kg: Any) -> decimal.Decimal:
    if community.level != Level.COMMUNITY:
        raise ValidationError(str(Msg("重量按居民区记录。", "Weights are recorded per residential area.")))
    if category not in CategoryKey.values:
        raise ValidationError(str(Msg("未知的类别。", "Unknown category.")))
    try:
        weight = decimal.Decimal(str(kg)).quantize(decimal.Decimal("0.1"))
    except (decimal.InvalidOperation, ValueError):
        raise ValidationError(
            str(Msg("重量应为数字（千克）。", "The weight must be a number (kg)."))
        ) from None
    if not decimal.Decimal(0) < weight <= MAX_KG:
        raise ValidationError(
            str(Msg("重量应在 0–100,000 千克之间。", "The weight must be between 0 and 100,000 kg."))
        )
    if day > datetime.date.today() + datetime.timedelta(days=1):
        raise ValidationError(str(Msg("日期在未来。", "The day is in the future.")))
    return weight


@transaction.atomic
def tonnage_record(
    *,
    actor: Any,
    community: GridNode,
    day: datetime.date,
    category: str,
    kg: Any,
    ref: str,
    source: str = "ticket",
    photo: Any = None,
) -> tuple[TonnageRecord, bool]:
    """Record one weighing; the same ticket/reference a second time returns the first record unchanged."""
    existing = TonnageRecord.objects.filter(ref=ref).first()
    if existing is not None:
        return existing, False
    weight = _check(community, day, category, kg)
    assert community.subdistrict_id is not None
    record = TonnageRecord(
        subdistrict_id=community.subdistrict_id,
        community=community,
        day=day,
        category=category,
        kg=weight,
        source=source,
        ref=ref[:60],
        recorded_by=saved_user(actor),
    )
    if photo is not None:
        record.photo = photo
    record.save()
    audit_created(actor=actor, obj=record)
    return record, True


@transaction.atomic
def tonnage_bulk(
    *, actor: Any, rows: Sequence[tuple[GridNode, datetime.date, str, Any, str]], source: str
) -> int:
    """Many weighings at once (import, API); rows already resolved. Existing references are skipped."""
    refs = [r[4] for r in rows]
    known = set(TonnageRecord.objects.filter(ref__in=refs).values_list("ref", flat=True))
    new = []
    for community, day, category, kg, ref in rows:
        if ref in known:
            continue
        assert community.subdistrict_id is not None
        known.add(ref)
        new.append(
            TonnageRecord(
                subdistrict_id=community.subdistrict_id,
                community=community,
                day=day,
                category=category,
                kg=_check(community, day, category, kg),
                source=source,
                ref=ref[:60],
                recorded_by=saved_user(actor),
            )
        )
    TonnageRecord.objects.bulk_create(new, batch_size=1000)
    audit_bulk_created(actor=actor, objs=new, reason=f"tonnage {source}")
    return len(new)
