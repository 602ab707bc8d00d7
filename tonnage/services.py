"""Recording collected weight: by hand from a weigh ticket, from Excel, or from weighing systems by API."""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from audit.services import audit_bulk_created, audit_created, saved_user
from grid.access import Scope
from grid.models import GridNode, Level
from guide.models import CategoryKey
from lib.bilingual import Msg
from lib.idempotency import hold_key, idempotency_key
from lib.uploads import IMAGE_ONLY, PHOTO_SIDE, clean_upload
from lib.validation import check_day
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
        if not weight.is_finite():  # NaN quantizes to NaN, and comparing NaN below would raise
            raise ValueError(kg)
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
    check_day(day)  # and not before MIN_DAY (a weighing dated 0001-01-01)
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
    """Record one weighing; the same ticket/reference a second time returns the first record unchanged.
    ValidationError (zh/en) for a value out of range or a missing/over-long reference; PermissionDenied when
    the residential area is outside the actor's scope."""
    Scope.of(actor).require(community)
    weight = _check(community, day, category, kg)
    # The reference is the idempotency key: an empty one would be shared by every keyless weighing, a cut one
    # would not find its row again (lib.idempotency).
    ref = idempotency_key(ref, max_length=60)
    hold_key("tonnage", ref)
    existing = TonnageRecord.objects.filter(ref=ref).first()
    if existing is not None:
        return existing, False
    assert community.subdistrict_id is not None
    record = TonnageRecord(
        subdistrict_id=community.subdistrict_id,
        community=community,
        day=day,
        category=category,
        kg=weight,
        source=source,
        ref=ref,
        recorded_by=saved_user(actor),
    )
    if photo is not None:
        # A ticket photo: checked by content and re-encoded as JPEG like every photo (lib.uploads).
        stored = clean_upload(photo, accept=IMAGE_ONLY, max_side=PHOTO_SIDE, jpeg_only=True)
        stored.save_to(record.photo, record.ref, default="ticket")
    record.save()
    audit_created(actor=actor, obj=record)
    return record, True


@transaction.atomic
def tonnage_bulk(
    *, actor: Any, rows: Sequence[tuple[GridNode, datetime.date, str, Any, str]], source: str
) -> int:
    """Many weighings at once (import, API); rows already resolved. Existing references are skipped.
    PermissionDenied (nothing written) when any row's residential area is outside the actor's scope."""
    scope = Scope.of(actor)
    for community in {r[0].pk: r[0] for r in rows}.values():
        scope.require(community)
    rows = [(*r[:4], idempotency_key(r[4], max_length=60)) for r in rows]  # as in tonnage_record
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
                ref=ref,
                recorded_by=saved_user(actor),
            )
        )
    TonnageRecord.objects.bulk_create(new, batch_size=1000)
    audit_bulk_created(actor=actor, objs=new, reason=f"tonnage {source}")
    return len(new)
