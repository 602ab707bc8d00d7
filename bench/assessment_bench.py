"""A year's assessment, the dashboards and the reports of the demo sub-district, on the database in DATABASE_URL.

    .venv/bin/python bench/assessment_bench.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/assessment_bench.py

Builds the demo grid, then a year (365 days to yesterday) of what the assessment reads: per-point daily
rollups as ingest leaves them (~27,000 households × 2 drop-offs a day), every opening window with its sign-ups,
a purity check per bin per staffed window, daily weighings and monthly inspections. Raw bin-side records are
not generated (the assessment and dashboards never read them; issue 4's bench covers writing a year of them).
Prints figures beside a plain GROUP BY over the same rollup; asserts nothing.
"""

from __future__ import annotations

import datetime
import os
import random
import statistics
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REUSE = ROOT / "var" / "bench_assessment.sqlite3"  # `--reuse` skips building it again (SQLite only)
sys.path.insert(0, str(ROOT))


def _db() -> str:
    from bench.databases import fresh_database

    if (
        "--reuse" in sys.argv
        and REUSE.exists()
        and not os.environ.get("DATABASE_URL", "").startswith("postgres")
    ):
        os.environ["DATABASE_URL"] = f"sqlite:///{REUSE}"
        return "SQLite (reused)"
    return fresh_database("bench_assessment")


