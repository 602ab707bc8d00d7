"""One bin-side record, described once: `ObservationIn` is the record's schema (pydantic, as the API's other
bodies) — it checks each record of a batch here, and its field descriptions are the API document's words for
a record (`record_summary`, supervision.api). `check` turns the schema's verdict into the one error a refused
record gets, in a fixed order (client id, unknown fields, point, household, time, category, outcome,
mixed_with), with the same codes and messages as ever; the time bounds depend on the server's clock and
the phone's offset, so they are checked here after the schema.

The API does not give the schema to ninja to validate the body: a bad record must be refused alone, in the
200 answer's `errors`, never fail its whole batch with a 422.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Literal

from django.utils.dateparse import parse_datetime
from pydantic import BaseModel, ConfigDict, Field, PlainValidator, ValidationError, WithJsonSchema

from guide.models import CategoryKey
from lib.bilingual import Msg
from supervision.outcomes import OUTCOMES

MAX_BATCH = 5000
CATEGORIES = set(CategoryKey.values)

E = {
    "not_object": Msg("每条记录应为 JSON 对象。", "Each record must be a JSON object."),
    "client_id": Msg("client_id 应为 UUID。", "client_id must be a UUID."),
    "point": Msg(
        "找不到投放点“{v}”，或不在您的范围内。", "No drop-off point “{v}” within your part of the grid."
    ),
    "household": Msg(
        "找不到住户“{v}”，或不属于该投放点所在居民区。", "No household “{v}” in the point's residential area."
    ),
    "observed_at": Msg(
        "observed_at 应为带时区的 ISO 8601 时间。", "observed_at must be ISO 8601 with a UTC offset."
    ),
    "future": Msg("记录时间比现在晚一年以上。", "observed_at is more than a year in the future."),
    "too_old": Msg("记录时间早于一年前。", "observed_at is more than a year ago."),
    "category": Msg(
        "category 应为 recyclable、hazardous、wet 或 dry。",
        "category must be recyclable, hazardous, wet or dry.",
    ),
    "outcome": Msg(
        "outcome 应为 correct、mixed、bag_not_broken、corrected 或 refused。",
        "outcome must be correct, mixed, bag_not_broken, corrected or refused.",
    ),
    "mixed_with": Msg("mixed_with 应为类别列表。", "mixed_with must be a list of categories."),
    "unknown_field": Msg("未知字段：{v}。", "Unknown field: {v}."),
    "duplicate_in_batch": Msg("同一批次中 client_id 重复。", "client_id repeated within this batch."),
}


@dataclass
class RecordError:
    index: int
    client_id: str | None
    code: str
    msg: Msg

    def as_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "client_id": self.client_id,
            "code": self.code,
            "message": self.msg.as_dict(),
        }


def _parse_moment(value: Any) -> datetime.datetime | None:
    """An ISO 8601 datetime with a UTC offset, or None: also for a well-formed impossible one (30 February,
    hour 25, offset +25:00), which parse_datetime reports by raising ValueError."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        moment = parse_datetime(value)
    except (ValueError, OverflowError):
        return None
    return moment if moment is not None and moment.tzinfo is not None else None


def _client_id(value: Any) -> uuid.UUID:
    """A UUID the client made, in any spelling `uuid.UUID` reads; never the nil UUID, one key every client
    would share (lib.idempotency)."""
    if not isinstance(value, str):
        raise ValueError("client_id must be a string")
    cid = uuid.UUID(value)  # ValueError when it is none
    if cid.int == 0:
        raise ValueError("the nil UUID")
    return cid


def _moment(value: Any) -> datetime.datetime:
    moment = _parse_moment(value)
    if moment is None:
        raise ValueError("observed_at must be ISO 8601 with a UTC offset")
    return moment


if TYPE_CHECKING:
    CategoryName = str
    OutcomeName = str
else:
    CategoryName = Literal[tuple(CategoryKey.values)]
    OutcomeName = Literal[tuple(OUTCOMES)]


