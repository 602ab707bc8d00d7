"""Crediting a day of the demo sub-district's correct drop-offs (≥ 40,000), on the database in DATABASE_URL.

    .venv/bin/python bench/points_bench.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/points_bench.py

Prints figures; asserts nothing.
"""

from __future__ import annotations

import datetime
import os
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    base = os.environ.get("DATABASE_URL", "")
    if base.startswith("postgres"):
        import psycopg

        with psycopg.connect(base.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS bench_points")
            conn.execute("CREATE DATABASE bench_points")
        os.environ["DATABASE_URL"] = base.rsplit("/", 1)[0] + "/bench_points"
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/points.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wastegrid.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from grid.models import Household
    from grid.services.demo import demo_generate
    from lib.clock import SHANGHAI
    from points.models import LedgerEntry, PointsAccount
    from points.services import points_credit_day
    from supervision.demo import supervision_demo_generate
    from supervision.ingest import Row, write_rows

    call_command("migrate", verbosity=0)
    sd = demo_generate(scale=1.0)
    supervision_demo_generate(sd=sd, days=0)
    served = list(
        Household.objects.filter(drop_off_point__isnull=False).values_list(
            "id", "community_id", "drop_off_point_id"
        )
    )
    rng = random.Random(3)
    day = datetime.datetime.now(tz=SHANGHAI).date() - datetime.timedelta(days=1)
    rows = []
    for hid, community_id, point_id in served:  # two drop-offs a household, 85% of them correct
        for slot in (7, 19):
            at = datetime.datetime.combine(day, datetime.time(slot, rng.randrange(60)), tzinfo=SHANGHAI)
            rows.append(
                Row(
                    uuid.UUID(int=rng.getrandbits(128)),
                    sd.pk,
                    community_id,
                    point_id,
                    hid,
                    at,
                    day,
                    "wet",
                    "correct" if rng.random() < 0.85 else "mixed",
                    "",
                )
            )
    write_rows(rows, recorded_by=None)
    correct = sum(r.outcome == "correct" for r in rows)
    started = time.perf_counter()
    credited = points_credit_day(subdistrict=sd, day=day)
    first = time.perf_counter() - started
    started = time.perf_counter()
    again = points_credit_day(subdistrict=sd, day=day)
    rerun = time.perf_counter() - started
    total = LedgerEntry.objects.count()
    balance = sum(PointsAccount.objects.values_list("balance", flat=True))
    print(
        f"{connection.vendor}: credited {credited:,} of {correct:,} correct drop-offs ({len(rows):,} records) in {first:.2f} s "
        f"({correct / first:,.0f} drop-offs/s); re-run {rerun:.2f} s booking {again}; {total:,} ledger entries, "
        f"{balance:,} points in {PointsAccount.objects.count():,} accounts"
    )


if __name__ == "__main__":
    main()
