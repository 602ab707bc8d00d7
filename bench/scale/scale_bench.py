"""How the platform grows with the number of bin-side records, on the database in DATABASE_URL (meant for
PostgreSQL; SQLite works with smaller sizes).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/scale/scale_bench.py \
        [--households 16000] [--records 1000000 3000000 10000000]

A synthetic city (`supervision.city`) is generated once; records are added day by day through the bulk path
until each size is reached. 16,000 households make ~32,000 records a day, so even the first size holds more
than the 30 days the dashboards and rollup rebuilds read: a flat figure means it does not grow with history. At each size it prints: ingest rows/s beside raw COPY of the same rows into a
plain table (same run), bytes per record, rebuilding the rollups of the last 30 days beside a plain GROUP BY
over the raw records of those days, the dashboard of one sub-district (30 days) and a month's assessment.
Then the fitted growth exponent of each figure (time ∝ records^k) and a sizing model. Asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime
import math
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))


def _db() -> str:
    from bench.databases import fresh_database

    return fresh_database("bench_scale")


def timed(fn: Any, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def slope(xs: list[float], ys: list[float]) -> float:
    """Least-squares exponent k in y = a·x^k."""
    lx = [math.log(x) for x in xs]
    ly = [math.log(max(y, 1e-9)) for y in ys]
    mx, my = statistics.mean(lx), statistics.mean(ly)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly, strict=True)) / sum((a - mx) ** 2 for a in lx)


def measure(sd: Any, start: datetime.date, end: datetime.date, today: datetime.date) -> tuple[float, ...]:
    from django.db import connection

    from assessment.scoring import assess
    from lib.periods import Period
    from reports.selectors import dashboard
    from supervision.ingest import rollups_rebuild

    def group_by() -> None:
        with connection.cursor() as cur:
            cur.execute(
                "SELECT point_id, day, category, count(*), sum(CASE WHEN outcome = 'correct' THEN 1 ELSE 0 END) "
                "FROM supervision_observation WHERE subdistrict_id = %s AND day BETWEEN %s AND %s "
                "GROUP BY point_id, day, category",
                [sd.pk, start, end],
            )
            cur.fetchall()

    month = Period.containing("month", end)
    return (
        timed(lambda: rollups_rebuild(subdistrict=sd, start=start, end=end), runs=1),
        timed(group_by, runs=1),
        timed(lambda: dashboard(sd, start, end, today=today)),
        timed(lambda: assess(sd, month, today=today)),
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=16_000)
    parser.add_argument("--records", type=int, nargs="+", default=[1_000_000, 3_000_000, 10_000_000])
    args = parser.parse_args()
    engine = _db()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wastegrid.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from supervision.city import city_grid_generate, record_days
    from supervision.ingest import bulk_write
    from supervision.models import Observation
    from supervision.partitions import partitions_ensure

    call_command("migrate", verbosity=0)
    t = time.perf_counter()
    sds = city_grid_generate(households=args.households)
    print(
        f"{engine}: city of {args.households:,} households in {len(sds)} sub-districts built in {time.perf_counter() - t:.0f} s"
    )
    per_day = 2 * args.households
    days_total = math.ceil(max(args.records) / per_day) + 1
    today = timezone.localdate()
    start = today - datetime.timedelta(days=days_total)
    if connection.vendor == "postgresql":
        partitions_ensure(connection, start=start, end=today)
        with connection.cursor() as cur:
            cur.execute(
                "CREATE TABLE raw_copy (client_id uuid, subdistrict_id bigint, community_id bigint, point_id bigint, "
                "household_id bigint, observed_at timestamptz, day date, category text, outcome text, mixed_with text)"
            )
    sd = sds[0]
    results: list[dict[str, float]] = []
    loaded = ingest_s = copy_s = 0.0
    copied = 0
    targets = sorted(args.records)
    days = record_days(sds, start=start, days=days_total)
    last_day = start
    for target in targets:
        while loaded < target:
            day, rows = next(days)
            last_day = day
            t = time.perf_counter()
            for j in range(0, len(rows), 50_000):
                loaded += bulk_write(rows[j : j + 50_000])
            ingest_s += time.perf_counter() - t
            if connection.vendor == "postgresql" and copied < 200_000:  # the raw baseline, same rows
                with connection.cursor() as cur:
                    t = time.perf_counter()
                    with cur.copy("COPY raw_copy FROM STDIN") as copy:
                        for r in rows:
                            copy.write_row(
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
                            )
                    copy_s += time.perf_counter() - t
                    copied += len(rows)
                    cur.execute("TRUNCATE raw_copy")
        window_end = last_day
        window_start = window_end - datetime.timedelta(days=29)
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("ANALYZE")
                cur.execute(
                    "SELECT COALESCE(sum(pg_total_relation_size(relid)), 0) FROM pg_partition_tree('supervision_observation')"
                )
                size = float(cur.fetchone()[0])
                cur.execute(
                    "SELECT pg_total_relation_size('supervision_pointday') + pg_total_relation_size('supervision_householdday')"
                )
                rollup_size = float(cur.fetchone()[0])
        else:
            size = rollup_size = float("nan")
        n = Observation.objects.count()
        rebuild, raw_group, dash, assessment = measure(sd, window_start, window_end, today)
        row = {
            "records": n,
            "ingest": loaded / ingest_s,
            "copy": copied / copy_s if copy_s else float("nan"),
            "bytes": size / n if n else float("nan"),
            "rollup_bytes": rollup_size / n if n else float("nan"),
            "rebuild": rebuild,
            "group_by": raw_group,
            "dashboard": dash,
            "assessment": assessment,
        }
        results.append(row)
        print(
            f"\n  {n:>11,} records: ingest {row['ingest']:,.0f} rows/s (raw COPY {row['copy']:,.0f} → "
            f"{row['ingest'] / row['copy']:.2f}×) · {row['bytes']:.0f} bytes/record incl. indexes\n"
            f"  {'':>11}  rollups of 30 days rebuilt in {rebuild:,.0f} ms (plain GROUP BY over the raw days: "
            f"{raw_group:,.0f} ms) · dashboard (30 days, one sub-district) {dash:,.0f} ms · "
            f"month's assessment {assessment:,.0f} ms",
            flush=True,
        )
    if len(results) >= 2:
        xs = [r["records"] for r in results]
        print("\n  growth with the number of records (time ∝ records^k):")
        for key in ("rebuild", "group_by", "dashboard", "assessment", "bytes"):
            print(f"    {key:<11} k = {slope(xs, [r[key] for r in results]):+.2f}")
        first, last = results[0], results[-1]
        print(
            f"    dashboard at {last['records']:,} / at {first['records']:,}: {last['dashboard'] / first['dashboard']:.2f}×"
        )
        bpr, rpr = last["bytes"], last["rollup_bytes"]
        city = 9_000_000 * 2 * 365
        print(
            f"\n  sizing: a city of 9 million households makes ~{9_000_000 * 2:,} records a day, {city:,} a year; "
            f"at {bpr:.0f} bytes each (+{rpr:.0f} of rollups per record) that is {city * bpr / 1e12:.2f} TB of raw "
            f"records and {city * rpr / 1e12:.2f} TB of rollups a year, ~{city * (bpr + rpr) / 1e9 / 214:.0f} GB a "
            f"year per sub-district shard; ingest at the measured rate takes {city / 365 / last['ingest'] / 60:.0f} "
            "minutes of one machine a day"
        )


if __name__ == "__main__":
    main()
