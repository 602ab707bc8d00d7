"""Bin-side records posted by four phones while a secretary imports 150,000 households (issue 13), on SQLite.

    .venv/bin/python bench/import_under_load.py                 # var/lost_bench.sqlite3, gunicorn on :8766
    .venv/bin/python bench/import_under_load.py --rows 50000 --port 8770

The real app (wastegrid.wsgi, gunicorn, 3 sync workers as `make serve`) on a SQLite file. Each of 4 clients
acts as the phone's recorder: every `--interval` seconds it adds `--batch` new records to its queue and posts
the whole queue (token auth); on 2xx the records leave the queue, on anything else they stay (503 answers
wait Retry-After). After each phase the clients flush their queues, so "stored" counts what a phone finally
got in. A probe connection takes and releases the write lock (BEGIN IMMEDIATE) every 50 ms: the longest it
waited is the longest time someone else held the lock.

Phases: a baseline of posts alone (`--baseline` seconds), then the same posts while the import runs (as the
import job does: whole file checked first, then written). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PY = sys.executable
BUILDING_ROOMS = 100


def setup_django(db_path: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wastegrid.settings")
    import django

    django.setup()


def prepare(db_path: Path, rows: int, csv_path: Path) -> dict[str, Any]:
    """A fresh demo database, buildings for `rows` new households in one residential area, the CSV, tokens."""
    for p in db_path.parent.glob(db_path.name + "*"):
        p.unlink()
    setup_django(db_path)
    from django.core.management import call_command

    from accounts.models import Role, User
    from grid.models import Building, Household
    from grid.services.demo import demo_generate
    from supervision.demo import supervision_demo_generate
    from wastegrid.tokens import token_create

    call_command("migrate", verbosity=0)
    sd = demo_generate(scale=1.0)
    supervision_demo_generate(sd=sd, days=0)
    secretary = User.objects.filter(role=Role.COMMUNITY_SECRETARY, node__isnull=False).order_by("id").first()
    assert secretary is not None and secretary.node is not None
    community = secretary.node
    assert community.subdistrict_id is not None
    n_buildings = -(-rows // BUILDING_ROOMS)
    Building.objects.bulk_create(
        [
            Building(
                subdistrict_id=community.subdistrict_id,
                community=community,
                name=f"压测楼{i:04d}",
                code=f"{community.code}-BX{i:04d}",
            )
            for i in range(n_buildings)
        ],
        batch_size=1000,
    )
    with csv_path.open("w", encoding="utf-8") as f:
        f.write("楼栋编码,室号,人口数,联系人,联系电话\n")
        for i in range(rows):
            b, room = divmod(i, BUILDING_ROOMS)
            f.write(
                f"{community.code}-BX{b:04d},{1 + room // 10}{room % 10:02d},{1 + i % 5},住户{i},1380000{i % 10000:04d}\n"
            )
    served = list(
        Household.objects.filter(drop_off_point__isnull=False).values_list("code", "drop_off_point__code")
    )
    admin = User.objects.get(username="zjx_admin")
    return {
        "secretary": secretary.pk,
        "community": community.pk,
        "served": served,
        "tokens": [token_create(user=admin, name=f"phone {i}") for i in range(4)],
    }


def run_import(db_path: Path, csv_path: Path, secretary_id: int, community_id: int) -> None:
    """Child process: the import job as the web app runs it, timing its write phase (the transaction)."""
    os.environ["WASTEGRID_JOBS_INLINE"] = "1"
    setup_django(db_path)
    from accounts.models import User
    from grid.models import GridNode, ImportKind
    from grid.services import importing

    write_seconds: list[float] = []
    # The write transaction's body: `_execute` (prepared INSERTs) or, in the code before issue 13, `write`.
    owner: Any = importing if hasattr(importing, "_execute") else importing._Importer
    name = "_execute" if owner is importing else "write"
    original = getattr(owner, name)

    def timed(*a: Any) -> Any:
        t = time.perf_counter()
        try:
            return original(*a)
        finally:
            write_seconds.append(time.perf_counter() - t)

    setattr(owner, name, timed)
    started = time.perf_counter()
    job = importing.import_job_create(
        kind=ImportKind.HOUSEHOLDS,
        filename=csv_path.name,
        data=csv_path.read_bytes(),
        actor=User.objects.get(pk=secretary_id),
        root=GridNode.objects.get(pk=community_id),
    )
    job.refresh_from_db()
    print(
        json.dumps(
            {
                "seconds": time.perf_counter() - started,
                "write_seconds": sum(write_seconds),
                "status": job.status,
                "created": job.created,
                "errors": job.errors[:3],
            }
        )
    )


class Phone(threading.Thread):
    """One recorder: adds records to its queue, posts the queue, keeps what was not accepted."""

    def __init__(self, port: int, token: str, served: list[tuple[str, str]], interval: float, batch: int):
        super().__init__(daemon=True)
        self.port, self.token, self.served = port, token, served
        self.interval, self.batch = interval, batch
        self.queue: list[dict[str, Any]] = []
        self.sent: set[str] = set()
        self.statuses: Counter[int] = Counter()
        self.latencies: list[float] = []
        self.stop = threading.Event()
        self.rng = random.Random(token)

    def new_records(self) -> None:
        now = datetime.datetime.now(datetime.UTC)
        for _ in range(self.batch):
            household, point = self.rng.choice(self.served)
            cid = str(uuid.UUID(int=self.rng.getrandbits(128)))
            self.sent.add(cid)
            self.queue.append(
                {
                    "client_id": cid,
                    "point": point,
                    "household": household,
                    "observed_at": (now - datetime.timedelta(seconds=self.rng.randrange(600))).isoformat(),
                    "category": self.rng.choice(("wet", "dry", "recyclable")),
                    "outcome": self.rng.choice(("correct", "correct", "mixed")),
                }
            )

    def post(self) -> float:
        """Post the queue (at most 500, as the recorder does); the seconds to wait before the next try."""
        batch = self.queue[:500]
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        t = time.perf_counter()
        try:
            conn.request(
                "POST",
                "/api/v1/supervision/observations",
                body=json.dumps(batch),
                headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
            )
            resp = conn.getresponse()
            resp.read()
            status, retry_after = resp.status, resp.getheader("Retry-After")
        except OSError:
            status, retry_after = 0, None
        finally:
            conn.close()
        self.latencies.append(time.perf_counter() - t)
        self.statuses[status] += 1
        if 200 <= status < 300:
            done = {r["client_id"] for r in batch}
            self.queue = [r for r in self.queue if r["client_id"] not in done]
            return 0.0
        return float(retry_after) if retry_after else 1.5

    def run(self) -> None:
        while not self.stop.is_set():
            self.new_records()
            wait = self.post()
            self.stop.wait(max(self.interval, wait))

    def flush(self) -> None:
        for _ in range(30):
            if not self.queue:
                return
            time.sleep(self.post())


class LockProbe(threading.Thread):
    """Takes and releases SQLite's write lock every 50 ms; the longest wait is the longest foreign hold."""

    def __init__(self, db_path: Path):
        super().__init__(daemon=True)
        self.db_path = db_path
        self.longest = 0.0
        self.stop = threading.Event()

    def run(self) -> None:
        conn = sqlite3.connect(self.db_path, timeout=300, isolation_level=None)
        while not self.stop.is_set():
            t = time.perf_counter()
            conn.execute("BEGIN IMMEDIATE")
            self.longest = max(self.longest, time.perf_counter() - t)
            conn.execute("ROLLBACK")
            self.stop.wait(0.05)
        conn.close()


