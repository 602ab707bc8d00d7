"""The synthetic city generator: sub-districts of the demo's shape, records through the bulk path with the
rollups equal to them, deterministic (a second run adds nothing)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db.models import Sum

from grid.models import GridNode, Household
from supervision.models import HouseholdDay, Observation, PointDay


@pytest.mark.django_db
def test_generate_city_twice_is_the_same_city() -> None:
    call_command("generate_city", households=1200, days=2, quiet=True)
    sds = list(GridNode.objects.filter(level="subdistrict").order_by("code"))
    assert [s.code for s in sds] == ["C001"] and sds[0].parent and sds[0].parent.code == "SH-D01"
    households = Household.objects.count()
    records = Observation.objects.count()
    assert 1100 <= households <= 1300
    assert 1.6 * 2 * households <= records <= 2.4 * 2 * households  # about two drop-offs a household a day
    assert PointDay.objects.aggregate(n=Sum("total"))["n"] == records
    assert (
        HouseholdDay.objects.aggregate(n=Sum("total"))["n"]
        == Observation.objects.exclude(household=None).count()
    )
    days = set(Observation.objects.values_list("day", flat=True))
    assert len(days) == 2
    call_command("generate_city", households=1200, days=2, quiet=True)
    assert (Household.objects.count(), Observation.objects.count()) == (households, records)
