"""How the platform grows with the number of bin-side records, on the database in DATABASE_URL (meant for
PostgreSQL; SQLite works with smaller sizes).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/scale/scale_bench.py \
        [--households 16000] [--records 1000000 3000000 10000000]

A synthetic city (`supervision.city`) is generated once; records are added day by day through the bulk path
until each size is reached. 16,000 households make ~32,000 records a day, so even the first size holds more
than the 30 days the dashboards and rollup rebuilds read: a flat figure means it does not grow with history. At each size it prints: ingest rows/s beside raw COPY of the same rows into a
plain table (same run), bytes per record, checking the rollups of the last 30 days against the records (a
reconcile that finds nothing to mend) and rebuilding them from nothing, beside a plain GROUP BY
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
    from supervision.ingest import rollups_reconcile
    from supervision.models import HouseholdDay, PointDay

    def group_by(keys: str) -> None:
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT {keys}, count(*), sum(CASE WHEN outcome = 'correct' THEN 1 ELSE 0 END) "
                "FROM supervision_observation WHERE subdistrict_id = %s AND day BETWEEN %s AND %s "
                f"GROUP BY {keys}",
                [sd.pk, start, end],
            )
            cur.fetchall()

    def rebuild() -> None:
        PointDay.objects.filter(subdistrict_id=sd.pk, day__gte=start, day__lte=end).delete()
        HouseholdDay.objects.filter(subdistrict_id=sd.pk, day__gte=start, day__lte=end).delete()
        rollups_reconcile(subdistrict=sd, start=start, end=end)

    month = Period.containing("month", end)
    return (
        timed(lambda: rollups_reconcile(subdistrict=sd, start=start, end=end), runs=1),
        timed(rebuild, runs=1),
        timed(lambda: group_by("point_id, day, category"), runs=1),
        timed(lambda: group_by("household_id, day"), runs=1),
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

    from bench.databases import RAW_TABLE_COLUMNS, copy_rows
    from lib.clock import local_today
    from supervision.city import city_grid_generate, record_days
    from supervision.ingest import bulk_load
    from supervision.models import Observation
    from supervision.partitions import partitions_ensure

    call_command("migrate", verbosity=0)
    t = time.perf_counter()
    sds = city_grid_generate(households=args.households)
    print(
        f"{engine}: city of {args.households:,} households in {len(sds)} sub-districts built in {time.perf_counter() - t:.0f} s"
    )
    per_day = 2 * args.households
    days_total = math.ceil(max(args.records) / per_day) + 5  # days are written four at a time
    today = local_today()
    start = today - datetime.timedelta(days=days_total)
    if connection.vendor == "postgresql":
        partitions_ensure(connection, start=start, end=today)
        with connection.cursor() as cur:
            cur.execute(f"CREATE TABLE raw_copy ({RAW_TABLE_COLUMNS})")
    sd = sds[0]
    results: list[dict[str, float]] = []
    loaded = copy_s = binary_s = 0.0
    # Records written and seconds taken, by how many connections wrote them (alternate spans of days).
    written = {1: 0, 2: 0}
    spent = {1: 0.0, 2: 0.0}
    copied = 0
    targets = sorted(args.records)
    days = record_days(sds, start=start, days=days_total)
    last_day = start
    span = 0
    for target in targets:
        while loaded < target:
            made = [next(days) for _ in range(4)]  # made before the clock starts: only writing is timed
            last_day = made[-1][0]
            workers = 1 + span % 2
            span += 1
            t = time.perf_counter()
            n = bulk_load(
                [rows[j : j + 50_000] for _day, rows in made for j in range(0, len(rows), 50_000)],
                workers=workers,
            )
            spent[workers] += time.perf_counter() - t
            written[workers] += n
            loaded += n
            rows = [r for _day, day_rows in made for r in day_rows]
            if connection.vendor == "postgresql" and copied < 200_000:  # the raw baseline, same rows
                with connection.cursor() as cur:
                    copy_s += copy_rows(cur, "raw_copy", rows, binary=False)
                    cur.execute("TRUNCATE raw_copy")
                    binary_s += copy_rows(cur, "raw_copy", rows, binary=True)
                    cur.execute("TRUNCATE raw_copy")
                    copied += len(rows)
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
        check, rebuild, raw_group, household_group, dash, assessment = measure(
            sd, window_start, window_end, today
        )
        row = {
            "records": n,
            "ingest": written[1] / spent[1],
            "ingest2": written[2] / spent[2] if spent[2] else float("nan"),
            "copy": copied / copy_s if copy_s else float("nan"),
            "binary": copied / binary_s if binary_s else float("nan"),
            "bytes": size / n if n else float("nan"),
            "rollup_bytes": rollup_size / n if n else float("nan"),
            "check": check,
            "rebuild": rebuild,
            "group_by": raw_group,
            "household_group_by": household_group,
            "dashboard": dash,
            "assessment": assessment,
        }
        results.append(row)
        print(
            f"\n  {n:>11,} records: ingest {row['ingest']:,.0f} rows/s on one connection, {row['ingest2']:,.0f} on two "
            f"(raw COPY {row['copy']:,.0f} text → {row['ingest'] / row['copy']:.2f}× / {row['ingest2'] / row['copy']:.2f}×; "
            f"{row['binary']:,.0f} binary → {row['ingest'] / row['binary']:.2f}× / {row['ingest2'] / row['binary']:.2f}×) · "
            f"{row['bytes']:.0f} bytes/record incl. indexes\n"
            f"  {'':>11}  rollups of 30 days checked against the records in {check:,.0f} ms, rebuilt from nothing in "
            f"{rebuild:,.0f} ms (plain GROUP BY over the raw days per household-day "
            f"{household_group:,.0f} ms, per point-day "
            f"{raw_group:,.0f} ms) · dashboard (30 days, one sub-district) {dash:,.0f} ms · "
            f"month's assessment {assessment:,.0f} ms",
            flush=True,
        )
    if len(results) >= 2:
        xs = [r["records"] for r in results]
        print("\n  growth with the number of records (time ∝ records^k):")
        for key in ("check", "rebuild", "group_by", "dashboard", "assessment", "bytes"):
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
            f"year per sub-district shard; ingest at the measured rate (two connections) takes {city / 365 / last['ingest2'] / 60:.0f} "
            "minutes of one machine a day"
        )


if __name__ == "__main__":
    main()
