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
