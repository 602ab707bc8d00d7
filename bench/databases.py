"""A fresh database for one benchmark: on the PostgreSQL server of DATABASE_URL (dropped and created), or a
SQLite file under var/. Sets DATABASE_URL for Django before it starts; returns the engine's name."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def fresh_database(name: str) -> str:
    base = os.environ.get("DATABASE_URL", "")
    if base.startswith("postgres"):
        import psycopg

        with psycopg.connect(base.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name}")
            conn.execute(f"CREATE DATABASE {name}")
        os.environ["DATABASE_URL"] = base.rsplit("/", 1)[0] + f"/{name}"
        return "PostgreSQL"
    path = ROOT / "var" / f"{name}.sqlite3"
    path.parent.mkdir(exist_ok=True)
    path.unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    return "SQLite"


RAW_TABLE_COLUMNS = (
    "client_id uuid, subdistrict_id bigint, community_id bigint, point_id bigint, household_id bigint, "
    "observed_at timestamptz, day date, category text, outcome text, mixed_with text"
)


def copy_rows(cursor: object, table: str, rows: list, *, binary: bool) -> float:
    """Raw COPY of bin-side rows into a plain table (no keys, no indexes): the write baselines. Text is COPY's
    default format; binary skips formatting and parsing (3–4× faster here). Returns seconds."""
    import time

    from supervision.ingest import COPY_TYPES

    start = time.perf_counter()
    with cursor.copy(f"COPY {table} FROM STDIN" + (" (FORMAT BINARY)" if binary else "")) as copy:  # type: ignore[attr-defined]
        if binary:
            copy.set_types(COPY_TYPES)
        for r in rows:
            copy.write_row(tuple(r))
    return time.perf_counter() - start
