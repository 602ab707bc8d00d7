"""Dashboards and assessments read from the replica when one is configured; writes and reads inside a
transaction on the primary never do."""

from __future__ import annotations

import pytest
from django.db import connections, router, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from grid.models import GridNode
from lib.replica import on_replica
from tests.conftest import Grid, client_for, seed_from_migrations
from tests.reports.test_services import records  # noqa: F401  (fixture)


def test_routing_rules() -> None:
    with override_settings(WASTEGRID_READ_REPLICA="replica"):
        assert router.db_for_read(GridNode) == "default"  # only reads that ask for it
        with on_replica():
            assert router.db_for_read(GridNode) == "replica"
            assert router.db_for_write(GridNode) == "default"
        assert router.db_for_read(GridNode) == "default"  # the context ends with the block
        assert router.allow_migrate("replica", "grid") is False
    with override_settings(WASTEGRID_READ_REPLICA=""), on_replica():
        assert router.db_for_read(GridNode) == "default"  # no replica configured: all on the primary


@pytest.mark.django_db(databases=["default"])
def test_a_transaction_reads_its_own_writes() -> None:
    with override_settings(WASTEGRID_READ_REPLICA="replica"), on_replica(), transaction.atomic():
        assert router.db_for_read(GridNode) == "default"


def _tables(queries: list[dict]) -> str:
    return " ".join(q["sql"] for q in queries)


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_dashboard_and_assessment_read_from_the_replica(grid: Grid, records: dict, personas: dict) -> None:  # noqa: F811
    seed_from_migrations()  # the default assessment scheme
    admin = client_for(personas["subdistrict_admin"])
    with (
        override_settings(WASTEGRID_READ_REPLICA="replica"),
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        page = admin.get(f"/reports/dashboard/{grid.sd.code}/")
        api = admin.get(f"/api/v1/assessment/{grid.sd.code}")
    assert page.status_code == 200 and "96.0%" in page.content.decode()  # the correct rate, from the rollups
    assert api.status_code == 200 and api.json()["node"] == grid.sd.code
    assert "supervision_pointday" in _tables(replica.captured_queries)
    assert "assessment_scheme" in _tables(replica.captured_queries)
    # The primary served only the session and the sign-in check, none of the figures.
    assert "supervision_pointday" not in _tables(primary.captured_queries)
    assert "assessment_scheme" not in _tables(primary.captured_queries)
    assert "django_session" in _tables(primary.captured_queries)
