"""Idempotency keys: what makes a retried or double-clicked write happen once.

A key is refused when it is empty, never shared: every keyless request would otherwise share one key (the
first one's result answers all the later ones, and nothing is written). Over-long keys are refused too, not
cut: a cut key no longer finds the row stored under it, so a retry would write twice. Forms get their key
from the server when they are rendered (a hidden input); phones and devices make a UUID per record.
"""

from __future__ import annotations

import uuid

from django.db import connection

from lib.bilingual import Msg
from lib.validation import InvalidInput, has_control_chars

MISSING_KEY = Msg(
    "请求缺少编号（防重复提交用），请刷新页面后重试。",
    "The request carries no key (it prevents double submissions): reload the page and try again.",
)
BAD_KEY = Msg(
    "请求编号无效（最多 {n} 个可见字符）。", "The request key is invalid (at most {n} visible characters)."
)

BAD_UUID = Msg("请求编号应为 UUID。", "The request key must be a UUID.")


def idempotency_key(raw: object, *, max_length: int = 64) -> str:
    """The key as sent, stripped: 1..max_length characters, no control characters.
    InvalidInput (zh/en, code missing_key / bad_key) otherwise."""
    key = raw.strip() if isinstance(raw, str) else ""
    if not key:
        raise InvalidInput(MISSING_KEY, code="missing_key")
    if len(key) > max_length or has_control_chars(key):
        raise InvalidInput(BAD_KEY.format(n=max_length), code="bad_key")
    return key


def idempotency_uuid(raw: object) -> uuid.UUID:
    """A client-made UUID key (a UUID or its text). The nil UUID is the empty key of UUIDs and is refused
    like an empty string; InvalidInput (zh/en) otherwise."""
    if isinstance(raw, uuid.UUID):
        value = raw
    else:
        text = str(raw or "").strip()
        if not text:
            raise InvalidInput(MISSING_KEY, code="missing_key")
        try:
            value = uuid.UUID(text)
        except ValueError:
            raise InvalidInput(BAD_UUID, code="bad_key") from None
    if value.int == 0:
        raise InvalidInput(MISSING_KEY, code="missing_key")
    return value


def hold_key(kind: str, key: object) -> None:
    """Hold one idempotency key until the surrounding transaction ends, so "look for the key, else create"
    cannot race: two identical submissions at the same moment would otherwise both miss the row, and the
    second insert would fail on the unique constraint (a 500, with its upload already on disk). Call it inside
    the service's transaction, before the look-up. PostgreSQL: a transaction-scoped advisory lock on the key's
    hash (a collision only makes two unrelated writers wait for each other). SQLite: nothing to do, its
    IMMEDIATE transactions already let one writer in at a time."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"{kind}:{key}"])
