"""API errors: an exception that carries a stable code and its message in both languages, the JSON shape
every error answer has (`ErrorOut`), and `answers()`, which lists an operation's statuses for the OpenAPI
document so that it names every status the operation can answer."""

from __future__ import annotations

from typing import Any

from ninja import Schema
from pydantic import Field

from lib.bilingual import Msg
from lib.periods import MIN_YEAR
from lib.validation import CONTROL_CHARS


def is_api(request: Any) -> bool:
    """True for requests answered in the API's JSON error shape (code + zh/en message) rather than a page."""
    return str(request.path).startswith("/api/")


class ApiError(Exception):
    def __init__(self, status: int, code: str, msg: Msg):
        super().__init__(msg.en)
        self.status, self.code, self.msg = status, code, msg


class MessageOut(Schema):
    zh: str
    en: str


class FieldErrorOut(Schema):
    loc: list[str] = Field(description="where: e.g. ['query', 'page'] or ['body', 'records', '0', 'kg']")
    msg: str


class ErrorOut(Schema):
    code: str = Field(description="stable and machine-readable, e.g. invalid_input, not_found, forbidden")
    message: MessageOut = Field(description="the same message in Simplified Chinese and English")
    errors: list[FieldErrorOut] | None = Field(None, description="invalid_input only: each field and why")


# What each error status means across the API (wastegrid/api.py turns the exceptions into these answers).
ERROR_STATUSES: dict[int, str] = {
    400: "malformed input: a parameter or the body does not match this document, or a value is refused",
    401: "no or invalid credentials (a device token as Bearer, or a session cookie)",
    403: "the user's role may not do this (or a session POST without its CSRF token)",
    404: "no such object, or not within the user's part of the grid",
    409: "the request conflicts with the current state",
    413: "the body is too large",
    503: "the database is busy (a lock held too long): nothing was written; retry after Retry-After seconds",
}
# Every operation behind authentication can answer 401 (credentials are checked first); every operation,
# public ones too, reads or writes the database, and one that meets it locked is answered 503 (lib.dbbusy).
AUTHENTICATED = (401,)
EVERY = (503,)
# The header every 503 carries (lib.dbbusy.busy_response): whole seconds, so a client can wait that long.
RETRY_AFTER_HEADER: dict[str, Any] = {
    "Retry-After": {
        "description": "seconds to wait before sending the same request again (nothing of it was written)",
        "required": True,
        "schema": {"type": "string", "pattern": "^[1-9][0-9]*$"},
    }
}


def answers(ok: Any, *errors: int, status: int = 200, public: bool = False) -> dict[int, Any]:
    """`response=` for a ninja operation: `ok` for the success `status`, ErrorOut for each error status it
    may answer (503 always added, 401 unless `public`)."""
    codes = set(errors) | set(EVERY) | (set() if public else set(AUTHENTICATED))
    unknown = codes - set(ERROR_STATUSES)
    assert not unknown, f"describe {unknown} in ERROR_STATUSES"
    return {status: ok, **{code: ErrorOut for code in sorted(codes)}}


def document_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI document with each error answer described as ERROR_STATUSES says (rather than the bare
    HTTP phrase), and every 503 with its Retry-After header. Changes and returns `schema`."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            for status, response in operation.get("responses", {}).items():
                if int(status) in ERROR_STATUSES:
                    response["description"] = ERROR_STATUSES[int(status)]
                if int(status) == 503:
                    response["headers"] = RETRY_AFTER_HEADER
    return schema


# What a text field may not hold, as the character class of lib.validation's one definition.
_BANNED = CONTROL_CHARS.pattern[1:-1]
# JSON-schema pattern for every free-text field of an API schema: no control characters (refused at the edge,
# so the document says so).
TEXT = f"^[^{_BANNED}]*$"
# JSON-schema pattern of an idempotency key (lib.idempotency): TEXT with at least one character not a space.
KEY = rf"^[^{_BANNED}]*[^\s{_BANNED}][^{_BANNED}]*$"


def years_pattern(last: int) -> str:
    """A regex alternation of the years MIN_YEAR..`last` (lib.periods' bounds), for patterns of periods and
    days in the document. Computed when a module loads: a process that runs past New Year documents a year
    less than it accepts, never more."""
    return "|".join(str(y) for y in range(MIN_YEAR, last + 1))


def day_pattern(last_year: int) -> str:
    """JSON-schema pattern of an ISO day (YYYY-MM-DD) from MIN_YEAR to `last_year`."""
    return rf"^({years_pattern(last_year)})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
