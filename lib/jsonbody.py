"""Reading a JSON request body with bounds: size, nesting depth, no NaN/Infinity, no control characters.

Every API operation reads its body through here (the ninja parser in wastegrid/api.py, and views that read
the body themselves), so a hostile body answers 400/413 with a zh/en message, never a 500.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest

from lib.apierrors import ApiError
from lib.bilingual import Msg
from lib.validation import CONTROL_MSG, has_control_chars, strings_in

MAX_BYTES = 8 * 1024 * 1024  # a full observations batch (5,000 records) is about 1.5 MB
MAX_DEPTH = 16  # the deepest body any operation takes is 3 levels (a list of records holding a list)

INVALID = Msg("请求体不是有效的 JSON。", "The body is not valid JSON.")
TOO_DEEP = Msg(
    "请求体嵌套过深（最多 {n} 层）。", "The body is nested too deeply (at most {n} levels)."
).format(n=MAX_DEPTH)
TOO_LARGE = Msg("请求体过大（最多 {n} MB）。", "The body is too large (at most {n} MB).").format(
    n=MAX_BYTES // 1024 // 1024
)


def _no_constant(name: str) -> Any:
    # json accepts NaN, Infinity and -Infinity, which are not JSON and are no number a record can hold.
    raise ValueError(name)


def json_body(request: HttpRequest) -> Any:
    """The parsed body. ApiError 413 (too large), 400 (not JSON, NaN/Infinity, deeper than MAX_DEPTH,
    a control character in a key or string)."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BYTES or len(request.body) > MAX_BYTES:
        raise ApiError(413, "too_large", TOO_LARGE)
    try:
        data = json.loads(request.body, parse_constant=_no_constant)
    except RecursionError:  # the C decoder refuses deep nesting by raising this, before any damage
        raise ApiError(400, "too_deep", TOO_DEEP) from None
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "invalid_json", INVALID) from None
    try:
        if any(has_control_chars(s) for s in strings_in(data, max_depth=MAX_DEPTH)):
            raise ApiError(400, "control_chars", CONTROL_MSG)
    except ValueError:
        raise ApiError(400, "too_deep", TOO_DEEP) from None
    return data
