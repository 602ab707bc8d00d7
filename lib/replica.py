"""Reads that may go to a read replica: dashboards, assessments and report builds.

They read only rollups and records that are seconds old at worst, and in a city deployment they are the heavy
readers; sending them to a replica (`DATABASE_REPLICA_URL`) keeps them off the primary that ingest writes to.
Only reads inside `on_replica()` (or a view wrapped in `replica_reads`) are routed, never writes, and never a
read inside a transaction on the primary (it must see what that transaction wrote). Without a replica
configured everything stays on the primary.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

_reading: ContextVar[bool] = ContextVar("wastegrid_replica_reads", default=False)


@contextmanager
def on_replica() -> Iterator[None]:
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def replica_reads(view: Callable[..., Any]) -> Callable[..., Any]:
    """A view whose GET and HEAD requests read from the replica (a POST stays on the primary)."""

    @functools.wraps(view)
    def wrapped(request: Any, *args: Any, **kwargs: Any) -> Any:
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        with on_replica():
            return view(request, *args, **kwargs)

    return wrapped


class ReplicaRouter:
    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        alias = settings.WASTEGRID_READ_REPLICA
        if not alias or not _reading.get() or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return None
        return alias

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return None

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return db == DEFAULT_DB_ALIAS  # a replica follows the primary; it is never migrated itself
