"""A year's assessment for a city of 1 million households (target < 60 s), on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/scale/assessment_city.py \
        [--households 1000000]

Builds the city's grid with `supervision.city.city_grid_generate` (sub-districts of ~27,000 households, points
and windows), then a year of what the assessment reads, written set-based in SQL (per-point daily rollups for
~2 drop-offs per household a day, every opening window with a sign-up for ~92 % of them, a purity check per
bin per staffed window, daily weighings per residential area, monthly inspections). Raw records are not made:
the assessment never reads them. Times the assessment of the whole city, of one sub-district, and a plain
GROUP BY over the year's rollups as the baseline. Asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

SQL = {
    "pointday": """
        INSERT INTO supervision_pointday
            (subdistrict_id, community_id, point_id, day, category, total, correct, mixed, bag_not_broken,
             corrected, refused, anonymous)
        SELECT p.subdistrict_id, p.community_id, p.id, d::date, c.category,
               n.total, (n.total * (0.75 + 0.2 * random()))::int, 0, 0, 0, 0, 0
        FROM supervision_dropoffpoint p
        JOIN (SELECT drop_off_point_id AS point_id, count(*) AS households FROM grid_household
              WHERE drop_off_point_id IS NOT NULL GROUP BY 1) h ON h.point_id = p.id
        CROSS JOIN generate_series(%(start)s::date, %(end)s::date, interval '1 day') d
        CROSS JOIN (VALUES ('wet', 0.45), ('dry', 0.40), ('recyclable', 0.13), ('hazardous', 0.02)) c(category, share)
        CROSS JOIN LATERAL (SELECT GREATEST(1, (h.households * 2 * c.share)::int) AS total) n
        ON CONFLICT DO NOTHING
    """,
    "pointday_fix": "UPDATE supervision_pointday SET mixed = total - correct",
    "shifts": """
        INSERT INTO supervision_shift (subdistrict_id, point_id, day, start, "end", needed)
        SELECT p.subdistrict_id, p.id, d::date, w.start, w."end", 1
        FROM supervision_dropoffpoint p
        JOIN supervision_openingwindow w ON w.point_id = p.id AND NOT w.holiday
        CROSS JOIN generate_series(%(start)s::date, %(end)s::date, interval '1 day') d
        WHERE w.weekday = extract(isodow FROM d)::int - 1
        ON CONFLICT DO NOTHING
    """,
    "signups": """
        INSERT INTO supervision_shiftsignup (subdistrict_id, shift_id, person_id, status, minutes)
        SELECT s.subdistrict_id, s.id, p.id, 'signed_up', 120
        FROM supervision_shift s
        JOIN (SELECT DISTINCT ON (subdistrict_id) subdistrict_id, id FROM grid_person ORDER BY subdistrict_id, id) p
          ON p.subdistrict_id = s.subdistrict_id
        WHERE random() < 0.92 AND s.day <= %(end)s
        ON CONFLICT DO NOTHING
    """,
    "purity": """
        INSERT INTO supervision_puritycheck (client_id, subdistrict_id, point_id, shift_id, category, level, checked_at, day, notes)
        SELECT gen_random_uuid(), s.subdistrict_id, s.point_id, s.id, b.category,
               CASE WHEN r < 0.85 THEN 'clean' WHEN r < 0.97 THEN 'slight' ELSE 'serious' END,
               s.day + s."end", s.day, ''
        FROM supervision_shift s
        JOIN supervision_shiftsignup g ON g.shift_id = s.id
        JOIN supervision_bin b ON b.point_id = s.point_id
        CROSS JOIN LATERAL (SELECT random() AS r) x
        WHERE s.day <= %(end)s
    """,
    "tonnage": """
        INSERT INTO tonnage_tonnagerecord (created_at, updated_at, subdistrict_id, community_id, day, category, kg, source, ref, photo)
        SELECT now(), now(), n.subdistrict_id, n.id, d::date, c.category, (100 + 900 * random())::numeric(10, 1), 'api',
               n.code || '-' || to_char(d, 'YYYYMMDD') || '-' || c.category, ''
        FROM grid_gridnode n
        CROSS JOIN generate_series(%(start)s::date, %(end)s::date, interval '1 day') d
        CROSS JOIN (VALUES ('wet'), ('dry'), ('recyclable'), ('hazardous')) c(category)
        WHERE n.level = 'community'
        ON CONFLICT DO NOTHING
    """,
    "inspections": """
        INSERT INTO assessment_inspectionscore (created_at, updated_at, subdistrict_id, community_id, indicator_code, day, score, inspector, notes, evidence, client_id)
        SELECT now(), now(), n.subdistrict_id, n.id, i.code, d::date, (70 + 30 * random())::numeric(5, 2), 'bench', '', '', gen_random_uuid()
        FROM grid_gridnode n
        CROSS JOIN generate_series(%(start)s::date, %(end)s::date, interval '1 month') d
        CROSS JOIN (VALUES ('facilities'), ('publicity')) i(code)
        WHERE n.level = 'community'
    """,
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=1_000_000)
    args = parser.parse_args()
    from bench.databases import fresh_database

    if fresh_database("bench_city") != "PostgreSQL":
        print("PostgreSQL only (set DATABASE_URL)")
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wastegrid.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from assessment.scoring import assess
    from grid.models import GridNode, Household, Level
    from lib.clock import local_today
    from lib.periods import Period
    from supervision.city import city_grid_generate

    call_command("migrate", verbosity=0)
    t = time.perf_counter()
    sds = city_grid_generate(households=args.households)
    print(
        f"grid: {Household.objects.count():,} households in {len(sds)} sub-districts, "
        f"{GridNode.objects.filter(level=Level.COMMUNITY).count():,} residential areas, built in {time.perf_counter() - t:.0f} s",
        flush=True,
    )
    today = local_today()
    end = today - datetime.timedelta(days=1)
    year = Period("year", end - datetime.timedelta(days=364), end)  # the last 365 days
    params = {"start": year.start, "end": end}
    with connection.cursor() as cur:
        for name, sql in SQL.items():
            t = time.perf_counter()
            cur.execute(sql, params)
            print(f"  {name:<12} {cur.rowcount:>12,} rows in {time.perf_counter() - t:6.1f} s", flush=True)
        cur.execute("VACUUM ANALYZE")  # the UPDATE above left dead rows behind
    city = GridNode.objects.get(level=Level.CITY)
    for label, node in (("the whole city", city), ("one sub-district", sds[0])):
        t = time.perf_counter()
        result = assess(node, year, today=today)
        elapsed = time.perf_counter() - t
        print(
            f"\na year's assessment of {label}: {elapsed:.1f} s (target < 60 s for 1M households) — "
            f"{len(result.areas)} residential areas, {result.overall.met} meeting the standard, grade {result.overall.grade}"
        )
    with connection.cursor() as cur:
        t = time.perf_counter()
        cur.execute(
            "SELECT community_id, sum(total), sum(correct) FROM supervision_pointday WHERE day BETWEEN %s AND %s "
            "GROUP BY community_id",
            [year.start, end],
        )
        cur.fetchall()
        print(f"baseline: one plain GROUP BY over the year's rollups: {time.perf_counter() - t:.1f} s")


if __name__ == "__main__":
    main()
