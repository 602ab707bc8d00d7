"""Speed of the "which bin?" lookup: in-process latency, cold start, memory, and HTTP throughput of the API
beside a bare Django JSON view served by the same gunicorn in the same run.

    .venv/bin/python bench/guide_speed.py          # needs wrk (apt-get install wrk) for the HTTP part

Uses a temporary SQLite database with the knowledge base loaded. Prints figures; asserts nothing.
"""

from __future__ import annotations

import csv
import os
import random
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PY = sys.executable


def queries(n: int) -> list[str]:
    rng = random.Random(7)
    pool: list[str] = []
    for path in (ROOT / "bench" / "guide_queries").glob("*.tsv"):
        with path.open(encoding="utf-8") as f:
            pool += [row["query"] for row in csv.DictReader(f, delimiter="\t")]
    from guide.kb import read_items

    pool += [i.name for i in read_items()]
    pool += [
        "塑料小鸭子",
        "氪金键帽",
        "榴莲千层蛋糕渣",
        "萌宠尿垫",
        "一次性电子烟",
    ] * 20  # unlisted: the slow path
    return [rng.choice(pool) for _ in range(n)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wrk(url: str, seconds: int = 8, script: str | None = None) -> float:
    cmd = ["wrk", "-t2", "-c32", f"-d{seconds}s", url] + (["-s", script] if script else [])
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]


def main() -> None:
    tmp = tempfile.mkdtemp()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp}/guide.sqlite3",
        "DJANGO_SETTINGS_MODULE": "wastegrid.settings",
    }
    subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([PY, "manage.py", "load_guide"], cwd=ROOT, env=env, check=True, capture_output=True)

    # Cold start: a fresh process, from exec to its first answer.
    started = time.perf_counter()
    first = subprocess.run(
        [
            PY,
            "-c",
            "import django; django.setup(); from guide.search import lookup; print(lookup('香蕉皮').category)",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    cold = time.perf_counter() - started
    print(
        f"cold start (process start → first answer '{first.stdout.strip()}'): {cold * 1000:.0f} ms (target < 1000 ms)"
    )

    os.environ.update(env)
    import django

    django.setup()
    from guide.search import get_index

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t = time.perf_counter()
    index = get_index()
    build = time.perf_counter() - t
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"index build from the database: {build * 1000:.0f} ms; memory for the index ≈ {(rss_after - rss_before) / 1024:.0f} MB "
        f"(process peak {rss_after / 1024:.0f} MB)"
    )

    mixed = queries(12_000)
    for q in mixed[:500]:
        index.lookup(q)  # warm
    times = []
    for q in mixed:
        t = time.perf_counter_ns()
        index.lookup(q)
        times.append((time.perf_counter_ns() - t) / 1e6)
    times.sort()
    p = lambda f: times[int(len(times) * f)]  # noqa: E731
    print(
        f"in-process lookup over {len(times)} mixed queries: p50 {p(0.5):.3f} ms, p90 {p(0.9):.3f} ms, "
        f"p99 {p(0.99):.3f} ms (target < 0.5 ms), max {times[-1]:.2f} ms, mean {statistics.mean(times):.3f} ms"
    )

    if not shutil.which("wrk"):
        print("HTTP: skipped (wrk not installed: apt-get install wrk)")
        return
    port = free_port()
    server = subprocess.Popen(
        [
            str(Path(PY).parent / "gunicorn"),
            "bench.wsgi_bare:application",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "bench.settings_bare"},
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        base = f"http://127.0.0.1:{port}"
        wrk(f"{base}/bare/", 2)
        bare = wrk(f"{base}/bare/")
        api_known = wrk(f"{base}/api/v1/guide/lookup?q={urllib.parse.quote('喝完的矿泉水瓶')}")
        api_unlisted = wrk(f"{base}/api/v1/guide/lookup?q={urllib.parse.quote('氪金键帽')}")
        # The mixed load: every request a different query drawn from the 12,000 above.
        script = Path(tmp) / "mixed.lua"
        paths = [f"/api/v1/guide/lookup?q={urllib.parse.quote(q)}" for q in mixed[:3000]]
        script.write_text(
            "local paths = {" + ",".join(f'"{p}"' for p in paths) + "}\n"
            "request = function() return wrk.format('GET', paths[math.random(#paths)]) end\n"
        )
        api_mixed = wrk(f"{base}/", script=str(script))
        print(
            f"HTTP (gunicorn, 2 sync workers, wrk -t2 -c32 on the same 2 cores): bare Django JSON view {bare:.0f} req/s; "
            f"/api/v1/guide/lookup mixed queries {api_mixed:.0f} req/s ({api_mixed / bare:.2f}×, target ≥ 0.5×), "
            f"one phrase {api_known:.0f} req/s ({api_known / bare:.2f}×), "
            f"one unlisted name {api_unlisted:.0f} req/s ({api_unlisted / bare:.2f}×)"
        )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
