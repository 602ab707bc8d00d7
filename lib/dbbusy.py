"""A request that meets a busy database answers 503 with Retry-After, never 500.

"Busy" is a lock the request could not get in time: SQLite's "database is locked" (another connection held
the write lock past the busy timeout) and, on PostgreSQL, lock timeouts, serialization failures and
deadlocks. Nothing of the request was committed (the transaction rolled back), so the client may simply send
it again: the phone's recorder keeps its queue on any non-2xx answer, and ingest is idempotent by client id.

One place for every view: `DatabaseBusyMiddleware` (pages and, outside DEBUG, the API, whose unhandled
exceptions reach Django), and `busy_response` for the API's own exception handler (DEBUG would otherwise
answer with a traceback).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse

from lib.apierrors import is_api
from lib.bilingual import Msg

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
BUSY = Msg("系统繁忙（数据库正被占用），请稍后重试，数据未丢失。", "The database is busy; try again shortly.")
# PostgreSQL SQLSTATEs that mean "could not get a lock (in time)": lock_not_available (lock_timeout, NOWAIT),
# serialization_failure, deadlock_detected.
_PG_BUSY = {"55P03", "40001", "40P01"}


def is_db_busy(exc: BaseException) -> bool:
    """True for an OperationalError caused by a lock the database could not grant in time."""
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    if getattr(cause, "sqlstate", None) in _PG_BUSY:
        return True
    text = str(exc).lower()
    return "database is locked" in text or "database table is locked" in text


def busy_response(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: JSON for the API (code `db_busy`, message in zh and en), a short page otherwise."""
    response: HttpResponse
    if is_api(request):
        response = JsonResponse({"code": "db_busy", "message": BUSY.as_dict()}, status=503)
    else:
        response = HttpResponse(
            f"{BUSY.zh}\n{BUSY.en}\n", status=503, content_type="text/plain; charset=utf-8"
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseBusyMiddleware:
    """Turns a lock timeout anywhere in a view into 503 + Retry-After (see the module docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_db_busy(exception):
            return None
        log.warning("database busy on %s %s: %s", request.method, request.path, exception)
        return busy_response(request)
