"""A live contest with 200 players answering the same question at the same moment, through gunicorn.

    .venv/bin/python bench/contest_bench.py [--players 200] [--workers 3] [--rounds 5] [--db bench_contest]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/contest_bench.py

Each player is a logged-in session posting its answer the way the phone page does (htmx POST, CSRF header,
the answer ticket the page's choices carry: contests.tickets); all are released by one barrier. Each round
is one question: a burst of a bare Django JSON view hit by the same number of simultaneous clients in the
same server, then the burst of answers. One burst lasts a fraction of a second, so a round's figures move
with whatever else the machine does; the verdict takes the median of the rounds' ratios and the p99 of all
answers. Checks that exactly one answer per player and question was stored, and prints the CPU one request
cost the workers (and PostgreSQL's server processes): on a shared machine the rates move with the load, the
CPU per request hardly. Asserts nothing else.
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
    parser.add_argument(
        "--rounds", type=int, default=5, help="questions, each a bare burst and an answer burst"
    )
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
    from contests.services import contest_create, contest_join, contest_next, contest_start
    from contests.tickets import ticket_issue
    from grid.models import Level
    from grid.services.records import node_create

    call_command("migrate", verbosity=0)
    sd = node_create(actor=None, level=Level.SUBDISTRICT, name="测试街道", code="BEN")
    area = node_create(actor=None, level=Level.AREA, name="片区", parent=sd)
    community = node_create(actor=None, level=Level.COMMUNITY, name="居民区", parent=area)
    Question.objects.bulk_create(
        Question(
            kind="regulation",
            text=f"废电池属于哪一类？（{n + 1}）",
            choices=["可回收物", "有害垃圾", "湿垃圾", "干垃圾"],
            answer=1,
        )
        for n in range(args.rounds)
    )
    contest = contest_create(actor=None, node=community, title="bench", questions=args.rounds, seconds=300)
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

        print(
            f"{engine}, gunicorn {args.workers} sync workers, {args.players} simultaneous clients, {args.rounds} rounds"
        )
        ratios: list[float] = []
        answer_lat: list[float] = []
        bare_lat: list[float] = []
        answer_rates: list[float] = []
        bare_rates: list[float] = []
        others: set[int] = set()

        def answers_to(order: int) -> list[tuple[str, str, str, dict[str, str]]]:
            return [
                (
                    "POST",
                    f"/contests/c/{contest.code}/answer/",
                    f"order={order}&choice={i % 4}&ticket={ticket_issue(user, contest)}",
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

        for order in range(args.rounds):
            if order:
                contest_next(contest=contest)
                time.sleep(1.1)  # the workers read the question on screen once a second (question_state)
            wall, lat, _statuses, bare_cpu = measured([("GET", "/bare/", "", {})] * args.players)
            bare_rates.append(args.players / wall)
            bare_lat += lat
            answers = answers_to(order)
            wall, lat, statuses, answer_cpu = measured(answers)
            answer_rates.append(args.players / wall)
            answer_lat += lat
            others |= set(statuses) - {200}
            ratios.append(answer_rates[-1] / bare_rates[-1])
            print(
                f"  round {order + 1}: bare {bare_rates[-1]:6.0f} req/s ({bare_cpu}); answers {answer_rates[-1]:6.0f}/s "
                f"p99 {pct(lat, 99):5.0f} ms ({answer_cpu}, {sum(s == 200 for s in statuses)} × 200) → {ratios[-1]:.2f}×"
            )
        ratio, p99 = statistics.median(ratios), pct(answer_lat, 99)
        print(
            f"  baseline: bare Django JSON view  median {statistics.median(bare_rates):7.0f} req/s   "
            f"p50 {pct(bare_lat, 50):6.0f} ms   p99 {pct(bare_lat, 99):6.0f} ms"
        )
        print(
            f"  answers (one each, same moment)  median {statistics.median(answer_rates):7.0f} answers/s   "
            f"p50 {pct(answer_lat, 50):6.0f} ms   p99 {p99:6.0f} ms   max {max(answer_lat):.0f} ms   "
            f"(statuses other than 200: {sorted(others)})"
        )
        verdict = "met" if ratio >= 0.5 and p99 <= 300 else "NOT met"
        print(
            f"  target (p99 <= 300 ms, >= 0.5x bare): {verdict}: p99 {p99:.0f} ms, median {ratio:.2f}x the bare view "
            f"(rounds {', '.join(f'{r:.2f}' for r in ratios)})"
        )
        # Every player taps the last question again: nothing more is stored.
        again_wall, again_lat, _, again_cpu = measured(answers)
        stored = Answer.objects.count()
        right = Entry.objects.filter(score=args.rounds).count()
        print(
            f"  repeated taps                    {args.players / again_wall:7.0f} req/s   p99 {pct(again_lat, 99):6.0f} ms"
            f"   {again_cpu}"
        )
        print(
            f"  stored answers {stored} (players × rounds {args.players * args.rounds}); players right every time "
            f"{right} (expected {sum(1 for i in range(args.players) if i % 4 == 1)}); "
            f"mean latency {statistics.mean(answer_lat):.0f} ms"
        )
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
