"""The daily rollups kept beside the records (PointDay per point, day and bin; HouseholdDay per household
and day), their counters named in `supervision.outcomes`: adding new records to them on SQLite."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import connection

from supervision.ingest.rows import Row
from supervision.models import HouseholdDay, PointDay
from supervision.outcomes import HOUSEHOLD_COUNTERS, POINT_COUNTERS, POINT_OUTCOME_COLUMNS, household_counts


def rollups_add(rows: Iterable[Row]) -> None:
    """Add new records to PointDay and HouseholdDay (the SQLite path; PostgreSQL does it in its statement)."""
    point_days: dict[tuple[int, Any, str], list[int]] = defaultdict(lambda: [0] * len(POINT_COUNTERS))
    meta: dict[tuple[int, Any, str], tuple[int, int]] = {}
    household_days: dict[tuple[int, Any], list[int]] = defaultdict(lambda: [0] * len(HOUSEHOLD_COUNTERS))
    hh_sd: dict[tuple[int, Any], int] = {}
    for r in rows:
        key = (r.point_id, r.day, r.category)
        c = point_days[key]
        meta[key] = (r.subdistrict_id, r.community_id)
        c[0] += 1
        c[1 + POINT_OUTCOME_COLUMNS.index(r.outcome)] += 1
        c[6] += r.household_id is None
        if r.household_id is not None:
            h = household_days[(r.household_id, r.day)]
            hh_sd[(r.household_id, r.day)] = r.subdistrict_id
            h[0] += 1
            correct, mistake, refused = household_counts(r.outcome)
            h[1] += correct
            h[2] += mistake
            h[3] += refused
    if not point_days:
        return
    ops = connection.ops
    pd = ops.quote_name(PointDay._meta.db_table)
    hd = ops.quote_name(HouseholdDay._meta.db_table)
    cols = POINT_COUNTERS
    sets = ", ".join(f"{c} = {pd}.{c} + excluded.{c}" for c in cols)
    sql = (
        f"INSERT INTO {pd} (subdistrict_id, community_id, point_id, day, category, {', '.join(cols)}) "
        f"VALUES (%s, %s, %s, %s, %s, {', '.join(['%s'] * 7)}) ON CONFLICT (subdistrict_id, point_id, day, category) DO UPDATE SET {sets}"
    )
    hcols = HOUSEHOLD_COUNTERS
    hsets = ", ".join(f"{c} = {hd}.{c} + excluded.{c}" for c in hcols)
    hsql = (
        f"INSERT INTO {hd} (subdistrict_id, household_id, day, {', '.join(hcols)}) VALUES (%s, %s, %s, %s, %s, %s, %s) "
        f"ON CONFLICT (subdistrict_id, household_id, day) DO UPDATE SET {hsets}"
    )
    with connection.cursor() as cursor:
        cursor.executemany(
            sql,
            [(*meta[k], k[0], ops.adapt_datefield_value(k[1]), k[2], *v) for k, v in point_days.items()],
        )
        if household_days:
            cursor.executemany(
                hsql,
                [(hh_sd[k], k[0], ops.adapt_datefield_value(k[1]), *v) for k, v in household_days.items()],
            )
