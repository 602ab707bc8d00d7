"""Background-job benchmark (issue 16): enqueue-to-start latency and throughput of 1,000 small jobs through
the real path (lib.jobs.start → django-q2's ORM broker → a `manage.py qcluster` → jobs.runner.run), printed
beside a bare function call in the same run. Prints figures; asserts nothing.

    .venv/bin/python bench/jobs_bench.py                                   # SQLite under var/
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jobs_bench .venv/bin/python bench/jobs_bench.py
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.databases import fresh_database  # noqa: E402

N = 1000
SINGLES = 50  # one job at a time into an idle worker: the latency a person waits for


def tiny(*, enqueued: float, marks: str) -> None:
    """The job: note when it was queued and when it started (one append: atomic for a short line)."""
    started = time.time()
    with open(marks, "a") as f:
        f.write(f"{enqueued} {started} {time.time()}\n")


def read(marks: Path) -> list[tuple[float, float, float]]:
    if not marks.exists():
        return []
    return [tuple(map(float, line.split())) for line in marks.read_text().splitlines()]  # type: ignore[misc]


def wait_for(marks: Path, count: int, seconds: float = 600) -> list[tuple[float, float, float]]:
    deadline = time.monotonic() + seconds
    while len(rows := read(marks)) < count:
        if time.monotonic() > deadline:
            raise SystemExit(f"only {len(rows)} of {count} jobs ran in {seconds:.0f} s")
        time.sleep(0.01)
    return rows


def ms(values: list[float]) -> str:
    values = sorted(values)
    p95 = values[int(len(values) * 0.95) - 1]
    return f"median {statistics.median(values) * 1000:7.1f} ms, p95 {p95 * 1000:7.1f} ms"


def main() -> None:
    engine = fresh_database("jobs_bench")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wastegrid.settings")
    os.environ["WASTEGRID_JOBS_INLINE"] = "0"
    import django

    django.setup()
    from django.core.management import call_command

    from bench.jobs_bench import tiny as job  # by its module path: a worker cannot import __main__
    from lib import jobs

    call_command("migrate", verbosity=0)
    tmp = Path(tempfile.mkdtemp(prefix="jobs_bench"))
    workers = os.environ.get("WASTEGRID_JOBS_WORKERS", "2")
    print(f"{engine}: {N} small jobs, {workers} workers (qcluster), poll 0.5 s")

    # Bare call, same function, same process: what the queue adds is the difference.
    bare = tmp / "bare"
    started = time.perf_counter()
    for _ in range(N):
        tiny(enqueued=time.time(), marks=str(bare))
    seconds = time.perf_counter() - started
    print(f"  bare call         {N / seconds:9.0f} jobs/s   {seconds / N * 1e6:8.1f} µs per call")

    cluster = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=ROOT,
        env={**os.environ, "WASTEGRID_JOBS_WORKERS": workers},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        warm = tmp / "warm"
        jobs.start(job, enqueued=time.time(), marks=str(warm))
        wait_for(warm, 1, 60)

        singles = tmp / "singles"
        for n in range(SINGLES):
            jobs.start(job, enqueued=time.time(), marks=str(singles))
            wait_for(singles, n + 1)
        print(
            f"  idle worker       enqueue-to-start {ms([s - e for e, s, _ in read(singles)])} ({SINGLES} jobs)"
        )

        burst = tmp / "burst"
        started = time.perf_counter()
        first = time.time()
        for _ in range(N):
            jobs.start(job, enqueued=time.time(), marks=str(burst))
        enqueue = time.perf_counter() - started
        rows = wait_for(burst, N)
        span = max(f for _, _, f in rows) - first
        print(f"  enqueue {N}      {N / enqueue:9.0f} jobs/s   {enqueue / N * 1e3:8.2f} ms per start()")
        print(f"  run {N} (burst)  {N / span:9.0f} jobs/s   {span:8.1f} s from first enqueue to last finish")
        print(f"  burst             enqueue-to-start {ms([s - e for e, s, _ in rows])} (queueing included)")
    finally:
        cluster.terminate()  # the main process stops its workers (SIGTERM to the whole group hangs it)
        try:
            cluster.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(cluster.pid, signal.SIGKILL)


if __name__ == "__main__":
    main()
