"""Query-count baselines (netbox keeps `query_counts.json`): every list, dashboard, assessment, case and party
page is read by its persona on a small dataset, then again after more rows of every kind were added. A page
whose number of queries grows with the rows reads something per row (an N+1): the test fails and prints, page
by page, the counts at both sizes.

tests/wastegrid/query_counts.json is the record of the counts on the larger dataset. Counts may move by a few when a
selector changes; a page asking more than TOLERANCE queries over its recorded count fails too, with the diff.
Rewrite the record after a deliberate change:

    WASTEGRID_UPDATE_QUERY_COUNTS=1 pytest tests/wastegrid/test_query_counts.py
"""

from __future__ import annotations

import datetime
import json
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from tests.conftest import Grid, client_for
from tests.personas import morning_point, party_branch
from tests.routes import url_for

BASELINE = Path(__file__).with_name("query_counts.json")
UPDATE = os.environ.get("WASTEGRID_UPDATE_QUERY_COUNTS") == "1"
TOLERANCE = 5  # queries over the recorded count before the record is called out of date


@dataclass
class World:
    grid: Grid
    objects: dict[str, Any]


# (label, route name, persona, the object the route names — from the world — or None)
Page = tuple[str, str, str, Callable[[World], Any] | None]

ADMIN, SECRETARY = "subdistrict_admin", "community_secretary"


def _sd(w: World) -> Any:
    return w.grid.sd


def _area(w: World) -> Any:
    return w.grid.area


def _c1(w: World) -> Any:
    return w.grid.c1


def _m1(w: World) -> Any:
    return w.grid.m1


def _obj(key: str) -> Callable[[World], Any]:
    return lambda w: w.objects[key]


PAGES: list[Page] = [
    # Home pages: each role's dashboard.
    ("home/admin", "accounts:home", ADMIN, None),
    ("home/area_lead", "accounts:home", "area_lead", None),
    ("home/secretary", "accounts:home", SECRETARY, None),
    ("home/grid_worker", "accounts:home", "grid_worker", None),
    ("home/volunteer", "accounts:home", "volunteer", None),
    ("home/party_member", "accounts:home", "party_member", None),
    ("home/liaison", "accounts:home", "unit_liaison", None),
    ("home/officer", "accounts:home", "enforcement_officer", None),
    ("home/resident", "accounts:home", "resident", None),
    # Grid lists.
    ("grid/tree", "grid:tree", ADMIN, None),
    ("grid/node c1", "grid:node_detail", SECRETARY, _c1),
    ("grid/coverage c1", "grid:coverage", SECRETARY, _c1),
    ("grid/households", "grid:household_list", SECRETARY, None),
    ("grid/my households", "grid:my_households", "grid_worker", None),
    ("accounts/people", "accounts:people", SECRETARY, None),
    ("audit/list", "audit:audit_list", ADMIN, None),
    # Supervision.
    ("supervision/home", "supervision:home", SECRETARY, None),
    ("supervision/numbers c1", "supervision:numbers", SECRETARY, _c1),
    ("supervision/understaffed c1", "supervision:understaffed", SECRETARY, _c1),
    ("supervision/flagged", "supervision:flagged", SECRETARY, None),
    ("points/leaders c1", "points:leaders", SECRETARY, _c1),
    ("tonnage/summary c1", "tonnage:summary", SECRETARY, _c1),
    # Dashboards, assessment, reports.
    ("reports/dashboard c1", "reports:dashboard", SECRETARY, _c1),
    ("reports/dashboard area", "reports:dashboard", "area_lead", _area),
    ("reports/dashboard sd", "reports:dashboard", ADMIN, _sd),
    ("reports/list c1", "reports:list", SECRETARY, _c1),
    ("assessment/node c1", "assessment:node", SECRETARY, _c1),
    ("assessment/node sd", "assessment:node", ADMIN, _sd),
    # Cases.
    ("cases/list", "enforcement:case_list", SECRETARY, None),
    ("cases/list admin", "enforcement:case_list", ADMIN, None),
    ("cases/to-close", "enforcement:to_close", "enforcement_officer", None),
    ("cases/propose", "enforcement:propose", SECRETARY, None),
    ("cases/detail", "enforcement:case_detail", SECRETARY, _obj("case")),
    # Party.
    ("party/home", "party:home", ADMIN, None),
    ("party/mine", "party:mine", "party_member", None),
    ("party/visits c1", "party:visits", SECRETARY, _c1),
    ("party/visits m1", "party:visits", "grid_worker", _m1),
    ("party/plan", "party:plan", SECRETARY, _obj("plan")),
    ("party/org", "party:org", ADMIN, _obj("branch")),
    ("party/duties", "party:duties", ADMIN, _obj("branch")),
    ("party/frame", "party:frame", ADMIN, None),
    ("party/projects", "party:projects", ADMIN, None),
    ("party/exemplars", "party:exemplars", ADMIN, None),
    ("party/talents", "party:talents", ADMIN, None),
    # Units, contests, activities: lists of a node or the sub-district.
    ("units/list", "units:list", ADMIN, None),
    ("units/meetings", "units:meetings", ADMIN, None),
    ("units/detail", "units:detail", ADMIN, _obj("unit")),
    ("contests/node c1", "contests:node", SECRETARY, _c1),
    ("activities/node c1", "activities:node", SECRETARY, _c1),
]


