"""What PostgreSQL itself can insert on this machine, with no client work: the ceiling for any bulk path.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/ingest_ceiling.py [--days 10]

The rows (a day is ~32,000 records of 16,000 households, as in the scale bench) are first loaded into an
unlogged staging table; then each target is filled from it day by day with `INSERT … SELECT` inside the
server, so only the server's work is timed:

1. a plain table, no key, no index (what raw COPY measures, minus the client);
2. the records table's shape: partitioned by month, primary key (sub-district, day, client id), nothing else;
3. the same with `ON CONFLICT DO NOTHING` (what makes a retry harmless);
4. the real `supervision_observation` (its key, the index of mistakes, ON CONFLICT) — the bulk path's
   statement without the rollups.

Prints rows/s for each. Asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

COLUMNS = (
    "client_id, subdistrict_id, community_id, point_id, household_id, observed_at, day, category, outcome, "
    "mixed_with"
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=10)
    args = parser.parse_args()
    from bench.databases import RAW_TABLE_COLUMNS, fresh_database

    if fresh_database("bench_ceiling") != "PostgreSQL":
        sys.exit("PostgreSQL only: set DATABASE_URL")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wastegrid.settings")
    import django

    django.setup()
    import random

    from django.core.management import call_command
    from django.db import connection

    from supervision.ingest import COPY_TYPES
    from supervision.partitions import partitions_ensure

    call_command("migrate", verbosity=0)
    rng = random.Random(2019)
    first = datetime.date.today() - datetime.timedelta(days=args.days + 1)
    partitions_ensure(connection, start=first, end=first + datetime.timedelta(days=args.days))
    with connection.cursor() as cur:
        cur.execute(f"CREATE UNLOGGED TABLE src ({RAW_TABLE_COLUMNS})")
        with cur.copy(f"COPY src ({COLUMNS}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(COPY_TYPES)
            for d in range(args.days):
                day = first + datetime.timedelta(days=d)
                at = datetime.datetime.combine(day, datetime.time(7, 30), tzinfo=datetime.UTC)
                for h in range(16_000):
                    for _ in range(2):
                        outcome = "correct" if rng.random() < 0.85 else "mixed"
                        copy.write_row(
                            (
                                uuid.UUID(int=rng.getrandbits(128)),
                                1,
                                h // 900,
                                h // 400,
                                h,
                                at,
                                day,
                                "wet",
                                outcome,
                                "",
                            )
                        )
        cur.execute("ANALYZE src")
        cur.execute("SELECT count(*) FROM src")
        total = cur.fetchone()[0]
        cur.execute(f"CREATE TABLE plain ({RAW_TABLE_COLUMNS})")
        cur.execute(f"CREATE TABLE keyed ({RAW_TABLE_COLUMNS}) PARTITION BY RANGE (day)")
        month = first.replace(day=1)
        while month <= first + datetime.timedelta(days=args.days):
            following = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
            cur.execute(
                f"CREATE TABLE keyed_{month:%Y_%m} PARTITION OF keyed FOR VALUES FROM (%s) TO (%s)",
                [month, following],
            )
            month = following
        cur.execute("ALTER TABLE keyed ADD PRIMARY KEY (subdistrict_id, day, client_id)")
        cur.execute("CHECKPOINT")

    targets = {
        "plain table, no key": "INSERT INTO plain SELECT * FROM src WHERE day = %s",
        "partitioned, primary key only": "INSERT INTO keyed SELECT * FROM src WHERE day = %s ORDER BY client_id",
        "… and ON CONFLICT DO NOTHING": (
            "INSERT INTO keyed SELECT * FROM src WHERE day = %s ORDER BY client_id ON CONFLICT DO NOTHING"
        ),
        "supervision_observation (key + index of mistakes + ON CONFLICT)": (
            f"INSERT INTO supervision_observation ({COLUMNS}, received_at) SELECT {COLUMNS}, now() FROM src "
            "WHERE day = %s ORDER BY client_id ON CONFLICT DO NOTHING"
        ),
    }
    print(f"PostgreSQL, {total:,} records ({args.days} days of 16,000 households), server-side inserts only:")
    for name, sql in targets.items():
        with connection.cursor() as cur:
            if name.startswith("…"):
                cur.execute("TRUNCATE keyed")
            cur.execute("CHECKPOINT")  # each target starts from the same state of the write-ahead log
        seconds = 0.0
        for d in range(args.days):
            with connection.cursor() as cur:
                cur.execute("SET work_mem = '64MB'")
                start = time.perf_counter()
                cur.execute(sql, [first + datetime.timedelta(days=d)])
                seconds += time.perf_counter() - start
        print(f"  {name:<66} {total / seconds:>10,.0f} rows/s")


if __name__ == "__main__":
    main()
