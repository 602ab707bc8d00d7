from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.security import django_auth
from pydantic import ConfigDict, Field

from accounts.models import User
from accounts.roles import MANAGE_AREA
from accounts.tokens import DeviceTokenAuth
from grid.models import GridNode, Level
from lib.apierrors import KEY, TEXT, ApiError, answers, day_pattern
from lib.bilingual import Msg
from lib.periods import MIN_DAY
from lib.validation import bilingual
from tonnage.services import SAME, tonnage_bulk

router = Router(tags=["tonnage"], auth=[DeviceTokenAuth(), django_auth])


class WeighingIn(Schema):
    # Unknown fields are refused rather than ignored, so a misspelt field is noticed (and the document says so).
    model_config = ConfigDict(extra="forbid")

    ref: str = Field(
        min_length=1,
        max_length=60,
        pattern=KEY,
        description="the weighing system's id: a repeat with the same values is skipped, one with other values "
        "is reported in `conflicts` and changes nothing",
    )
    community: str = Field(max_length=32, pattern=TEXT)
    day: datetime.date = Field(
        ge=MIN_DAY,
        description="from 2000-01-01 to tomorrow",
        # The pattern documents the days up to last year's end; this year's up to tomorrow are accepted too,
        # which a pattern cannot say without documenting days the service refuses.
        json_schema_extra={"pattern": day_pattern(datetime.date.today().year - 1)},
    )
    category: str = Field(pattern="^(recyclable|hazardous|wet|dry)$")
    # Stored to 0.1 kg, so less than 0.1 would be stored as 0 and is refused. Strict: a JSON number only;
    # `true` was stored as 1 kg and "1e2" as 100 kg (a device sending the wrong type must notice).
    kg: float = Field(ge=0.1, le=100_000, allow_inf_nan=False, strict=True)


class ConflictOut(Schema):
    ref: str
    stored_kg: float
    sent_kg: float
    stored_day: datetime.date
    sent_day: datetime.date


class WeighingOut(Schema):
    created: int
    duplicate: int = Field(description="tickets already recorded with the same values: skipped")
    conflicts: list[ConflictOut] = Field(
        description="tickets already recorded with other values (or for another residential area): not "
        "changed; staff resolve them on the tonnage page's import (keep or replace)"
    )
    refused: list[str] = Field(description="refs already used for a weighing outside your part of the grid")


@router.post(
    "/records",
    response=answers(WeighingOut, 400, 403, 404, 413),
    summary="Weighings from weighing systems (idempotent by ref)",
)
def post_records(request: HttpRequest, records: list[WeighingIn]) -> dict[str, Any]:
    user = request.user
    assert isinstance(user, User)
    if not user.has_role(MANAGE_AREA) or user.node is None:
        raise ApiError(403, "forbidden", Msg("您的角色无权执行此操作。", "Your role may not do this."))
    communities = {
        n.code: n
        for n in GridNode.objects.subtree(user.node).filter(
            level=Level.COMMUNITY, code__in={r.community for r in records}
        )
    }
    unknown = sorted({r.community for r in records} - set(communities))
    if unknown:
        raise ApiError(
            404,  # as everywhere in the API: unknown and outside the user's part of the grid look the same
            "unknown_community",
            Msg("找不到居民区：{v}", "Unknown residential area: {v}").format(v=", ".join(unknown)[:100]),
        )
    try:
        result = tonnage_bulk(
            actor=user,
            rows=[(communities[r.community], r.day, r.category, r.kg, r.ref) for r in records],
            source="api",
        )
    except ValidationError as exc:
        raise ApiError(400, "invalid", bilingual(exc)) from None
    return {
        "created": result.created,
        "duplicate": sum(1 for s in result.skipped if s.reason is SAME),
        "refused": [s.ref for s in result.skipped if s.reason is not SAME],
        "conflicts": [
            {
                "ref": c.stored.ref,
                "stored_kg": float(c.stored.kg),
                "sent_kg": float(c.kg),
                "stored_day": c.stored.day,
                "sent_day": c.day,
            }
            for c in result.conflicts
        ],
    }
