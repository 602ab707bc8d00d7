from __future__ import annotations

import datetime
import json
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.security import HttpBearer, django_auth

from accounts.models import User
from lib.apierrors import ApiError
from lib.bilingual import Msg
from supervision.ingest import MAX_BATCH, observations_ingest, points_for
from supervision.services import photo_store, token_user


class DeviceTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_user(token)
        if user is not None:
            request.user = user
        return user


router = Router(tags=["supervision"], auth=[DeviceTokenAuth(), django_auth])


class RecordErrorOut(Schema):
    index: int
    client_id: str | None
    code: str
    message: dict[str, str]


class IngestOut(Schema):
    created: int
    duplicate: int
    rejected: int
    errors: list[RecordErrorOut]


@router.post(
    "/observations",
    response=IngestOut,
    summary="Bin-side records from phones, smart bins or other systems (idempotent by client_id)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "array",
                        "maxItems": MAX_BATCH,
                        "items": {
                            "type": "object",
                            "required": ["client_id", "point", "observed_at", "category", "outcome"],
                            "properties": {
                                "client_id": {"type": "string", "format": "uuid"},
                                "point": {"type": "string"},
                                "household": {"type": ["string", "null"]},
                                "observed_at": {"type": "string", "format": "date-time"},
                                "category": {"enum": ["recyclable", "hazardous", "wet", "dry"]},
                                "outcome": {
                                    "enum": ["correct", "mixed", "bag_not_broken", "corrected", "refused"]
                                },
                                "mixed_with": {
                                    "type": "array",
                                    "items": {"enum": ["recyclable", "hazardous", "wet", "dry"]},
                                },
                            },
                        },
                    }
                }
            },
        }
    },
)
def post_observations(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    assert isinstance(user, User)
    try:
        records = json.loads(request.body or b"")
    except (ValueError, UnicodeDecodeError):
        raise ApiError(
            400, "invalid_json", Msg("请求体不是有效的 JSON。", "The body is not valid JSON.")
        ) from None
    if not isinstance(records, list):
        raise ApiError(
            400, "not_a_list", Msg("请求体应为记录数组。", "The body must be a JSON array of records.")
        )
    if len(records) > MAX_BATCH:
        raise ApiError(
            400,
            "batch_too_large",
            Msg("每批最多 {n} 条记录。", "At most {n} records per request.").format(n=MAX_BATCH),
        )
    return observations_ingest(user=user, records=records).as_dict()


class BinOut(Schema):
    category: str
    count: int


class PointOut(Schema):
    code: str
    name: str
    community: str
    bins: list[BinOut]
    households: list[str]


@router.get("/points", response=list[PointOut], summary="Drop-off points the user may record at")
def get_points(request: HttpRequest) -> list[dict[str, Any]]:
    user = request.user
    assert isinstance(user, User)
    points = (
        points_for(user).select_related("community").prefetch_related("bins", "households").order_by("code")
    )
    return [
        {
            "code": p.code,
            "name": p.name,
            "community": p.community.code,
            "bins": [{"category": b.category, "count": b.count} for b in p.bins.all()],
            "households": sorted(h.code for h in p.households.all()),
        }
        for p in points
    ]


class PhotoOut(Schema):
    client_id: str
    created: bool
    width: int
    height: int


@router.post(
    "/photos",
    response=PhotoOut,
    summary="A photo for a record (multipart: client_id, day, image); EXIF stripped",
)
def post_photo(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    assert isinstance(user, User)
    upload = request.FILES.get("image")
    try:
        client_id = uuid.UUID(request.POST.get("client_id", ""))
    except ValueError:
        raise ApiError(400, "client_id", Msg("client_id 应为 UUID。", "client_id must be a UUID.")) from None
    try:
        day = datetime.date.fromisoformat(request.POST.get("day", ""))
    except ValueError:
        raise ApiError(
            400,
            "day",
            Msg(
                "day 应为记录的日期（上海时间，YYYY-MM-DD）。",
                "day must be the record's date (Shanghai, YYYY-MM-DD).",
            ),
        ) from None
    if upload is None:
        raise ApiError(400, "no_image", Msg("请附上图片（字段 image）。", "Attach the image (field image)."))
    try:
        photo, created = photo_store(user=user, client_id=client_id, day=day, data=upload.read())
    except ValidationError as exc:
        raise ApiError(400, "bad_photo", Msg(exc.messages[0], exc.messages[0])) from None
    return {
        "client_id": str(photo.client_id),
        "created": created,
        "width": photo.image.width,
        "height": photo.image.height,
    }
