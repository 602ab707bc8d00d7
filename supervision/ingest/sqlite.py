"""The SQLite writer: keys first (INSERT … ON CONFLICT DO NOTHING RETURNING), then the records of the new
keys in chunks under SQLite's variable limit, then their rollups (`rollups.rollups_add`)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.utils import timezone

from supervision.ingest.rollups import rollups_add
from supervision.ingest.rows import Row
from supervision.models import Observation, ObservationKey


def _insert_sql(n: int) -> str:
    table = connection.ops.quote_name(Observation._meta.db_table)
    one = "(" + ", ".join(["%s"] * 12) + ")"
    return (
        f"INSERT INTO {table} (client_id, subdistrict_id, community_id, point_id, household_id, observed_at, day, "
        f"category, outcome, mixed_with, recorded_by_id, received_at) VALUES {', '.join([one] * n)} "
        "ON CONFLICT (subdistrict_id, day, client_id) DO NOTHING RETURNING client_id"
    )


def _key_insert_sql(n: int) -> str:
    table = connection.ops.quote_name(ObservationKey._meta.db_table)
    return (
        f"INSERT INTO {table} (subdistrict_id, client_id, day) VALUES {', '.join(['(%s, %s, %s)'] * n)} "
        "ON CONFLICT (subdistrict_id, client_id) DO NOTHING RETURNING client_id"
    )


def write(rows: Sequence[Row], recorded_by: int | None) -> dict[int, list[uuid.UUID]]:
    """Write the rows (one per client id) whose keys are new; the new client ids per sub-district."""
    ops = connection.ops
    received = ops.adapt_datetimefield_value(timezone.now())
    inserted: set[str] = set()
    chunk = 80  # 12 parameters a row, under SQLite's 999-variable limit
    with connection.cursor() as cursor:
        # The idempotency keys first: a client id already stored in its sub-district (on any day) is skipped.
        fresh: set[str] = set()
        for start in range(0, len(rows), 300):
            keys = rows[start : start + 300]
            cursor.execute(
                _key_insert_sql(len(keys)),
                [
                    v
                    for r in keys
                    for v in (r.subdistrict_id, r.client_id.hex, ops.adapt_datefield_value(r.day))
                ],
            )
            fresh.update(uuid.UUID(str(v[0])).hex for v in cursor.fetchall())
        rows = [r for r in rows if r.client_id.hex in fresh]
        for start in range(0, len(rows), chunk):
            part = rows[start : start + chunk]
            params: list[Any] = []
            for r in part:
                params += [
                    r.client_id.hex,
                    r.subdistrict_id,
                    r.community_id,
                    r.point_id,
                    r.household_id,
                    ops.adapt_datetimefield_value(r.observed_at),
                    ops.adapt_datefield_value(r.day),
                    r.category,
                    r.outcome,
                    r.mixed_with,
                    recorded_by,
                    received,
                ]
            cursor.execute(_insert_sql(len(part)), params)
            inserted.update(uuid.UUID(str(v[0])).hex for v in cursor.fetchall())
    new = [r for r in rows if r.client_id.hex in inserted]
    rollups_add(new)
    by_subdistrict: dict[int, list[uuid.UUID]] = defaultdict(list)
    for r in new:
        by_subdistrict[r.subdistrict_id].append(r.client_id)
    return by_subdistrict