def phase(
    name: str, args: argparse.Namespace, setup: dict[str, Any], db_path: Path, csv_path: Path | None
) -> dict[str, Any]:
    phones = [Phone(args.port, tok, setup["served"], args.interval, args.batch) for tok in setup["tokens"]]
    probe = LockProbe(db_path)
    probe.start()
    for p in phones:
        p.start()
    imported: dict[str, Any] = {}
    if csv_path is None:
        time.sleep(args.baseline)
    else:
        out = subprocess.run(
            [
                PY,
                __file__,
                "--_import",
                str(db_path),
                str(csv_path),
                str(setup["secretary"]),
                str(setup["community"]),
            ],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        if out.returncode:
            print(out.stderr[-3000:])
        imported = json.loads(out.stdout.strip().splitlines()[-1])
        time.sleep(3)
    for p in phones:
        p.stop.set()
    for p in phones:
        p.join()
    for p in phones:
        p.flush()
    probe.stop.set()
    probe.join()

    from supervision.models import Observation

    sent = set().union(*(p.sent for p in phones))
    stored = 0
    ids = [uuid.UUID(c) for c in sent]
    for i in range(0, len(ids), 900):
        stored += Observation.objects.filter(client_id__in=ids[i : i + 900]).count()
    statuses: Counter[int] = sum((p.statuses for p in phones), Counter())
    latencies = sorted(x for p in phones for x in p.latencies)
    return {
        "name": name,
        "posts": sum(statuses.values()),
        "ok": sum(v for k, v in statuses.items() if 200 <= k < 300),
        "503": statuses[503],
        "500": statuses[500],
        "other": {k: v for k, v in statuses.items() if not (200 <= k < 300 or k in (500, 503))},
        "sent": len(sent),
        "stored": stored,
        "p50": statistics.median(latencies) if latencies else 0.0,
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] if latencies else 0.0,
        "max": latencies[-1] if latencies else 0.0,
        "lock": probe.longest,
        "import": imported,
    }