class Seeder:
    """Adds `n` more rows of every kind the pages list, each call with new names."""

    def __init__(self, grid: Grid, personas: dict[str, User]) -> None:
        self.grid = grid
        self.personas = personas
        self.made = 0
        self.today = timezone.localdate()
        self.branch = party_branch(grid, branch="甲支部")
        self.objects: dict[str, Any] = {"branch": self.branch}

    def grow(self, n: int) -> None:
        from activities.services import activity_create, activity_register
        from contests.models import Question
        from contests.services import contest_create
        from enforcement.services import case_open
        from grid.models import Household
        from grid.services.records import building_create, household_create, person_create
        from lib.periods import Period
        from party.models import ExemplarKind, Inclusion, TalentKind, VisitOutcome
        from party.services import (
            exemplar_choose,
            member_add,
            project_create,
            talent_add,
            visit_plan_create,
            visit_record,
        )
        from tests.conftest import drop_offs, purity_check
        from tonnage.services import tonnage_record
        from units.services import commitment_add, meeting_create, unit_create

        g, today = self.grid, self.today
        start = timezone.now() + datetime.timedelta(days=1)
        if not Question.objects.exists():
            for q in range(3):
                Question.objects.create(kind="which_bin", text=f"问题{q}", choices=["甲", "乙"], answer=0)
        households = list(
            Household.objects.filter(building__microgrid=g.m1).order_by("pk")[self.made : self.made + n]
        )
        for i in range(n):
            k = self.made + i
            b = building_create(
                actor=None, community=g.c1, name=f"{20 + k}号楼", address=f"测试路3弄{k}号", microgrid=g.m1
            )
            h = household_create(
                actor=None,
                building=b,
                room="101",
                stairwell="1单元",
                size=2,
                contact_name="钱五",
                contact_phone=f"1370000{k:04d}",
            )
            person = person_create(
                actor=None, node=g.c1, name=f"党员{k}", phone=f"1360000{k:04d}", household=h
            )
            member = member_add(actor=None, person=person, org=self.branch)
            if k == 0:  # the party member's login is the first member: "my four leads" has a member to show
                self.personas["party_member"].person = person
                self.personas["party_member"].save()
            talent_add(actor=None, person=person, kind=TalentKind.TRAINER, topics="分类培训")
            exemplar_choose(
                actor=None,
                subdistrict=g.sd,
                year=today.year,
                kind=ExemplarKind.HOUSEHOLD,
                name=f"户{k}",
                reason="分类准确",
                household=h,
            )
            project_create(
                actor=None,
                node=g.c1,
                inclusion=Inclusion.RESPONSIBILITY,
                year=today.year,
                title=f"项目{k}",
                owner="书记",
                org=self.branch,
            )
            case = case_open(
                actor=None,
                community=g.c1,
                subject="individual",
                source="manual",
                violation_day=today,
                article_code="57(2)",
                household=households[i],
            )
            self.objects.setdefault("case", case)
            self.objects.setdefault(
                "plan",
                visit_plan_create(
                    actor=None, microgrid=g.m1, period=Period.containing("quarter", today), members=[member]
                ),
            )
            visit_record(
                actor=None,
                household=households[i],
                day=today,
                outcome=VisitOutcome.TALKED,
                visitors=[member],
                plan=self.objects["plan"],
                client_id=uuid.uuid4(),
            )
            activity = activity_create(
                actor=None,
                node=g.c1,
                kind="training",
                title=f"培训{k}",
                starts_at=start,
                ends_at=start + datetime.timedelta(hours=2),
                capacity=50,
                publish=True,
            )
            activity_register(actor=None, activity=activity, person=person)
            contest_create(actor=None, node=g.c1, title=f"竞赛{k}", questions=3, seconds=10, seed=k)
            unit = unit_create(actor=None, subdistrict=g.sd, community=g.c1, name=f"单位{k}", kind="school")
            self.objects.setdefault("unit", unit)
            commitment_add(actor=None, unit=unit, year=today.year, title=f"承诺{k}")
            meeting_create(actor=None, subdistrict=g.sd, title=f"联席会议{k}", day=today)
            point = morning_point(g.c1, f"甲{k}号点", f"TSD-Q{k}")
            drop_offs(point, households[i], today, ["correct", "mixed", "bag_not_broken"])
            purity_check(point, today, "clean")
            for category in ("wet", "dry"):
                tonnage_record(
                    actor=None,
                    community=g.c1,
                    day=today,
                    category=category,
                    kg=10 + k,
                    ref=f"QC-{k}-{category}",
                )
        self.made += n


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    return len(queries)


