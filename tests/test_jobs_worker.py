"""A worker killed mid-job: real `manage.py qcluster` processes on the test database. The first is killed
(SIGKILL, the whole process group: what a deploy, an OOM kill or a power cut does) while the job runs; the
job stays in the queue, and a second worker runs it again and finishes it. Then a report build queued from
the web code goes through the same worker."""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone
from django_q.models import OrmQ, Success

from jobs.models import Attempt, Outcome
from lib import jobs
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


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _until(check: Callable[[], object], what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Callable[[], subprocess.Popen]]:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "WASTEGRID_JOBS_INLINE": "0",
        "WASTEGRID_JOBS_WORKERS": "1",
        # A killed job is handed out again 6 s after it was taken (in production: timeout + 60 s).
        "WASTEGRID_JOBS_TIMEOUT": "5",
        "WASTEGRID_JOBS_RETRY": "6",
    }
    started: list[subprocess.Popen] = []

    def start() -> subprocess.Popen:
        log = (tmp_path / f"qcluster-{len(started)}.log").open("w")
        proc = subprocess.Popen(
            [sys.executable, "manage.py", "qcluster"],
            cwd=django_settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: one signal reaches the cluster's every process
        )
        started.append(proc)
        return proc

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.terminate()  # the cluster's main process stops its workers (SIGTERM to all of them hangs it)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


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
    period = Period.containing("month", timezone.localdate() - datetime.timedelta(days=40))
    job = report_job_create(actor=personas["subdistrict_admin"], node=grid.sd, period=period)
    _until(lambda: ReportJob.objects.get(pk=job.pk).finished, "the report to be built")
    assert ReportJob.objects.get(pk=job.pk).status == ReportStatus.DONE
