"""Anonymous query counts, buffered in the process and written in batches so that counting never slows the
lookup itself (a write per request would halve the API's throughput on SQLite)."""

from __future__ import annotations

import atexit
import threading
import time

from guide.engine import Answer
from guide.services import lookup_count

FLUSH_EVERY = 2.0
FLUSH_SIZE = 500

_lock = threading.Lock()
_pending: list[Answer] = []
_last = [time.monotonic()]


def count(answer: Answer) -> None:
    with _lock:
        _pending.append(answer)
        due = len(_pending) >= FLUSH_SIZE or time.monotonic() - _last[0] >= FLUSH_EVERY
    if due:
        flush()


def flush() -> None:
    with _lock:
        batch = list(_pending)
        _pending.clear()
        _last[0] = time.monotonic()
    # One write per distinct query, however often it was asked in the batch.
    times: dict[str, int] = {}
    last: dict[str, Answer] = {}
    for answer in batch:
        times[answer.normalized] = times.get(answer.normalized, 0) + 1
        last[answer.normalized] = answer
    for text, n in times.items():
        lookup_count(answer=last[text], times=n)


atexit.register(lambda: flush() if _pending else None)
