"""Background work in a thread of the web process (imports, report builds), or inline when
`WASTEGRID_JOBS_INLINE` is set (tests, single-shot scripts). A job's own row carries its progress."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connections, transaction

# Threads still running; tests wait for them before the test database goes away.
RUNNING: set[threading.Thread] = set()


def start(fn: Callable[..., Any], **kwargs: Any) -> None:
    """Run `fn(**kwargs)` after the current transaction commits (the job row must be visible to it)."""
    if settings.WASTEGRID_JOBS_INLINE:
        fn(**kwargs)
        return
    transaction.on_commit(lambda: _thread(fn, kwargs))


def _thread(fn: Callable[..., Any], kwargs: dict[str, Any]) -> None:
    thread = threading.Thread(target=_run, args=(fn, kwargs), daemon=True)
    RUNNING.add(thread)
    thread.start()


def _run(fn: Callable[..., Any], kwargs: dict[str, Any]) -> None:
    try:
        fn(**kwargs)
    finally:
        # The thread's own connection ends with the thread (persistent connections would outlive it).
        connections.close_all()
        RUNNING.discard(threading.current_thread())


def wait_all(timeout: float = 30) -> None:
    for thread in list(RUNNING):
        thread.join(timeout=timeout)
