"""Where background work enters: imports and report builds call `start`.

The job is written to the database queue (django-q2's ORM broker) before anything runs, in the caller's
transaction when there is one, and a `manage.py qcluster` worker runs it through `jobs.runner.run`, which
counts its starts, retries transient errors with backoff and gives up on a job that keeps killing its worker
(docs/architecture.md, "Background jobs"). With `WASTEGRID_JOBS_INLINE` (tests, single-shot scripts) the
function runs at once in the caller, as django-q2's `sync` would, but with its exceptions left to propagate.
A job's own row (ImportJob, ReportJob) carries its progress and its error.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings


def start(fn: Callable[..., Any], *, give_up: Callable[..., Any] | None = None, **kwargs: Any) -> str | None:
    """Queue `fn(**kwargs)`; `give_up(**kwargs)` marks the job's row failed if its worker keeps dying.
    kwargs must be plain values (ids, strings): they are stored with the task. Returns the task id."""
    if settings.WASTEGRID_JOBS_INLINE:
        fn(**kwargs)
        return None
    from django_q.tasks import async_task

    func = f"{fn.__module__}.{fn.__qualname__}"
    return async_task(
        "jobs.runner.run",
        func,
        kwargs,
        uuid.uuid4().hex,
        f"{give_up.__module__}.{give_up.__qualname__}" if give_up else "",
        group=func,  # the admin keeps the last results per job kind (Q_CLUSTER save_limit_per)
        sync=False,  # settings may have sync on for inline runs; a caller here asked for the queue
    )