def timed(fn: Any, runs: int = 5) -> tuple[float, float]:
    """(first run, median of the rest) in ms."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return times[0], statistics.median(times[1:])


def main() -> None:
    engine = _db()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wastegrid.settings")
    os.environ["WASTEGRID_JOBS_INLINE"] = "1"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from assessment.models import InspectionScore
    from grid.models import GridNode, Household, Level, Person
    from grid.services.demo import demo_generate
    from lib.clock import local_today
    from supervision.demo import supervision_demo_generate
    from supervision.models import (
        DropOffPoint,
        PointDay,
        PurityCheck,
        Shift,
        ShiftSignup,
    )
    from supervision.services import shifts_generate
    from tonnage.models import TonnageRecord

    call_command("migrate", verbosity=0)
    if engine.endswith("(reused)"):
        measure(GridNode.objects.get(level=Level.SUBDISTRICT), engine)
        return
    started = time.perf_counter()
    sd = demo_generate(scale=1.0)
    supervision_demo_generate(sd=sd, days=0)
    today = local_today()
    first = today - datetime.timedelta(days=365)
    points = list(DropOffPoint.objects.filter(subdistrict=sd).prefetch_related("bins"))
    served = {
        p: n
        for p, n in Household.objects.filter(subdistrict=sd)
        .values_list("drop_off_point_id")
        .annotate(n=django.db.models.Count("id"))
        .order_by()
    }
    rng = random.Random(2019)
    care = {p.pk: rng.uniform(0.75, 0.98) for p in points}
    shares = {"wet": 0.45, "dry": 0.40, "recyclable": 0.13, "hazardous": 0.02}
    days = [first + datetime.timedelta(days=d) for d in range(365)]
    rollups = []
    for day in days:
        progress = (day - first).days / 365
        for p in points:
            drops = int(served.get(p.pk, 0) * 2 * rng.uniform(0.6, 0.8))
            good = min(0.99, care[p.pk] * (0.9 + 0.1 * progress))
            for category, share in shares.items():
                total = int(drops * share)
                correct = int(total * good)
                rollups.append(
                    PointDay(
                        subdistrict_id=sd.pk,
                        community_id=p.community_id,
                        point=p,
                        day=day,
                        category=category,
                        total=total,
                        correct=correct,
                        mixed=total - correct,
                    )
                )
    PointDay.objects.bulk_create(rollups, batch_size=5000)
    shifts_generate(points=points, start=first, days=365)
    volunteers = list(Person.objects.filter(subdistrict=sd).values_list("pk", flat=True)[:2000])
    signups, checks = [], []
    for shift in Shift.objects.filter(point__subdistrict=sd, day__lt=today).select_related("point"):
        if rng.random() > care[shift.point_id] + 0.05:
            continue
        signups.append(
            ShiftSignup(subdistrict_id=sd.pk, shift=shift, person_id=rng.choice(volunteers), minutes=120)
        )
        for category in shares:
            roll = rng.random()
            q = care[shift.point_id]
            level = "clean" if roll < q - 0.05 else ("slight" if roll < q + 0.08 else "serious")
            checks.append(
                PurityCheck(
                    client_id=uuid.UUID(int=rng.getrandbits(128)),
                    subdistrict_id=sd.pk,
                    point_id=shift.point_id,
                    shift=shift,
                    category=category,
                    level=level,
                    checked_at=timezone.now(),
                    day=shift.day,
                )
            )
    ShiftSignup.objects.bulk_create(signups, batch_size=5000)
    PurityCheck.objects.bulk_create(checks, batch_size=5000)
    communities = list(GridNode.objects.filter(subdistrict=sd, level=Level.COMMUNITY))
    weighings = [
        TonnageRecord(
            subdistrict=sd,
            community=c,
            day=day,
            category=category,
            kg=Decimal(round(rng.uniform(200, 2000), 1)),
            source="api",
            ref=f"{c.code}-{day}-{category}",
        )
        for c in communities
        for day in days
        for category in shares
    ]
    TonnageRecord.objects.bulk_create(weighings, batch_size=5000)
    inspections = [
        InspectionScore(
            subdistrict=sd,
            community=c,
            indicator_code=code,
            day=day,
            score=Decimal(rng.randrange(70, 100)),
            inspector="bench",
            client_id=uuid.uuid4(),
        )
        for c in communities
        for day in days[::30]
        for code in ("facilities", "publicity")
    ]
    InspectionScore.objects.bulk_create(inspections)
    print(
        f"{engine}: a year of inputs for {len(points)} points, {len(communities)} residential areas "
        f"built in {time.perf_counter() - started:.0f} s"
    )
    print(
        f"  rollup rows {len(rollups):,} · windows {Shift.objects.count():,} · sign-ups {len(signups):,} · "
        f"purity checks {len(checks):,} · weighings {len(weighings):,} · inspections {len(inspections):,}"
    )
    if engine == "PostgreSQL":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    measure(sd, engine)


def measure(sd: Any, engine: str) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import Role, User
    from assessment.scoring import assess
    from grid.models import GridNode, Level
    from lib.clock import local_today
    from lib.periods import Period
    from reports.models import ReportJob
    from reports.services import report_job_run

    today = local_today()
    first = today - datetime.timedelta(days=365)
    communities = list(GridNode.objects.filter(subdistrict=sd, level=Level.COMMUNITY).order_by("code"))

    year = Period("year", first, today - datetime.timedelta(days=1))
    with CaptureQueriesContext(connection) as queries:
        assess(sd, year, today=today)
    cold, warm = timed(lambda: assess(sd, year, today=today))
    month = Period.containing("month", today - datetime.timedelta(days=1))
    _m_cold, m_warm = timed(lambda: assess(sd, month, today=today))

    def group_by() -> None:
        with connection.cursor() as cur:
            cur.execute(
                "SELECT community_id, SUM(total), SUM(correct) FROM supervision_pointday "
                "WHERE subdistrict_id = %s AND day BETWEEN %s AND %s GROUP BY community_id",
                [sd.pk, year.start, year.end],
            )
            cur.fetchall()

    _g_cold, g_warm = timed(group_by)
    print(
        f"\n  year's assessment (18 areas × 6 indicators): first {cold:.0f} ms, then {warm:.0f} ms median, "
        f"{len(queries)} queries"
    )
    print(f"  month's assessment: {m_warm:.0f} ms")
    print(
        f"  baseline: plain GROUP BY over a year of rollups (one indicator's input): {g_warm:.1f} ms "
        f"→ assessment = {warm / g_warm:.1f}× that"
    )

    admin = User.objects.filter(role=Role.SUBDISTRICT_ADMIN, node=sd).first()
    if admin is None:
        admin = User.objects.create(username="bench_admin", role=Role.SUBDISTRICT_ADMIN, node=sd)
    client = Client()
    client.force_login(admin)
    area = GridNode.objects.filter(subdistrict=sd, level=Level.AREA).order_by("code").first()
    community = communities[0]
    print("\n  dashboard server time (median of 10 after one warm-up; target < 200 ms):")
    for node, days_ in ((sd, 30), (sd, 365), (area, 30), (community, 30), (community, 365)):
        assert node is not None
        url = f"/reports/dashboard/{node.code}/?days={days_}"

        def get(url: str = url) -> None:
            assert client.get(url).status_code == 200

        with CaptureQueriesContext(connection) as page_queries:
            get()
        _c, median = timed(get, runs=11)
        print(
            f"    {node.get_level_display():<8} {days_:>3} days: {median:6.0f} ms, {len(page_queries)} queries"
        )

    for period in (month, Period.containing("year", today - datetime.timedelta(days=1))):
        job = ReportJob.objects.create(public_id=uuid.uuid4(), node=sd, period=period.key, steps=4)
        started = time.perf_counter()
        job = report_job_run(job_id=job.pk)
        print(
            f"\n  report {period.key}: {job.status} in {(time.perf_counter() - started):.2f} s "
            f"(xlsx {job.xlsx.size // 1024} KB, PDF {job.pdf.size // 1024} KB)"
        )


if __name__ == "__main__":
    main()
