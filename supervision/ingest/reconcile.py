"""Rollups equal to the records: `rollups_reconcile` counts a sub-district's records per rollup key and
writes only the differences (the repair path and the nightly check, `wastegrid rollups-reconcile`)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import connection, transaction

from grid.models import GridNode
from supervision.ingest.rows import ROLLUP_LOCK
from supervision.models import HouseholdDay, Observation, PointDay
from supervision.outcomes import HOUSEHOLD_COUNTER_SQL, HOUSEHOLD_COUNTERS, POINT_COUNTER_SQL, POINT_COUNTERS


@dataclass
class Reconciled:
    """Rollup rows a reconcile had to write: zero everywhere when the rollups already equal the records."""

    added: int = 0
    changed: int = 0
    removed: int = 0

    @property
    def total(self) -> int:
        return self.added + self.changed + self.removed


# Each rollup: its table, key and counter columns, and how each counter is computed from the raw records.
_ROLLUPS = (
    (
        PointDay,
        ["subdistrict_id", "point_id", "day", "category"],
        {
            "community_id": "MIN(community_id)",
            "total": "COUNT(*)",
            **{c: f"SUM(CASE WHEN {POINT_COUNTER_SQL[c]} THEN 1 ELSE 0 END)" for c in POINT_COUNTERS[1:]},
        },
        "",
    ),
    (
        HouseholdDay,
        ["subdistrict_id", "household_id", "day"],
        {
            "total": "COUNT(*)",
            **{
                c: f"SUM(CASE WHEN {HOUSEHOLD_COUNTER_SQL[c]} THEN 1 ELSE 0 END)"
                for c in HOUSEHOLD_COUNTERS[1:]
            },
        },
        "AND household_id IS NOT NULL",
    ),
)


def _same_key(a: str, b: str, key: list[str]) -> str:
    return " AND ".join(f"{a}.{k} = {b}.{k}" for k in key)


@transaction.atomic
def rollups_reconcile(*, subdistrict: GridNode, start: datetime.date, end: datetime.date) -> Reconciled:
    """Make the rollups of a sub-district's days equal to its raw records (the repair path, and the nightly
    check). One pass counts the records and joins the counts with the rollups, keeping only the rows that
    differ; only those are written, so checking rollups that are right costs a GROUP BY and a join."""
    ops = connection.ops
    obs = ops.quote_name(Observation._meta.db_table)
    result = Reconciled()
    params = [subdistrict.pk, ops.adapt_datefield_value(start), ops.adapt_datefield_value(end)]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Ingest holds this lock shared while it writes: the counts below and the rollups they are compared
            # with cannot drift apart under a concurrent batch. (SQLite runs one writer at a time anyway.)
            cursor.execute("SELECT pg_advisory_xact_lock(%s::int, %s::int)", [ROLLUP_LOCK, subdistrict.pk])
            # A month of a sub-district's groups sorts in memory rather than in files on disk.
            cursor.execute("SET LOCAL work_mem = '128MB'")
        for model, key, counters, only in _ROLLUPS:
            table = ops.quote_name(model._meta.db_table)
            diff = f"rollup_diff_{model._meta.model_name}"
            cols = [*key, *counters]
            cursor.execute(f"DROP TABLE IF EXISTS {diff}")
            # One pass: the counts from the records, fully joined with the same sub-district's days of the
            # rollup; only rows to add, change or remove come out (none, when the rollups are right).
            cursor.execute(
                f"CREATE TEMP TABLE {diff} AS "
                f"WITH fresh AS (SELECT {', '.join(key)}, {', '.join(f'{sql} AS {c}' for c, sql in counters.items())} "
                f"FROM {obs} WHERE subdistrict_id = %s AND day >= %s AND day <= %s {only} GROUP BY {', '.join(key)}), "
                f"kept AS (SELECT * FROM {table} WHERE subdistrict_id = %s AND day >= %s AND day <= %s) "
                f"SELECT {', '.join(f'COALESCE(f.{k}, t.{k}) AS {k}' for k in key)}, "
                f"{', '.join(f'f.{c}' for c in counters)}, "
                f"CASE WHEN t.{key[-1]} IS NULL THEN 'add' WHEN f.{key[-1]} IS NULL THEN 'remove' ELSE 'change' END "
                f"AS action FROM fresh f FULL JOIN kept t ON {_same_key('t', 'f', key)} "
                f"WHERE t.{key[-1]} IS NULL OR f.{key[-1]} IS NULL OR {' OR '.join(f't.{c} <> f.{c}' for c in counters)}",
                params + params,
            )
            cursor.execute(
                f"DELETE FROM {table} WHERE subdistrict_id = %s AND EXISTS "
                f"(SELECT 1 FROM {diff} d WHERE d.action = 'remove' AND {_same_key('d', table, key)})",
                [subdistrict.pk],
            )
            result.removed += cursor.rowcount
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(cols)} FROM {diff} WHERE action = 'add'"
            )
            result.added += cursor.rowcount
            cursor.execute(
                f"UPDATE {table} SET {', '.join(f'{c} = d.{c}' for c in counters)} FROM {diff} d "
                f"WHERE d.action = 'change' AND {_same_key(table, 'd', key)}"
            )
            result.changed += cursor.rowcount
            cursor.execute(f"DROP TABLE {diff}")
    return result
