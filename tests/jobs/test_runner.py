"""A worker killed mid-job: real `manage.py qcluster` processes on the test database. The first is killed
(SIGKILL, the whole process group: what a deploy, an OOM kill or a power cut does) while the job runs; the
job stays in the queue, and a second worker runs it again and finishes it. Then a report build queued from
the web code goes through the same worker."""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django_q.models import OrmQ, Success

from jobs.models import Attempt, Outcome
from lib import jobs
from lib.clock import local_today
from lib.periods import Period
from reports.models import ReportJob, ReportStatus
from reports.services import report_job_create
from tests.conftest import Grid

pytestmark = pytest.mark.django_db(transaction=True)


def slow_once(*, path: str) -> str:
    """The job: notes which process started it; the first start hangs (and is killed), later ones finish."""
    marks = Path(path)
    first = not marks.exists()
    with marks.open("a") as f:
        f.write(f"{os.getpid()}\n")
    if first:
        time.sleep(120)
    return "finished"


def _until(check: Callable[[], object], what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def test_a_job_whose_worker_is_killed_is_finished_by_the_next_worker(
    grid: Grid, personas: dict, settings, tmp_path: Path, cluster: Callable[[], subprocess.Popen]
) -> None:
    settings.WASTEGRID_JOBS_INLINE = False
    marks = tmp_path / "starts"
    jobs.start(slow_once, path=str(marks))
    assert OrmQ.objects.count() == 1  # persisted before any worker exists

    first = cluster()
    _until(marks.exists, "the first worker to start the job")
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()
    attempt = Attempt.objects.get()
    assert (attempt.starts, attempt.outcome) == (1, Outcome.RUNNING)
    assert OrmQ.objects.count() == 1  # never acknowledged: still in the queue

    cluster()
    _until(lambda: Attempt.objects.filter(outcome=Outcome.DONE).exists(), "the second worker to finish it")
    pids = marks.read_text().split()
    assert len(pids) == 2 and pids[0] != pids[1]
    assert Attempt.objects.get().starts == 2
    _until(lambda: not OrmQ.objects.exists(), "the queue to be acknowledged")
    assert Success.objects.get(func="jobs.runner.run").result == "finished"

    # The web code's own entry: a report build goes through the queue and the running worker.
    period = Period.containing("month", local_today() - datetime.timedelta(days=40))
    job = report_job_create(actor=personas["subdistrict_admin"], node=grid.sd, period=period)
    _until(lambda: ReportJob.objects.get(pk=job.pk).finished, "the report to be built")
    assert ReportJob.objects.get(pk=job.pk).status == ReportStatus.DONE
