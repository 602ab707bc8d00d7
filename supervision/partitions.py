"""Monthly partitions of the bin-side records table on PostgreSQL (declarative partitioning by `day`).

Rows for a month without a partition land in the DEFAULT partition; `wastegrid partitions-ensure` creates the
coming months ahead of time (run it monthly). SQLite has no partitions: every function is a no-op there.
"""

from __future__ import annotations

import datetime
from typing import Any

TABLE = "supervision_observation"


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def partitions_ensure(connection: Any, *, start: datetime.date, end: datetime.date) -> list[str]:
    """Create the monthly partitions covering [start, end] that do not exist yet; returns the new ones."""
    if connection.vendor != "postgresql":
        return []
    created = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE relname = %s", [TABLE])
        row = cursor.fetchone()
        if row is None or row[0] != "p":
            return []
        month = month_start(start)
        while month <= end:
            name = f"{TABLE}_{month:%Y_%m}"
            cursor.execute("SELECT 1 FROM pg_class WHERE relname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(
                    f"CREATE TABLE {name} PARTITION OF {TABLE} FOR VALUES FROM (%s) TO (%s)",
                    [month, next_month(month)],
                )
                created.append(name)
            month = next_month(month)
    return created
