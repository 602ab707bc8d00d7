"""Emptying the PostgreSQL test database after a transactional test by deleting rows, not by TRUNCATE.

Django ends every transactional test (the browser journeys, the concurrency tests) with `flush`: one
TRUNCATE of every table. On PostgreSQL a TRUNCATE gives each table, index and TOAST table a new file and
syncs them all at commit — here ~1,000 files and 3–6 s per test, minutes over the suite (`--durations`
listed the teardowns). Most tables are empty by then: this deletes the rows of the tables that have any, in
one transaction (foreign keys are deferred; the triggers that check them are switched off for it, as
pg_restore does), then sends the post_migrate signal as `flush` does (content types, permissions, the job
schedules come back). What a test sees afterwards is the same: empty tables, sequences not reset (flush's
TRUNCATE does not reset them either without reset_sequences). SQLite keeps Django's flush (cheap there), and
so does any test asking for what this does not do (reset_sequences, serialized rollback, available_apps).
"""

from __future__ import annotations

from typing import Any

from django.core.management.sql import emit_post_migrate_signal
from django.db import DatabaseError, connections, transaction
from django.test import TransactionTestCase

# (a private method of Django's, untyped in django-stubs: read and replaced by name)
_django_teardown = getattr(TransactionTestCase, "_fixture_teardown")  # noqa: B009


def empty_tables(alias: str) -> list[str]:
    """Delete every row of every Django table of database `alias` (PostgreSQL); the tables that had rows."""
    connection = connections[alias]
    tables = sorted(connection.introspection.django_table_names(only_existing=True, include_views=False))
    quote = connection.ops.quote_name
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        cursor.execute(
            " UNION ALL ".join(f"SELECT %s WHERE EXISTS (SELECT 1 FROM {quote(t)})" for t in tables), tables
        )
        full = [row[0] for row in cursor.fetchall()]
        if full:
            cursor.execute("SET LOCAL session_replication_role = replica")  # no FK triggers: any order
            for table in full:
                cursor.execute(f"DELETE FROM {quote(table)}")
    return full


def _fixture_teardown(self: Any) -> None:
    aliases = list(self._databases_names(include_mirrors=False))
    plain = not (self.reset_sequences or self.serialized_rollback or self.available_apps is not None)
    if not plain or any(connections[a].vendor != "postgresql" for a in aliases):
        _django_teardown(self)
        return
    for alias in aliases:
        try:
            empty_tables(alias)
        except DatabaseError:  # e.g. a role that may not switch triggers off: Django's way, then
            _django_teardown(self)
            return
        emit_post_migrate_signal(verbosity=0, interactive=False, db=alias)


def install() -> None:
    """Called once by tests/conftest.py."""
    setattr(TransactionTestCase, "_fixture_teardown", _fixture_teardown)  # noqa: B010
