"""Ready to distribute by sub-district (issue 7): every large table carries the distribution key, and the
hot paths — dashboards, assessment, grid pages, coverage, numbers, party pages, ingest — name it for every
large table they read or join, so a Citus-style deployment routes them to one sub-district's shard."""

from __future__ import annotations

import datetime
import json
import uuid

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lib.distribution import DISTRIBUTED, unscoped
from party.models import OrgKind
from party.services import member_add, org_create
from tests.conftest import Grid, client_for
from tests.personas import morning_point
from wastegrid.tokens import token_create


def test_every_large_table_carries_the_key() -> None:
    tables = {m._meta.db_table: m for m in apps.get_models()}
    assert set(tables) >= DISTRIBUTED, DISTRIBUTED - set(tables)
    for table in DISTRIBUTED:
        columns = {f.column for f in tables[table]._meta.concrete_fields}
        assert "subdistrict_id" in columns, table


def test_the_checker_reads_sql() -> None:
    scoped = 'SELECT * FROM "grid_household" WHERE "grid_household"."subdistrict_id" = 3'
    aliased = 'SELECT 1 FROM "x" WHERE "x"."id" IN (SELECT U0."id" FROM "grid_household" U0 WHERE U0."subdistrict_id" = 3)'
    joined = (
        'SELECT * FROM "supervision_pointday" INNER JOIN "supervision_dropoffpoint" ON (a = b) '
        'WHERE "supervision_pointday"."subdistrict_id" = 3'
    )
    assert unscoped(scoped) == [] and unscoped(aliased) == []
    assert unscoped(joined) == ["supervision_dropoffpoint"]
    assert unscoped('SELECT * FROM "guide_item"') == []  # a reference table
    assert unscoped('INSERT INTO "grid_household" ("code") VALUES (1)') == []


@pytest.mark.django_db
def test_hot_paths_name_the_sub_district(grid: Grid, personas: dict) -> None:
    point = morning_point(grid.c1)
    committee = org_create(actor=None, kind=OrgKind.COMMITTEE, name="党工委", node=grid.sd)
    branch = org_create(actor=None, kind=OrgKind.BRANCH, name="支部", node=grid.c1, parent=committee)
    from grid.services.records import person_create

    member_add(
        actor=None, person=person_create(actor=None, node=grid.c1, name="党员", household=grid.h1), org=branch
    )
    admin, secretary = personas["subdistrict_admin"], personas["community_secretary"]
    token = token_create(user=secretary, name="phone")
    now = timezone.now()
    body = json.dumps(
        [
            {
                "client_id": str(uuid.uuid4()),
                "point": point.code,
                "household": grid.h1.code,
                "observed_at": (now - datetime.timedelta(hours=h)).isoformat(),
                "category": "wet",
                "outcome": "mixed" if h % 3 else "correct",
                "mixed_with": ["dry"] if h % 3 else [],
            }
            for h in range(1, 20)
        ]
    )
    pages = {
        admin: [
            f"/reports/dashboard/{grid.sd.code}/",
            f"/reports/dashboard/{grid.sd.code}/?days=365",
            f"/assessment/n/{grid.sd.code}/",
            f"/grid/n/{grid.sd.code}/",
            f"/grid/n/{grid.c1.code}/coverage/",
            f"/supervision/numbers/{grid.sd.code}/",
            f"/tonnage/n/{grid.sd.code}/",
            f"/party/o/{committee.code}/",
            f"/party/n/{grid.c1.code}/visits/",
        ],
        secretary: [
            f"/reports/dashboard/{grid.c1.code}/",
            f"/assessment/n/{grid.c1.code}/",
            f"/assessment/n/{grid.c1.code}/i/correct/",
            "/grid/households/",
            f"/supervision/numbers/{grid.c1.code}/",
        ],
    }
    found: list[str] = []
    with CaptureQueriesContext(connection) as ingest:
        response = client_for(secretary).post(
            "/api/v1/supervision/observations",
            body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
    assert response.status_code == 200 and response.json()["created"] == 19
    found += [f"ingest: {t}: {q['sql'][:200]}" for q in ingest.captured_queries for t in unscoped(q["sql"])]
    for user, urls in pages.items():
        client = client_for(user)
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200, url
            found += [
                f"{url}: {t}: {q['sql'][:200]}" for q in queries.captured_queries for t in unscoped(q["sql"])
            ]
    assert found == [], "\n".join(found)
