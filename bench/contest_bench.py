"""A live contest with 200 players answering the same question at the same moment, through gunicorn.

    .venv/bin/python bench/contest_bench.py [--players 200] [--workers 3] [--db bench_contest]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/contest_bench.py

Each player is a logged-in session posting its answer the way the phone page does (htmx POST, CSRF header,
the answer ticket the page's choices carry: contests.tickets);
all are released by one barrier. Prints answers/s and latency percentiles beside a bare Django JSON view hit by
the same number of simultaneous clients in the same server, and checks that exactly one answer per player
was stored, with the CPU one request cost the workers (and PostgreSQL's server processes): on a shared machine
the rates move with the load, the CPU per request hardly. Asserts nothing else.
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PY = sys.executable


def _db(name: str) -> str:
    from bench.databases import fresh_database

    return fresh_database(name)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def burst(
    port: int, requests: list[tuple[str, str, str, dict[str, str]]]
) -> tuple[float, list[float], list[int]]:
    """Fire all requests at once (one connection each); (wall seconds, latencies in ms, statuses)."""
    latencies: list[float] = [0.0] * len(requests)
    statuses: list[int] = [0] * len(requests)
    conns = [http.client.HTTPConnection("127.0.0.1", port, timeout=120) for _ in requests]
    for c in conns:
        c.connect()
    barrier = threading.Barrier(len(requests) + 1)

    def one(i: int) -> None:
        method, path, body, headers = requests[i]
        barrier.wait()
        started = time.perf_counter()
        conns[i].request(method, path, body, headers)
        response = conns[i].getresponse()
        response.read()
        latencies[i] = (time.perf_counter() - started) * 1000
        statuses[i] = response.status

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(requests))]
    for t in threads:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    for c in conns:
        c.close()
    return wall, latencies, statuses


def cpu_seconds(pids: list[int]) -> float:
    """CPU time (user + system) used so far by these processes (Linux /proc; 0 where unreadable). The
    machine is shared, so rates and latencies move with its load: the CPU one request costs does not."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of proc(5))
    return total / os.sysconf("SC_CLK_TCK")


def worker_pids(master: int) -> list[int]:
    """The gunicorn master's worker processes."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == master:
                pids.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return pids


def database_pids() -> list[int]:
    """PostgreSQL's server processes of the bench database (the workers' connections); none on SQLite."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return [row[0] for row in cursor.fetchall()]


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--players", type=int, default=200)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers (3, as `make serve`)")
    parser.add_argument("--db", default="bench_contest", help="database (or var/ SQLite file) to create anew")
    args = parser.parse_args()
    engine = _db(args.db)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wastegrid.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from accounts.models import Role, User
    from contests.models import Answer, Entry, Question
    from contests.services import contest_create, contest_join, contest_start
    from contests.tickets import ticket_issue
    from grid.models import Level
    from grid.services.records import node_create

    call_command("migrate", verbosity=0)
    sd = node_create(actor=None, level=Level.SUBDISTRICT, name="测试街道", code="BEN")
    area = node_create(actor=None, level=Level.AREA, name="片区", parent=sd)
    community = node_create(actor=None, level=Level.COMMUNITY, name="居民区", parent=area)
    Question.objects.create(
        kind="regulation",
        text="废电池属于哪一类？",
        choices=["可回收物", "有害垃圾", "湿垃圾", "干垃圾"],
        answer=1,
    )
    contest = contest_create(actor=None, node=community, title="bench", questions=1, seconds=300)
    users = User.objects.bulk_create(
        User(username=f"p{i:04d}", role=Role.RESIDENT, node=community, password="!")
        for i in range(args.players)
    )
    cookies = []
    csrf = "b" * 32
    for user in users:
        contest_join(user=user, contest=contest)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"  # what a log-in stores
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={session.session_key}; csrftoken={csrf}")
    contest_start(contest=contest)

    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings_bare"}
    server = subprocess.Popen(
        [
            str(Path(PY).parent / "gunicorn"),
            "bench.wsgi_bare:application",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(args.workers),
            "--backlog",
            "2048",
            "--log-level",
            "warning",
            "--timeout",
            "120",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        warm: list[tuple[str, str, str, dict[str, str]]] = [("GET", "/bare/", "", {})] * 20
        burst(port, warm)
        # Before the question comes up every phone has been polling its state once a second (as in a real
        # contest): the workers have their database connections, templates and translations loaded.
        polls = [
            ("GET", f"/contests/c/{contest.code}/state/", "", {"Cookie": c, "HX-Request": "true"})
            for c in cookies
        ]
        burst(port, polls)
        workers = worker_pids(server.pid)
        processes = workers + database_pids()

        def measured(
            requests: list[tuple[str, str, str, dict[str, str]]],
        ) -> tuple[float, list[float], list[int], str]:
            """burst() plus the CPU per request of the workers and, on PostgreSQL, of their server processes."""
            before_w, before_all = cpu_seconds(workers), cpu_seconds(processes)
            wall, lat, statuses = burst(port, requests)
            w = (cpu_seconds(workers) - before_w) / len(requests) * 1000
            db = (cpu_seconds(processes) - before_all) / len(requests) * 1000 - w
            return wall, lat, statuses, f"CPU/request {w:.2f} ms" + (f" + database {db:.2f} ms" if db else "")

        wall, lat, statuses, bare_cpu = measured([("GET", "/bare/", "", {})] * args.players)
        bare_rate = args.players / wall
        print(f"{engine}, gunicorn {args.workers} sync workers, {args.players} simultaneous clients")
        print(
            f"  baseline: bare Django JSON view  {args.players / wall:7.0f} req/s   p50 {pct(lat, 50):6.0f} ms   "
            f"p99 {pct(lat, 99):6.0f} ms   {bare_cpu}"
        )
        answers = [
            (
                "POST",
                f"/contests/c/{contest.code}/answer/",
                f"order=0&choice={i % 4}&ticket={ticket_issue(user, contest)}",
                {
                    "Cookie": cookie,
                    "X-CSRFToken": csrf,
                    "HX-Request": "true",
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Host": "127.0.0.1",
                },
            )
            for i, (user, cookie) in enumerate(zip(users, cookies, strict=True))
        ]
        wall, lat, statuses, answer_cpu = measured(answers)
        ok = sum(s == 200 for s in statuses)
        print(
            f"  answers (one each, same moment)  {args.players / wall:7.0f} answers/s   p50 {pct(lat, 50):6.0f} ms   "
            f"p99 {pct(lat, 99):6.0f} ms   max {max(lat):.0f} ms   {answer_cpu}   "
            f"({ok} × 200, others {sorted(set(statuses) - {200})})"
        )
        ratio, p99 = args.players / wall / bare_rate, pct(lat, 99)
        verdict = "met" if ratio >= 0.5 and p99 <= 300 else "NOT met"
        print(
            f"  target (p99 <= 300 ms, >= 0.5x bare): {verdict}: p99 {p99:.0f} ms, {ratio:.2f}x the bare view"
        )
        # Every player taps again: nothing more is stored.
        again_wall, again_lat, _, again_cpu = measured(answers)
        stored = Answer.objects.count()
        right = Entry.objects.filter(score=1).count()
        print(
            f"  repeated taps                    {args.players / again_wall:7.0f} req/s   p99 {pct(again_lat, 99):6.0f} ms"
            f"   {again_cpu}"
        )
        print(
            f"  stored answers {stored} (players {args.players}); right answers {right} "
            f"(expected {sum(1 for i in range(args.players) if i % 4 == 1)}); mean latency {statistics.mean(lat):.0f} ms"
        )
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