class ObservationIn(BaseModel):
    """A bin-side record as a phone, a smart bin or another system sends it."""

    # Strict: JSON's types as they are (no "1" for 1 or the reverse); unknown fields refused.
    model_config = ConfigDict(extra="forbid", strict=True, title="Record")

    client_id: Annotated[
        uuid.UUID,
        PlainValidator(_client_id),
        WithJsonSchema({"type": "string", "format": "uuid"}),
        Field(description="a UUID the client made, not nil"),
    ]
    point: Annotated[str, Field(min_length=1, description="code")]
    household: Annotated[str | None, Field(min_length=1, description="code or null")] = None
    observed_at: Annotated[
        datetime.datetime,
        PlainValidator(_moment),
        WithJsonSchema({"type": "string", "format": "date-time"}),
        Field(description="ISO 8601 with a UTC offset, within the last 366 days"),
    ]
    category: Annotated[CategoryName, Field(description=" | ".join(CategoryKey.values))]
    outcome: Annotated[OutcomeName, Field(description=" | ".join(OUTCOMES))]
    mixed_with: Annotated[list[CategoryName] | None, Field(description="list of categories")] = None


FIELDS = set(ObservationIn.model_fields)


def record_summary() -> str:
    """The record in words for the API document, from the schema's fields: `{client_id (…), point (…), …}`."""
    return "{" + ", ".join(f"{n} ({f.description})" for n, f in ObservationIn.model_fields.items()) + "}"


# After client_id, unknown fields, point, household, observed_at and the time bounds, the order in which a
# record's first fault is reported.
_AFTER_TIME = ("category", "outcome", "mixed_with")
_EXTRA = "unknown_field"


def _faults(raw: dict[Any, Any]) -> tuple[ObservationIn | None, set[str]]:
    try:
        return ObservationIn.model_validate(raw), set()
    except ValidationError as exc:
        return None, {
            _EXTRA if e["type"] == "extra_forbidden" else str(e["loc"][0])
            for e in exc.errors(include_url=False, include_context=False, include_input=False)
        }


def check(
    index: int, raw: Any, now: datetime.datetime, offset: datetime.timedelta | None = None
) -> tuple[dict[str, Any] | None, RecordError | None]:
    """One record: its checked values (client id as a UUID, mixed_with as sorted comma-separated text,
    `phone_time` when a time later than now was replaced by now), or the one error it is refused for."""
    if not isinstance(raw, dict):
        return None, RecordError(index, None, "not_object", E["not_object"])
    record, faults = _faults(raw)
    if "client_id" in faults:
        cid_raw = raw.get("client_id")
        return None, RecordError(
            index, str(cid_raw)[:64] if cid_raw is not None else None, "client_id", E["client_id"]
        )
    cid = record.client_id if record is not None else _client_id(raw["client_id"])
    err = lambda code, msg: (None, RecordError(index, str(cid), code, msg))  # noqa: E731
    if _EXTRA in faults:
        extra = set(raw) - FIELDS
        return err("unknown_field", E["unknown_field"].format(v=", ".join(sorted(extra))[:80]))
    if "point" in faults:
        return err("point", E["point"].format(v=str(raw.get("point"))[:40]))
    if "household" in faults:
        return err("household", E["household"].format(v=str(raw.get("household"))[:40]))
    if "observed_at" in faults:
        return err("observed_at", E["observed_at"])
    observed = record.observed_at if record is not None else _moment(raw["observed_at"])
    if offset is not None:  # the phone's clock is off by `offset` (plausibility.clock_offset)
        observed += offset
    phone_time = None
    if observed > now + datetime.timedelta(days=366):
        return err("future", E["future"])
    if observed > now + datetime.timedelta(minutes=10):
        # Later than the server's clock even after correcting: kept at the time it was received and flagged
        # for a person to look at (plausibility), never parked for good on the phone.
        phone_time, observed = observed.isoformat(), now
    if observed < now - datetime.timedelta(days=366):
        return err("too_old", E["too_old"])
    for name in _AFTER_TIME:
        if name in faults:
            return err(name, E[name])
    if record is None:  # a fault of no field above: cannot happen with the schema as it is
        raise AssertionError(f"unexpected record faults: {sorted(faults)}")
    return {
        "client_id": cid,
        "point": record.point,
        "household": record.household,
        "observed_at": observed,
        "category": record.category,
        "outcome": record.outcome,
        "mixed_with": ",".join(sorted(set(record.mixed_with or []))),
        "phone_time": phone_time,
    }, None