def report(r: dict[str, Any]) -> None:
    print(
        f"{r['name']}: posts {r['posts']} — ok {r['ok']} / 503 {r['503']} / 500 {r['500']}"
        + (f" / other {r['other']}" if r["other"] else "")
        + f"; records stored {r['stored']:,} of {r['sent']:,} sent; post latency p50 {r['p50'] * 1000:.0f} ms, "
        f"p99 {r['p99'] * 1000:.0f} ms, max {r['max'] * 1000:.0f} ms; longest write-lock wait of the probe "
        f"{r['lock']:.2f} s"
    )
    if r["import"]:
        i = r["import"]
        print(
            f"  import: {i['created']:,} households, status {i['status']}, {i['seconds']:.1f} s in all, "
            f"write transaction {i['write_seconds']:.2f} s"
            + (f"; errors {i['errors']}" if i["errors"] else "")
        )


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--_import":
        run_import(Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=150_000, help="households in the imported CSV")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--db", default=str(ROOT / "var" / "lost_bench.sqlite3"))
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between a phone's posts")
    parser.add_argument("--batch", type=int, default=5, help="new records a phone adds per post")
    parser.add_argument("--baseline", type=float, default=20.0, help="seconds of posts without the import")
    args = parser.parse_args()
    db_path = Path(args.db)
    csv_path = db_path.with_suffix(".csv")
    t = time.perf_counter()
    setup = prepare(db_path, args.rows, csv_path)
    print(f"setup: demo + {args.rows:,}-row CSV in {time.perf_counter() - t:.0f} s")
    from django.db import connection

    connection.close()
    log = db_path.with_suffix(".server.log")
    print(f"server log (tracebacks of 500s): {log}")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db_path}", "WASTEGRID_DEBUG": "0"}
    server = subprocess.Popen(
        [
            str(Path(PY).parent / "gunicorn"),
            "wastegrid.wsgi",
            "-b",
            f"127.0.0.1:{args.port}",
            "-w",
            "3",
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stderr=log.open("w"),
    )
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", args.port, timeout=1).request("GET", "/")
                break
            except OSError:
                time.sleep(0.2)
        # Warm every worker (imports, first queries) so the baseline measures posts, not start-up.
        warm = Phone(args.port, setup["tokens"][0], setup["served"], 0, 1)
        for _ in range(6):
            warm.new_records()
            warm.post()
        report(phase("baseline (posts alone)", args, setup, db_path, None))
        report(phase(f"under a {args.rows:,}-row household import", args, setup, db_path, csv_path))
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
