"""The test world in one place: a small two-community grid, one named persona per role, and the few shapes
of setup many tests share (a party member in its branch, a drop-off point open all day).

tests/conftest.py turns `build_grid` and `make_personas` into the `grid` and `personas` fixtures; a test that
needs another login or member calls `make_user` / `party_member` from here instead of copying their setup."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

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

if TYPE_CHECKING:
    from party.models import PartyMember, PartyOrg
    from supervision.models import DropOffPoint

PASSWORD = "correct-horse-battery"


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
    """测试街道 (TSD) › 第一片区 › 甲居民区 (micro-grids 甲一, 甲二) and 乙居民区 (乙一); one building of 18
    households per micro-grid, a grid worker for each, households assigned."""
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


def make_user(username: str, role: str, node: GridNode, person: Person | None = None) -> User:
    user = User(username=username, role=role, node=node, person=person)
    user.set_password(PASSWORD)
    user.save()
    return user


def make_personas(grid: Grid) -> dict[str, User]:
    """One login per role, keyed by role (alice the sub-district admin, …), and an outsider: the secretary
    of the other community. The resident is a person of h1; the grid worker is w1."""
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


def party_branch(
    grid: Grid, *, committee: str = "党工委", branch: str = "支部", node: GridNode | None = None
) -> PartyOrg:
    """A branch at `node` (c1 by default) under a new working committee of the sub-district."""
    from party.models import OrgKind
    from party.services import org_create

    top = org_create(actor=None, kind=OrgKind.COMMITTEE, name=committee, node=grid.sd)
    return org_create(actor=None, kind=OrgKind.BRANCH, name=branch, node=node or grid.c1, parent=top)


def party_member(
    grid: Grid,
    name: str = "党员",
    *,
    household: Household | None = None,
    node: GridNode | None = None,
    committee: str = "党工委",
    branch: str = "支部",
) -> PartyMember:
    """A person of `household` at `node` (c1 by default), member of a new branch there (see party_branch)."""
    from party.services import member_add

    node = node or grid.c1
    org = party_branch(grid, committee=committee, branch=branch, node=node)
    person = person_create(actor=None, node=node, name=name, household=household)
    return member_add(actor=None, person=person, org=org)


def daily_point(
    community: GridNode,
    opens: datetime.time,
    closes: datetime.time,
    name: str = "甲1号点",
    code: str | None = None,
) -> DropOffPoint:
    """A drop-off point of `community` with one window, `opens`–`closes`, every day of the week."""
    from supervision.services import point_create

    return point_create(
        actor=None, community=community, name=name, code=code, windows=[(d, opens, closes) for d in range(7)]
    )


def all_day_point(grid: Grid, name: str = "甲1号点") -> DropOffPoint:
    """A drop-off point of c1 open 00:00–23:59 every day: drop-offs at any hour fall in a window."""
    return daily_point(grid.c1, datetime.time(0), datetime.time(23, 59), name)


def morning_point(community: GridNode, name: str = "甲1号点", code: str | None = None) -> DropOffPoint:
    """A drop-off point of `community` open 07:00–09:00 every day (the morning of Shanghai's fixed times)."""
    return daily_point(community, datetime.time(7), datetime.time(9), name, code)
