"""Ingest throughput of bin-side records and rollup time, each beside its baseline from the same run.

    .venv/bin/python bench/supervision_bench.py                       # SQLite (temp file)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/supervision_bench.py

Paths measured, with 10% duplicates mixed into every batch:
- the API (`POST /api/v1/supervision/observations`, token auth, gunicorn 2 workers) in batches of 100 and 1,000,
  beside a bare Django JSON view's requests/s in the same server;
- the bulk path (`supervision.ingest.bulk_write`: binary COPY → INSERT … ON CONFLICT on PostgreSQL), one batch
  on one connection and batches of 50,000 on two (`bulk_load`), beside raw `executemany` and raw `COPY` (text
  and binary) of the same rows into a plain table;
- the implausible-record flags' share of an API batch of 1,000 (`plausibility.flags_for`, read-only);
- a year of the demo sub-district's records loaded, then its rollups checked against the records
  (`rollups_reconcile` with nothing to mend) and rebuilt from nothing, beside a plain GROUP BY (--year-days).
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PY = sys.executable


def fresh_db(tmp: str) -> str:
    base = os.environ.get("DATABASE_URL", "")
    if base.startswith("postgres"):
        import psycopg

        # Named after the given database, so benches of several checkouts on one server do not drop each other's.
        name = base.rsplit("/", 1)[1] + "_bench_supervision"
        with psycopg.connect(base.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name}")
            conn.execute(f"CREATE DATABASE {name}")
        return base.rsplit("/", 1)[0] + "/" + name
    return f"sqlite:///{tmp}/supervision.sqlite3"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=200_000, help="records for the bulk path")
    parser.add_argument("--api-records", type=int, default=60_000)
    parser.add_argument("--year-days", type=int, default=365, help="days of records for the rollup figure")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp()
    db = fresh_db(tmp)
    os.environ["DATABASE_URL"] = db
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wastegrid.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from accounts.models import User
    from bench.databases import RAW_TABLE_COLUMNS, copy_rows
    from grid.models import Household
    from grid.services.demo import demo_generate
    from lib.clock import SHANGHAI, local_day
    from supervision.demo import supervision_demo_generate
    from supervision.ingest import Row, bulk_load, bulk_write, rollups_reconcile
    from supervision.models import DropOffPoint, HouseholdDay, Observation, PointDay
    from supervision.plausibility import flags_for
    from wastegrid.tokens import token_create

    call_command("migrate", verbosity=0)
    sd = demo_generate(scale=1.0)
    supervision_demo_generate(sd=sd, days=0)
    print(
        f"database: {connection.vendor}; demo sub-district with {Household.objects.count()} households, "
        f"{DropOffPoint.objects.count()} points"
    )
    served = list(
        Household.objects.filter(drop_off_point__isnull=False).values_list(
            "code", "drop_off_point__code", "id", "community_id", "drop_off_point_id"
        )
    )
    rng = random.Random(1)
    now = datetime.datetime.now(tz=SHANGHAI)

    def api_records(n: int) -> list[dict[str, object]]:
        out = []
        for _ in range(n):
            code, point, *_ = rng.choice(served)
            out.append(
                {
                    "client_id": str(uuid.UUID(int=rng.getrandbits(128))),
                    "point": point,
                    "household": code,
                    "observed_at": (
                        now - datetime.timedelta(minutes=rng.randrange(60 * 24 * 20))
                    ).isoformat(),
                    "category": rng.choice(("wet", "dry", "recyclable")),
                    "outcome": "correct",
                    "mixed_with": [],
                }
            )
        return out

    def with_duplicates(
        batch: list[dict[str, object]], previous: list[dict[str, object]]
    ) -> list[dict[str, object]]:
        if not previous:
            return batch
        k = len(batch) // 10
        return batch[: len(batch) - k] + rng.sample(previous, k)

    admin = User.objects.get(username="zjx_admin")
    token = token_create(user=admin, name="bench")
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings_bare"}
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
        conn = http.client.HTTPConnection("127.0.0.1", port)
        t = time.perf_counter()
        n = 0
        while time.perf_counter() - t < 5:
            conn.request("GET", "/bare/")
            conn.getresponse().read()
            n += 1
        bare = n / (time.perf_counter() - t)
        print(f"baseline: bare Django JSON view {bare:.0f} req/s (one client, keep-alive)")
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        api_rates: dict[int, float] = {}
        for size in (100, 1000):
            previous: list[dict[str, object]] = []
            created = duplicate = 0
            bodies = []
            for _ in range(args.api_records // size):
                batch = with_duplicates(api_records(size), previous)
                previous = batch
                bodies.append(json.dumps(batch))
            counts = [0, 0]

            def client(part: list[str], counts: list[int] = counts) -> None:
                c = http.client.HTTPConnection("127.0.0.1", port)
                for body in part:
                    c.request("POST", "/api/v1/supervision/observations", body, headers)
                    answer = json.loads(c.getresponse().read())
                    counts[0] += answer["created"]
                    counts[1] += answer["duplicate"]
                c.close()

            threads = [threading.Thread(target=client, args=(bodies[i::2],)) for i in range(2)]
            t = time.perf_counter()
            for th in threads:
                th.start()
            for th in threads:
                th.join()
            seconds = time.perf_counter() - t
            created, duplicate = counts
            total = created + duplicate
            api_rates[size] = total / seconds
            print(
                f"API, batches of {size} (2 clients): {total / seconds:,.0f} records/s ({len(bodies) / seconds:.1f} requests/s; "
                f"{created} created, {duplicate} duplicates)"
            )
        conn.close()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)

    # Bulk path and raw baselines on the same rows.
    def rows(n: int, day_span: int = 20, end: datetime.datetime | None = None) -> list[Row]:
        """n correct drop-offs at random points and moments of the day_span days before `end` (now)."""
        out = []
        for _ in range(n):
            _code, _point, hid, community_id, point_id = rng.choice(served)
            at = (end or now) - datetime.timedelta(minutes=rng.randrange(60 * 24 * day_span))
            out.append(
                Row(
                    uuid.UUID(int=rng.getrandbits(128)),
                    sd.pk,
                    community_id,
                    point_id,
                    hid,
                    at,
                    local_day(at),
                    rng.choice(("wet", "dry")),
                    "correct",
                    "",
                )
            )
        return out

    def with_copies(fresh: list[Row]) -> list[Row]:
        return fresh[: len(fresh) - len(fresh) // 10] + rng.sample(fresh, len(fresh) // 10)  # 10% duplicates

    batch = with_copies(rows(args.records))
    t = time.perf_counter()
    created = bulk_write(batch)
    bulk = len(batch) / (time.perf_counter() - t)
    print(
        f"bulk path, one batch on one connection: {bulk:,.0f} records/s ({created} created of {len(batch)})"
    )
    # What the implausible-record flags (supervision.plausibility.flags_for: windows, holidays, day totals)
    # add to an API batch of 1,000: read-only here, beside the time one such request took above.
    sample = batch[:1000]
    t = time.perf_counter()
    for _ in range(5):
        flagged = flags_for(sample)
    flags_ms = (time.perf_counter() - t) / 5 * 1000
    request_ms = 2 * 1000 / api_rates[1000] * 1000  # two clients shared the server
    print(
        f"plausibility flags for a batch of 1,000: {flags_ms:.1f} ms ({len(flagged)} flags) beside "
        f"{request_ms:.0f} ms for one API request of 1,000 → {flags_ms / request_ms:.1%} of it"
    )
    parts = [with_copies(rows(50_000)) for _ in range(max(2, args.records // 50_000))]
    t = time.perf_counter()
    created = bulk_load(parts, workers=2)
    bulk2 = sum(len(p) for p in parts) / (time.perf_counter() - t)
    print(
        f"bulk path, {len(parts)} batches of 50,000 on two connections: {bulk2:,.0f} records/s "
        f"({created} created of {sum(len(p) for p in parts)})"
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(f"CREATE TABLE raw_obs ({RAW_TABLE_COLUMNS})")
            values = [
                (
                    r.client_id,
                    r.subdistrict_id,
                    r.community_id,
                    r.point_id,
                    r.household_id,
                    r.observed_at,
                    r.day,
                    r.category,
                    r.outcome,
                    r.mixed_with,
                )
                for r in batch
            ]
            t = time.perf_counter()
            cur.executemany("INSERT INTO raw_obs VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)", values)
            execmany = len(values) / (time.perf_counter() - t)
            cur.execute("TRUNCATE raw_obs")
            copy_rate = len(values) / copy_rows(cur, "raw_obs", values, binary=False)
            cur.execute("TRUNCATE raw_obs")
            binary_rate = len(values) / copy_rows(cur, "raw_obs", values, binary=True)
            cur.execute("DROP TABLE raw_obs")
        print(
            f"baselines: raw executemany {execmany:,.0f} rows/s, raw COPY {copy_rate:,.0f} rows/s (text) and "
            f"{binary_rate:,.0f} rows/s (binary) → bulk path {bulk / copy_rate:.2f}× text COPY, "
            f"{bulk / binary_rate:.2f}× binary COPY; on two connections {bulk2 / copy_rate:.2f}× text, "
            f"{bulk2 / binary_rate:.2f}× binary (target ≥ 0.2×, ≥ 200,000/s); "
            f"API batches of 1,000 {api_rates[1000] / execmany:.2f}× executemany (target ≥ 0.2×, ≥ 20,000/s)"
        )

        # A year of the demo: ~27,000 households × 2 drop-offs a day.
        year = rows(0)
        per_day = 2 * Household.objects.count()
        t = time.perf_counter()

        def year_days() -> Iterator[list[Row]]:
            for d in range(args.year_days):
                yield rows(per_day, day_span=1, end=now - datetime.timedelta(days=d))

        loaded = bulk_load(
            year_days(), workers=2
        )  # each day one transaction; days made while others are written
        load_s = time.perf_counter() - t
        first = (now - datetime.timedelta(days=args.year_days + 1)).date()
        t = time.perf_counter()
        checked = rollups_reconcile(subdistrict=sd, start=first, end=now.date())
        check = time.perf_counter() - t
        PointDay.objects.filter(subdistrict_id=sd.pk).delete()
        HouseholdDay.objects.filter(subdistrict_id=sd.pk).delete()
        t = time.perf_counter()
        rebuilt = rollups_reconcile(subdistrict=sd, start=first, end=now.date())
        rebuild = time.perf_counter() - t
        with connection.cursor() as cur:
            t = time.perf_counter()
            cur.execute(
                "SELECT point_id, day, category, COUNT(*) FROM supervision_observation GROUP BY 1, 2, 3"
            )
            groups = len(cur.fetchall())
            group_by = time.perf_counter() - t
        print(
            f"a year of the demo: {loaded:,} records loaded in {load_s:.0f} s ({loaded / load_s:,.0f}/s incl. incremental rollups, a day per batch, two connections); "
            f"rollups checked against the raw records in {check:.1f} s ({checked.total} rows to mend) and rebuilt "
            f"from nothing in {rebuild:.1f} s ({rebuilt.added:,} rows) beside a plain GROUP BY of the raw table "
            f"{group_by:.1f} s ({groups:,} groups); "
            f"{Observation.objects.count():,} rows, {PointDay.objects.count():,} point-day rows"
        )
        del year


if __name__ == "__main__":
    main()
