"""The synthetic city generator: sub-districts of the demo's shape, records through the bulk path with the
rollups equal to them, deterministic (a second run adds nothing)."""

from __future__ import annotations

import io

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


@pytest.mark.django_db
def test_rollups_reconcile_command_mends_and_says_so() -> None:
    call_command("generate_city", households=600, days=2, quiet=True)
    out = io.StringIO()
    call_command("rollups_reconcile", days=3, quiet=True, stdout=out)  # right at ingest: nothing to mend
    assert out.getvalue() == ""
    row = PointDay.objects.order_by("day", "point_id", "category").first()
    assert row is not None
    PointDay.objects.filter(pk=row.pk).update(total=row.total + 1)
    with pytest.raises(SystemExit) as exit_:
        call_command("rollups_reconcile", "--subdistrict", "C001", days=3, quiet=True, stdout=out)
    assert exit_.value.code == 1 and "C001" in out.getvalue() and "1 changed" in out.getvalue()
    assert PointDay.objects.get(pk=row.pk).total == row.total
    with pytest.raises(SystemExit) as exit_:
        call_command("rollups_reconcile", "--subdistrict", "NOPE", quiet=True, stderr=io.StringIO())
    assert exit_.value.code == 2
