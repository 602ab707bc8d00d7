"""A real job worker for tests that need one: `manage.py qcluster` (django-q2) on the test database, as
`make serve` runs it beside gunicorn. Use the `cluster` fixture in tests marked transaction=True (or with
`live_server`), whose rows the worker's own connection can see."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


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
