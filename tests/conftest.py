"""Shared fixtures: a small two-community grid and one named persona per role."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from accounts.models import User
from grid.models import Household
from lib.clock import local_today
from tests import pgflush
from tests.personas import (  # noqa: F401  (re-exported: tests import them from here)
    PASSWORD,
    Grid,
    build_grid,
    client_for,
    make_personas,
    make_user,
    make_worker,
)
from tests.workers import cluster  # noqa: F401  (a fixture: a real job worker, tests/workers.py)

pgflush.install()  # PostgreSQL: a transactional test ends by deleting rows, not TRUNCATE (tests/pgflush.py)

# The two daily windows most drop-off points keep (Shanghai's fixed-time drop-off), for roster tests.
MORNING = (datetime.time(7), datetime.time(9))
EVENING = (datetime.time(18, 30), datetime.time(20, 30))


@pytest.fixture
def noon(monkeypatch: pytest.MonkeyPatch) -> datetime.date:
    """The clock frozen at 12:00 Shanghai today: a 07:00–09:00 window is over, 18:30–20:30 has not begun."""
    from django.utils import timezone

    from lib.clock import SHANGHAI

    today = local_today()
    at = datetime.datetime.combine(today, datetime.time(12), tzinfo=SHANGHAI)
    monkeypatch.setattr(timezone, "now", lambda: at)
    return today


@pytest.fixture
def grid(db: None) -> Grid:
    return build_grid()


@pytest.fixture
def personas(grid: Grid) -> dict[str, User]:
    """One login per role and an outsider, the other community's secretary (tests/personas.py)."""
    return make_personas(grid)


@pytest.fixture(autouse=True)
def _jobs_inline(settings: object) -> None:
    # Background jobs (imports) run inside the test's transaction instead of a thread.
    settings.WASTEGRID_JOBS_INLINE = True  # type: ignore[attr-defined]
    # PBKDF2 is slow on purpose; the personas' passwords need no protection.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _lookup_counts_stay_in_their_test() -> Iterator[None]:
    """The guide buffers anonymous lookup counts in the process (guide.counting) and writes them every few
    seconds or at exit: a test's lookups are dropped at its end, so none is written into another test's
    database or after the test database is gone."""
    yield
    from guide import counting

    with counting._lock:
        counting._pending.clear()


def pytest_report_header(config: object) -> str:
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    return f"wastegrid database engine: {engine}"


@pytest.fixture
def kb(db: None) -> None:
    """The whole knowledge base, loaded through the product's loader, with a fresh search index."""
    from guide import search
    from guide.services import guide_load_dataset

    guide_load_dataset()
    search.reset_index()
    search._categories.clear()


SEEDS = [
    ("grid.migrations.0002_default_grid_rule", "add_default_rule"),
    ("points.migrations.0002_default_point_rule", "add_default_rule"),
    ("enforcement.migrations.0002_articles_2019", "add"),
    ("enforcement.migrations.0005_article_title_en", "add_titles"),
    ("assessment.migrations.0002_scheme_2019", "seed"),
]


def seed_from_migrations() -> None:
    """A transactional test ends with a flush, which also empties what data migrations seeded (rules,
    articles, the default scheme); a transactional test that needs them starts by putting them back (the
    seeds are idempotent)."""
    import importlib

    from django.apps import apps

    for module, function in SEEDS:
        getattr(importlib.import_module(module), function)(apps, None)


def drop_offs(
    point: Any, household: Household, day: datetime.date, outcomes: list[str], *, hour: int = 7
) -> None:
    """`household`'s drop-offs at `point` on `day` through the ingest, one a minute from `hour`:00 (Shanghai)
    with these outcomes; a mixed one names the dry bin."""
    from lib.clock import SHANGHAI
    from supervision.ingest import Row, write_rows

    rows = [
        Row(
            uuid.uuid4(),
            household.subdistrict_id,
            household.community_id,
            point.pk,
            household.pk,
            datetime.datetime.combine(day, datetime.time(hour, i), tzinfo=SHANGHAI),
            day,
            "wet",
            outcome,
            "dry" if outcome == "mixed" else "",
        )
        for i, outcome in enumerate(outcomes)
    ]
    write_rows(rows, recorded_by=None)


def purity_check(point: Any, day: datetime.date, level: str, category: str = "wet") -> None:
    """A purity check of `point`'s `category` bin on `day` (checked at 09:00 UTC), stored as the phones do."""
    from supervision.models import PurityCheck

    PurityCheck.objects.create(
        client_id=uuid.uuid4(),
        subdistrict_id=point.subdistrict_id,
        point=point,
        category=category,
        level=level,
        checked_at=datetime.datetime.combine(day, datetime.time(9), tzinfo=datetime.UTC),
        day=day,
    )


def at_once(writes: list[Callable[[], Any]]) -> list[Any]:
    """Each write run from its own thread and database connection, all released at the same moment; a
    thread's exception is returned in its place (a test asserts there are none), never lost."""
    import threading

    from django.db import connection

    barrier = threading.Barrier(len(writes))
    results: list[Any] = [None] * len(writes)

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = writes[i]()
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(writes))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
