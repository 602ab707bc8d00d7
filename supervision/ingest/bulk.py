"""The bulk path for smart bins, other systems' exports and scale runs: rows already resolved to ids, no
per-record checks; `bulk_load` runs many batches on parallel connections (PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from django.db import OperationalError, connection
from psycopg.errors import DeadlockDetected

from supervision.ingest.rows import Row
from supervision.ingest.writers import write_rows


def bulk_write(rows: Sequence[Row], *, recorded_by: int | None = None) -> int:
    """The bulk path for smart bins and other systems' exports: rows already resolved to ids, no per-record
    checks. On PostgreSQL it is COPY plus one set-based statement."""
    return write_rows(rows, recorded_by=recorded_by)


def bulk_load(
    batches: Iterable[Sequence[Row]],
    *,
    workers: int = 2,
    recorded_by: int | None = None,
    done: Callable[[int], None] | None = None,
) -> int:
    """Many batches through the bulk path, `workers` of them at a time, each on its own connection.

    Each batch stays what `bulk_write` makes it — one transaction, all or nothing, safe to repeat — so a load
    of many batches gives the same guarantees run in parallel as run one after another; what changes is that
    the server inserts two batches at once (one backend uses one core) while this process prepares the next.
    Batches that share rollup rows (the same households' day) take their locks in one order and wait for each
    other; a deadlock all the same (PostgreSQL aborts one) is retried. Inside a transaction, on SQLite (one
    writer) or with one worker, batches are written one after another on this connection. `done(n)` is
    called with each batch's new records, in the order batches finish.
    """

    def settle(created: int) -> int:
        if done:
            done(created)
        return created

    if workers <= 1 or connection.vendor != "postgresql" or connection.in_atomic_block:
        return sum(settle(bulk_write(batch, recorded_by=recorded_by)) for batch in batches)

    def write(batch: Sequence[Row]) -> int:
        try:
            for attempt in range(3):
                try:
                    return bulk_write(batch, recorded_by=recorded_by)
                except OperationalError as exc:
                    if not isinstance(exc.__cause__, DeadlockDetected) or attempt == 2:
                        raise
            raise AssertionError("unreachable")
        finally:
            connection.close()  # this thread's connection: a pool thread outlives the load

    total = 0
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="bulk-load") as pool:
        pending: set[Future[int]] = set()
        for batch in batches:
            pending.add(pool.submit(write, batch))
            if len(pending) >= workers:  # a window of `workers` batches in memory, not the whole load
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                total += sum(settle(f.result()) for f in finished)
        total += sum(settle(f.result()) for f in pending)
    return total
