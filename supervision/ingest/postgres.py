"""The PostgreSQL writer: binary COPY of the rows into a temporary table, then one statement (data-modifying
CTEs) inserts the new keys, the records of those keys, and adds exactly those records to both rollups."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from django.db import connection

from supervision.ingest.rows import COPY_TYPES, ROLLUP_LOCK, Row
from supervision.models import HouseholdDay, Observation, ObservationKey, PointDay
from supervision.outcomes import HOUSEHOLD_COUNTER_SQL, HOUSEHOLD_COUNTERS, POINT_COUNTER_SQL, POINT_COUNTERS


def write(rows: Sequence[Row], recorded_by: int | None) -> dict[int, list[uuid.UUID]]:
    """PostgreSQL: COPY into a temporary table, then one statement inserts the new keys, the records of those
    keys, and adds exactly those records to both rollups (data-modifying CTEs share each INSERT's RETURNING)."""
    ops = connection.ops
    obs = ops.quote_name(Observation._meta.db_table)
    keys = ops.quote_name(ObservationKey._meta.db_table)
    pd = ops.quote_name(PointDay._meta.db_table)
    hd = ops.quote_name(HouseholdDay._meta.db_table)
    cols, hcols = POINT_COUNTERS, HOUSEHOLD_COUNTERS
    count = lambda cond: f"COUNT(*) FILTER (WHERE {cond})"  # noqa: E731
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS obs_load (client_id uuid, subdistrict_id bigint, community_id bigint, "
            "point_id bigint, household_id bigint, observed_at timestamptz, day date, category varchar(12), "
            "outcome varchar(16), mixed_with varchar(60)) ON COMMIT DELETE ROWS"
        )
        # The batch's sorts (key order, rollup groups) fit in memory instead of spilling to disk.
        cursor.execute("SET LOCAL work_mem = '64MB'")
        # Shared with other batches, exclusive to a reconcile of the same sub-district (see rollups_reconcile).
        for sd in sorted({r.subdistrict_id for r in rows}):
            cursor.execute("SELECT pg_advisory_xact_lock_shared(%s::int, %s::int)", [ROLLUP_LOCK, sd])
        # Binary COPY of the rows as they are (a Row is the tuple COPY takes): no text formatting either side.
        with cursor.copy(f"COPY obs_load ({', '.join(Row._fields)}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(COPY_TYPES)
            for r in rows:
                copy.write_row(r)
        cursor.execute(
            f"""
            WITH k AS (
                -- The idempotency key, whatever the day: only records whose (sub-district, client id) is new
                -- go on. A concurrent batch with the same key waits for this one and then skips it.
                INSERT INTO {keys} (subdistrict_id, client_id, day)
                SELECT subdistrict_id, client_id, day FROM obs_load ORDER BY client_id, subdistrict_id
                ON CONFLICT (subdistrict_id, client_id) DO NOTHING
                RETURNING subdistrict_id, client_id
            ), ins AS (
                INSERT INTO {obs} (client_id, subdistrict_id, community_id, point_id, household_id, observed_at, day,
                                   category, outcome, mixed_with, recorded_by_id, received_at)
                SELECT client_id, subdistrict_id, community_id, point_id, household_id, observed_at, day, category,
                       outcome, mixed_with, %s, now()
                FROM obs_load JOIN k USING (subdistrict_id, client_id)
                -- One lock order for every writer: overlapping batches cannot deadlock. The client id leads so
                -- that the sort compares abbreviated keys (5× faster than leading with the sub-district); within
                -- a sub-district's day it is also the key's order, so each index page is visited once.
                -- No ON CONFLICT here: every stored record has its key (this writer, and migration 0008 for
                -- the records before it), so a new key means no record of it on any day; a plain insert
                -- skips the speculative-insertion check (a third of the bulk path, issue 13 bench).
                ORDER BY client_id, subdistrict_id, day
                RETURNING client_id, subdistrict_id, community_id, point_id, household_id, day, category, outcome
            ), pd AS (
                INSERT INTO {pd} (subdistrict_id, community_id, point_id, day, category, {", ".join(cols)})
                SELECT subdistrict_id, community_id, point_id, day, category, COUNT(*),
                       {", ".join(count(POINT_COUNTER_SQL[c]) for c in cols[1:])}
                FROM ins GROUP BY subdistrict_id, community_id, point_id, day, category
                ORDER BY point_id, day, category
                ON CONFLICT (subdistrict_id, point_id, day, category) DO UPDATE SET
                    {", ".join(f"{c} = {pd}.{c} + excluded.{c}" for c in cols)}
            ), hd AS (
                INSERT INTO {hd} (subdistrict_id, household_id, day, {", ".join(hcols)})
                SELECT subdistrict_id, household_id, day, COUNT(*),
                       {", ".join(count(HOUSEHOLD_COUNTER_SQL[c]) for c in hcols[1:])}
                FROM ins WHERE household_id IS NOT NULL GROUP BY subdistrict_id, household_id, day
                ORDER BY household_id, subdistrict_id, day
                ON CONFLICT (subdistrict_id, household_id, day) DO UPDATE SET
                    {", ".join(f"{c} = {hd}.{c} + excluded.{c}" for c in hcols)}
            )
            SELECT subdistrict_id, array_agg(client_id) FROM ins GROUP BY subdistrict_id
            """,
            [recorded_by],
        )
        created = {sd: list(ids) for sd, ids in cursor.fetchall()}
        cursor.execute("TRUNCATE obs_load")
    return created
