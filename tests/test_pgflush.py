"""The suite's own PostgreSQL flush (tests/pgflush.py) leaves what Django's flush leaves."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from accounts.models import User
from grid.models import GridNode, Household
from tests.conftest import Grid
from tests.pgflush import empty_tables


@pytest.mark.django_db(transaction=True)
def test_every_row_is_deleted_whatever_the_foreign_keys(grid: Grid, personas: dict) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite keeps Django's flush")
    full = empty_tables("default")
    # Households point at nodes and users at nodes: deleted in name order, no foreign key stopped it.
    assert {"grid_gridnode", "grid_household", "accounts_user"} <= set(full)
    assert not GridNode.objects.exists() and not Household.objects.exists() and not User.objects.exists()
    assert not ContentType.objects.exists()  # as after TRUNCATE; the post_migrate signal brings them back