def _measure(world: World, clients: dict[str, Client]) -> dict[str, int]:
    return {
        label: _count(clients[persona], url_for(name, at(world) if at else None))
        for label, name, persona, at in PAGES
    }


@pytest.mark.django_db
def test_page_queries_do_not_grow_with_rows(grid: Grid, personas: dict[str, User]) -> None:
    seeder = Seeder(grid, personas)
    seeder.grow(1)
    world = World(grid, seeder.objects)
    clients = {role: client_for(user) for role, user in personas.items()}
    _measure(world, clients)  # warm-up: per-process caches (content types, the grid's tree) are filled once
    small = _measure(world, clients)
    seeder.grow(3)
    large = _measure(world, clients)

    grown = [
        f"{label:32} {small[label]:4} → {large[label]:4}" for label in small if large[label] > small[label]
    ]
    if UPDATE:
        BASELINE.write_text(json.dumps(dict(sorted(large.items())), indent=2, ensure_ascii=False) + "\n")
    assert not grown, "queries grow with the rows (1 → 4 of each kind):\n" + "\n".join(grown)

    recorded: dict[str, int] = json.loads(BASELINE.read_text()) if BASELINE.exists() else {}
    diff = []
    for label in sorted(set(recorded) | set(large)):
        was, now = recorded.get(label), large.get(label)
        if was is None or now is None:
            diff.append(f"{label:32} {was!s:>4} → {now!s:>4}  (page added or removed)")
        elif now > was + TOLERANCE:
            diff.append(f"{label:32} {was:4} → {now:4}  (+{now - was})")
    assert not diff, (
        f"query counts differ from {BASELINE.name} (rewrite it with WASTEGRID_UPDATE_QUERY_COUNTS=1):\n"
        + "\n".join(diff)
    )
