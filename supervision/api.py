from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.security import django_auth

from accounts.models import User
from accounts.tokens import DeviceTokenAuth
from lib.apierrors import TEXT, ApiError, answers, day_pattern
from lib.bilingual import Msg
from lib.jsonbody import json_body
from lib.periods import parse_day
from lib.validation import bilingual
from supervision.ingest.observations import observations_ingest, points_for
from supervision.ingest.validation import MAX_BATCH, record_summary
from supervision.services import photo_store

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


# The batch is refused whole (400) only when it is no JSON array of at most MAX_BATCH values, or holds a
# control character anywhere (lib.jsonbody). Everything about a record is checked per record and reported in
# `errors` of the 200 answer, so one bad record never holds back the others in a phone's queue: the document
# therefore describes a record in words, and each item as any JSON value without control characters.
_SELF = "#/paths/~1api~1v1~1supervision~1observations/post/requestBody/content/application~1json/schema/items"
RECORD: dict[str, Any] = {
    "title": "Record",
    # The record's fields in words come from its one schema (ObservationIn, which also checks each record).
    "description": f"A record: {record_summary()}. A record that breaks a rule is not stored and is reported "
    "in `errors`. "
    "The phone's clock: send `X-Client-Time` (the phone's time at sending, ISO 8601 with an offset); when it "
    "is off by more than a minute and at most 24 hours, every record's observed_at is moved by the difference. "
    "A record still later than the server's time (by over 10 minutes) is stored at the time it was received "
    "and flagged for review; over a year off either way it is refused. Records outside the point's opening "
    "windows or more than 8 a day for one household are stored and flagged: flagged records are not case "
    "evidence until a secretary accepts them.",
    "anyOf": [
        {"type": "string", "pattern": TEXT},
        {"type": ["number", "boolean", "null"]},
        {"type": "array", "items": {"$ref": _SELF}},
        {"type": "object", "propertyNames": {"pattern": TEXT}, "additionalProperties": {"$ref": _SELF}},
    ],
}


@router.post(
    "/observations",
    response=answers(IngestOut, 400, 403, 413),
    summary="Bin-side records from phones, smart bins or other systems (idempotent by client_id)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "array",
                        "maxItems": MAX_BATCH,
                        "items": RECORD,
                    }
                }
            },
        }
    },
)
def post_observations(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    assert isinstance(user, User)
    records = json_body(request)  # bounded: size, depth, no control characters
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
    device = getattr(request, "device", "") or "session"
    try:
        result = observations_ingest(
            user=user, records=records, device=device, client_time=request.headers.get("X-Client-Time")
        )
    except ValueError:
        raise ApiError(
            400,
            "client_time",
            Msg(
                "X-Client-Time 应为带时区的 ISO 8601 时间。",
                "X-Client-Time must be ISO 8601 with a UTC offset.",
            ),
        ) from None
    return result.as_dict()


class BinOut(Schema):
    category: str
    count: int


class PointOut(Schema):
    code: str
    name: str
    community: str
    bins: list[BinOut]
    households: list[str]


@router.get("/points", response=answers(list[PointOut]), summary="Drop-off points the user may record at")
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
    response=answers(PhotoOut, 400, 403, 404, 413),
    summary="A photo for a record (multipart: client_id, day, image); EXIF stripped",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["client_id", "day", "image"],
                        "additionalProperties": False,
                        "properties": {
                            "client_id": {
                                "type": "string",
                                "format": "uuid",
                                "description": "the record's client_id (posted to /observations first)",
                            },
                            "day": {
                                "type": "string",
                                "format": "date",
                                "pattern": day_pattern(datetime.date.today().year),
                                "description": "the record's day (Shanghai time)",
                            },
                            "image": {
                                "type": "string",
                                "format": "binary",
                                "minLength": 1,
                                "description": "JPEG, PNG or WebP; re-encoded as JPEG without metadata",
                            },
                        },
                    }
                }
            },
        }
    },
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
        day = parse_day(request.POST.get("day", ""))
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
        photo, created = photo_store(user=user, client_id=client_id, day=day, data=upload)
    except ValidationError as exc:
        raise ApiError(400, "bad_photo", bilingual(exc)) from None
    return {
        "client_id": str(photo.client_id),
        "created": created,
        "width": photo.image.width,
        "height": photo.image.height,
    }
