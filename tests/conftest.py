"""Shared fixtures: a small two-community grid and one named persona per role."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from accounts.models import Role, User
from grid.models import Building, GridNode, GridWorker, Household, Level, Person
from grid.services.assignment import households_assign
from grid.services.records import (
    building_create,
    grid_worker_create,
    household_create,
    node_create,
    person_create,
)
from tests.workers import cluster  # noqa: F401  (a fixture: a real job worker, tests/workers.py)

PASSWORD = "correct-horse-battery"


# The two daily windows most drop-off points keep (Shanghai's fixed-time drop-off), for roster tests.
MORNING = (datetime.time(7), datetime.time(9))
EVENING = (datetime.time(18, 30), datetime.time(20, 30))


@pytest.fixture
def noon(monkeypatch: pytest.MonkeyPatch) -> datetime.date:
    """The clock frozen at 12:00 Shanghai today: a 07:00–09:00 window is over, 18:30–20:30 has not begun."""
    from django.utils import timezone

    from supervision.ingest import SHANGHAI

    today = timezone.now().astimezone(SHANGHAI).date()
    at = datetime.datetime.combine(today, datetime.time(12), tzinfo=SHANGHAI)
    monkeypatch.setattr(timezone, "now", lambda: at)
    return today


@dataclass
class Grid:
    sd: GridNode
    area: GridNode
    c1: GridNode
    c2: GridNode
    m1: GridNode
    m2: GridNode
    m3: GridNode  # in c2
    b1: Building
    b2: Building
    b3: Building  # in c2
    h1: Household  # in b1
    h_other: Household  # in c2
    w1: GridWorker
    w_other: GridWorker


def make_worker(mg: GridNode, name: str, phone: str) -> GridWorker:
    person = person_create(actor=None, node=mg, name=name, phone=phone)
    return grid_worker_create(actor=None, person=person, microgrid=mg)


def build_grid() -> Grid:
    sd = node_create(actor=None, level=Level.SUBDISTRICT, name="测试街道", code="TSD")
    area = node_create(actor=None, level=Level.AREA, name="第一片区", parent=sd)
    c1 = node_create(actor=None, level=Level.COMMUNITY, name="甲居民区", parent=area)
    c2 = node_create(actor=None, level=Level.COMMUNITY, name="乙居民区", parent=area)
    m1 = node_create(actor=None, level=Level.MICROGRID, name="甲一", parent=c1)
    m2 = node_create(actor=None, level=Level.MICROGRID, name="甲二", parent=c1)
    m3 = node_create(actor=None, level=Level.MICROGRID, name="乙一", parent=c2)
    b1 = building_create(actor=None, community=c1, name="1号楼", address="测试路1弄1号", microgrid=m1)
    b2 = building_create(actor=None, community=c1, name="2号楼", address="测试路1弄2号", microgrid=m2)
    b3 = building_create(actor=None, community=c2, name="9号楼", address="测试路2弄9号", microgrid=m3)
    households: list[Household] = []
    for b in (b1, b2, b3):
        for floor in range(1, 7):
            for unit in range(1, 4):
                households.append(
                    household_create(
                        actor=None,
                        building=b,
                        room=f"{floor}{unit:02d}",
                        stairwell="1单元" if unit < 3 else "2单元",
                        size=2,
                        contact_name="张三",
                        contact_phone=f"1380000{len(households):04d}",
                    )
                )
    w1 = make_worker(m1, "李网格", "13900000001")
    make_worker(m2, "王网格", "13900000002")
    w_other = make_worker(m3, "赵网格", "13900000003")
    households_assign(actor=None, community=c1)
    households_assign(actor=None, community=c2)
    h1 = Household.objects.get(building=b1, room="101")
    h_other = Household.objects.get(building=b3, room="101")
    return Grid(
        sd, area, c1, c2, m1, m2, m3, b1, b2, b3, h1, h_other, GridWorker.objects.get(pk=w1.pk), w_other
    )


@pytest.fixture
def grid(db: None) -> Grid:
    return build_grid()


def make_user(username: str, role: str, node: GridNode, person: Person | None = None) -> User:
    user = User(username=username, role=role, node=node, person=person)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def personas(grid: Grid) -> dict[str, User]:
    """alice the sub-district admin, … and an outsider: the secretary of the other community."""
    resident_person = person_create(actor=None, node=grid.c1, name="居民甲", household=grid.h1)
    return {
        Role.SUBDISTRICT_ADMIN: make_user("admin", Role.SUBDISTRICT_ADMIN, grid.sd),
        Role.AREA_LEAD: make_user("arealead", Role.AREA_LEAD, grid.area),
        Role.COMMUNITY_SECRETARY: make_user("secretary", Role.COMMUNITY_SECRETARY, grid.c1),
        Role.GRID_WORKER: make_user("gridworker", Role.GRID_WORKER, grid.m1, grid.w1.person),
        Role.VOLUNTEER: make_user("volunteer", Role.VOLUNTEER, grid.c1),
        Role.PARTY_MEMBER: make_user("partymember", Role.PARTY_MEMBER, grid.c1),
        Role.UNIT_LIAISON: make_user("liaison", Role.UNIT_LIAISON, grid.sd),
        Role.ENFORCEMENT_OFFICER: make_user("officer", Role.ENFORCEMENT_OFFICER, grid.sd),
        Role.RESIDENT: make_user("resident", Role.RESIDENT, grid.c1, resident_person),
        "outsider": make_user("outsider", Role.COMMUNITY_SECRETARY, grid.c2),
    }


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


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
    from supervision.ingest import SHANGHAI, Row, write_rows

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
