"""Recording collected weight: by hand from a weigh ticket, from Excel, or from weighing systems by API."""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from audit.services import audit_bulk_created, audit_created, audit_updated, saved_user, snapshot
from grid.models import GridNode, Level
from grid.scope import Scope
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


def _new_record(
    actor: Any,
    community: GridNode,
    day: datetime.date,
    category: str,
    weight: decimal.Decimal,
    *,
    source: str,
    ref: str,
    station: str = "",
) -> TonnageRecord:
    """An unsaved weighing of checked values (`_check`): the one builder for a ticket and a bulk row."""
    assert community.subdistrict_id is not None
    return TonnageRecord(
        subdistrict_id=community.subdistrict_id,
        community=community,
        day=day,
        category=category,
        kg=weight,
        source=source,
        station=station,
        ref=ref,
        recorded_by=saved_user(actor),
    )


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
    existing = TonnageRecord.objects.filter(station="", ref=ref).first()
    if existing is not None:
        return existing, False
    record = _new_record(actor, community, day, category, weight, source=source, ref=ref)
    if photo is not None:
        # A ticket photo: checked by content and re-encoded as JPEG like every photo (lib.uploads).
        stored = clean_upload(photo, accept=IMAGE_ONLY, max_side=PHOTO_SIDE, jpeg_only=True)
        stored.save_to(record.photo, record.ref, default="ticket")
    record.save()
    audit_created(actor=actor, obj=record)
    return record, True


@dataclass
class Skipped:
    """A row not written, and why (zh/en)."""

    row: int
    ref: str
    reason: Msg


@dataclass
class Conflict:
    """A row whose ticket (source + number) is already recorded with other values: the person chooses."""

    row: int
    stored: TonnageRecord
    community: GridNode
    day: datetime.date
    category: str
    kg: decimal.Decimal


@dataclass
class BulkResult:
    created: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)


SAME = Msg("此磅单已记录，数值相同，跳过。", "This ticket is already recorded with the same values; skipped.")
_ELSEWHERE = Msg(
    "此磅单号已用于您管辖范围以外的一次称重，请联系街道核对。",
    "This ticket number is already used for a weighing outside your part of the grid; ask the sub-district.",
)


@transaction.atomic
def tonnage_bulk(
    *,
    actor: Any,
    rows: Sequence[tuple[GridNode, datetime.date, str, Any, str]],
    source: str,
    station: str = "",
    row_numbers: Sequence[int] | None = None,
) -> BulkResult:
    """Many weighings at once (import, API); rows already resolved. A ticket is its number within its
    weighing source (`station`: the weighbridge or system that numbered it). A known ticket with the same
    values is skipped; one with other values is a `Conflict` for the person to resolve
    (`tonnage_conflicts_resolve`), never dropped silently; one recorded outside the actor's scope is skipped
    with that reason. `row_numbers` name the rows in the reasons (default 1, 2, …). PermissionDenied
    (nothing written) when any row's residential area is outside the actor's scope."""
    scope = Scope.of(actor)
    for community in {r[0].pk: r[0] for r in rows}.values():
        scope.require(community)
    station = station.strip()
    rows = [(*r[:4], idempotency_key(r[4], max_length=60)) for r in rows]  # as in tonnage_record
    numbers = list(row_numbers or range(1, len(rows) + 1))
    known = {
        r.ref: r
        for r in TonnageRecord.objects.filter(station=station, ref__in=[r[4] for r in rows]).select_related(
            "community"
        )
    }
    result = BulkResult()
    new: dict[str, TonnageRecord] = {}
    for n, (community, day, category, kg, ref) in zip(numbers, rows, strict=True):
        weight = _check(community, day, category, kg)
        stored = known.get(ref) or new.get(ref)
        if stored is not None:
            if (stored.community_id, stored.day, stored.category, stored.kg) == (
                community.pk,
                day,
                category,
                weight,
            ):
                result.skipped.append(Skipped(n, ref, SAME))
            elif not scope.covers(stored.community):
                result.skipped.append(Skipped(n, ref, _ELSEWHERE))
            else:
                result.conflicts.append(Conflict(n, stored, community, day, category, weight))
            continue
        new[ref] = _new_record(
            actor, community, day, category, weight, source=source, ref=ref, station=station
        )
    TonnageRecord.objects.bulk_create(list(new.values()), batch_size=1000)
    audit_bulk_created(actor=actor, objs=list(new.values()), reason=f"tonnage {source}")
    result.created = len(new)
    return result


@transaction.atomic
def tonnage_conflicts_resolve(
    *,
    actor: Any,
    decisions: Sequence[tuple[str, str, GridNode, datetime.date, str, Any]],
) -> int:
    """Replace stored weighings by the values an import brought: each decision is (station, ref, community,
    day, category, kg). Both the stored record's residential area and the new one must be in the actor's
    scope (PermissionDenied, nothing written); values are checked as on entry. Audited with the values
    before. Returns how many records changed ("keep" needs no call: nothing changes)."""
    scope = Scope.of(actor)
    changed = 0
    for station, ref, community, day, category, kg in decisions:
        record = (
            TonnageRecord.objects.select_for_update()
            .select_related("community")
            .get(station=station.strip(), ref=ref)
        )
        scope.require(record.community)
        scope.require(community)
        weight = _check(community, day, category, kg)
        before = snapshot(record)
        record.community, record.day, record.category, record.kg = community, day, category, weight
        assert community.subdistrict_id is not None
        record.subdistrict_id = community.subdistrict_id
        record.save()
        audit_updated(actor=actor, obj=record, before=before, reason="tonnage conflict: replaced")
        changed += 1
    return changed
