"""What a worker runs for every job queued by `lib.jobs.start`.

A job is a plain function of keyword arguments, named by its dotted path. The runner counts its starts in
`Attempt` before calling it, so that:
- a worker killed mid-job (deploy, timeout, out of memory) is survived: django-q2's ORM broker hands the
  unacknowledged task out again `Q_CLUSTER["retry"]` seconds later, and the job runs again from the start
  (every job here is safe to run again: an import writes in one transaction, a report is rebuilt);
- a job that keeps killing its worker stops after MAX_STARTS: its `give_up` function marks the job's own row
  failed with a message the person can read, instead of leaving it "running" for ever;
- a transient database error (locked, connection dropped) is tried again with exponential backoff, as a
  one-off django-q2 Schedule. Any other exception is a bug or bad input: it is recorded (the job's own row,
  the admin's failed tasks) and not repeated.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string
from django_q.models import Schedule

from jobs.models import Attempt, Outcome

MAX_STARTS = 4
BACKOFF = datetime.timedelta(seconds=30)  # then 60 s, 120 s: the scheduler looks every ~15 s
TRANSIENT = (OperationalError, InterfaceError)
RUN = "jobs.runner.run"


def run(func: str, kwargs: dict[str, Any], key: str, give_up: str = "") -> Any:
    with transaction.atomic():
        Attempt.objects.get_or_create(key=key, defaults={"func": func})
        Attempt.objects.filter(key=key).update(starts=F("starts") + 1, outcome=Outcome.RUNNING)
    attempt = Attempt.objects.get(key=key)
    if attempt.starts > MAX_STARTS:
        if give_up:
            import_string(give_up)(**kwargs)
        attempt.outcome = Outcome.GAVE_UP
        attempt.save(update_fields=["outcome", "updated_at"])
        return f"gave up after {MAX_STARTS} starts"
    try:
        result = import_string(func)(**kwargs)
    except TRANSIENT as exc:
        again = attempt.starts < MAX_STARTS
        _record(attempt, Outcome.RETRYING if again else Outcome.FAILED, exc)
        if again:
            retry_later(func=func, kwargs=kwargs, key=key, give_up=give_up, starts=attempt.starts)
        elif give_up:
            import_string(give_up)(**kwargs)
        raise
    except Exception as exc:
        _record(attempt, Outcome.FAILED, exc)
        raise
    attempt.outcome = Outcome.DONE
    attempt.error = ""
    attempt.save(update_fields=["outcome", "error", "updated_at"])
    return result


def retry_later(*, func: str, kwargs: dict[str, Any], key: str, give_up: str, starts: int) -> Schedule:
    """Queue the job again after BACKOFF · 2^(starts-1), under the same key (its starts keep counting)."""
    return Schedule.objects.create(
        name=f"retry {func} {key[:8]}",
        func=RUN,
        kwargs=repr({"func": func, "kwargs": kwargs, "key": key, "give_up": give_up}),
        schedule_type=Schedule.ONCE,
        repeats=-1,  # a ONCE schedule with negative repeats deletes itself once it has queued the job
        next_run=timezone.now() + BACKOFF * 2 ** (starts - 1),
    )


def _record(attempt: Attempt, outcome: str, exc: BaseException) -> None:
    # The job's own transaction may have been rolled back; this write needs its own.
    Attempt.objects.filter(pk=attempt.pk).update(
        outcome=outcome, error=f"{type(exc).__name__}: {exc}"[:2000], updated_at=timezone.now()
    )
