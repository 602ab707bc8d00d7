"""Supervision's say in who may act for a household beyond their scope (registered in supervision/apps.py
into `grid.scan.HOUSEHOLD_REACH`, which the grid asks without importing supervision)."""

from __future__ import annotations

from accounts.models import User
from grid.models import Household


def records_at_households_point(actor: User, household: Household) -> bool:
    """The actor records at the drop-off point the household brings its waste to (a grid worker on bin duty
    sees households beyond their own micro-grid there)."""
    # Imported here, not at the top: this module loads with the app registry (apps.py), and ingest's imports
    # would add ~70 ms to every process start, the guide's cold start included (bench/guide_speed.py).
    from supervision.ingest.observations import points_for

    return (
        bool(household.drop_off_point_id)
        and points_for(actor).filter(pk=household.drop_off_point_id).exists()
    )
