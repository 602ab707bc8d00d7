from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.security import django_auth
from pydantic import Field

from accounts.models import GRID_EDITORS, User
from grid.models import GridNode, Level
from lib.apierrors import ApiError
from lib.bilingual import Msg
from supervision.api import DeviceTokenAuth
from tonnage.services import tonnage_bulk

router = Router(tags=["tonnage"], auth=[DeviceTokenAuth(), django_auth])


class WeighingIn(Schema):
    ref: str = Field(min_length=1, max_length=60, description="the weighing system's id: repeats are ignored")
    community: str = Field(max_length=32)
    day: datetime.date
    category: str = Field(pattern="^(recyclable|hazardous|wet|dry)$")
    kg: float = Field(gt=0, le=100_000)


class WeighingOut(Schema):
    created: int
    duplicate: int


@router.post("/records", response=WeighingOut, summary="Weighings from weighing systems (idempotent by ref)")
def post_records(request: HttpRequest, records: list[WeighingIn]) -> dict[str, Any]:
    user = request.user
    assert isinstance(user, User)
    if not user.has_role(GRID_EDITORS) or user.node is None:
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
            400,
            "unknown_community",
            Msg("找不到居民区：{v}", "Unknown residential area: {v}").format(v=", ".join(unknown)[:100]),
        )
    try:
        created = tonnage_bulk(
            actor=user,
            rows=[(communities[r.community], r.day, r.category, r.kg, r.ref) for r in records],
            source="api",
        )
    except ValidationError as exc:
        raise ApiError(400, "invalid", Msg(exc.messages[0], exc.messages[0])) from None
    return {"created": created, "duplicate": len(records) - created}
