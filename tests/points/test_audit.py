"""What a household or a property company may dispute reaches the sub-district admin's /audit/ page: the
points ledger's entries (a redemption, a reversal, an activity's credits one by one; the daily drop-off
credits and the year-end expiry one entry per run) and the volunteers' purity checks, each keyed by its
sub-district, and auditing a bulk path adds no query per record."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role, User
from audit.models import AuditEntry
from grid.models import Household
from lib.clock import local_today
from points.models import LedgerEntry, PointsAccount
from points.services import points_credit_day, points_credit_each, points_expire, points_redeem, points_void
from supervision.services import point_create
from tests.conftest import Grid, client_for
from tests.points.test_services import drops, reward

LEDGER = LedgerEntry._meta.label


def _audit_page(user: User, query: str = "") -> str:
    client = client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    response = client.get(f"/audit/{query}")
    assert response.status_code == 200
    return response.content.decode()


def _audit_inserts(queries: CaptureQueriesContext) -> int:
    table = AuditEntry._meta.db_table
    return sum(
        1
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith("INSERT") and table in q["sql"]
    )


@pytest.mark.django_db
def test_daily_credits_are_one_entry_per_run_in_the_sub_district(grid: Grid, personas: dict) -> None:
    day = local_today() - datetime.timedelta(days=1)
    drops(grid, grid.h1, day, ["correct", "correct", "correct"])
    drops(grid, grid.h_other, day, ["correct"])
    assert points_credit_day(subdistrict=grid.sd, day=day) == 3
    assert points_credit_day(subdistrict=grid.sd, day=day) == 0  # a re-run books and logs nothing
    batch = AuditEntry.objects.get(model=LEDGER)
    assert batch.subdistrict_id == grid.sd.pk and batch.object_id.startswith("batch:")
    assert batch.changes == {"created": 3, "fields": {"kind": "drop", "day": str(day), "amount": 30}}
    page = _audit_page(personas[Role.SUBDISTRICT_ADMIN], f"?kind={LEDGER}")
    assert "3 条记录" in page and "正确投放" in page and str(day) in page


@pytest.mark.django_db
def test_auditing_the_daily_credits_costs_no_query_per_household(grid: Grid) -> None:
    day = local_today() - datetime.timedelta(days=1)
    few = list(Household.objects.filter(building=grid.b1).order_by("pk")[:2])
    many = list(Household.objects.filter(building=grid.b2).order_by("pk")[:8])
    for h in few:
        drops(grid, h, day, ["correct"])
    for h in many:
        drops(grid, h, day - datetime.timedelta(days=1), ["correct"])
    with CaptureQueriesContext(connection) as small:
        assert points_credit_day(subdistrict=grid.sd, day=day) == 2
    with CaptureQueriesContext(connection) as large:
        assert points_credit_day(subdistrict=grid.sd, day=day - datetime.timedelta(days=1)) == 8
    assert len(large.captured_queries) == len(small.captured_queries)
    assert _audit_inserts(small) == _audit_inserts(large) == 1


@pytest.mark.django_db
def test_redemption_and_reversal_are_audited_with_their_sub_district(grid: Grid, personas: dict) -> None:
    day = local_today() - datetime.timedelta(days=1)
    drops(grid, grid.h1, day, ["correct", "correct"])
    points_credit_day(subdistrict=grid.sd, day=day)
    secretary = personas[Role.COMMUNITY_SECRETARY]
    redemption = points_redeem(
        actor=secretary, household=grid.h1, reward=reward(grid, cost=15), request_key="k1"
    )
    reversal = points_void(actor=secretary, entry=redemption.entry, reason="兑错了礼品")
    for entry in (redemption.entry, reversal):
        logged = AuditEntry.objects.get(model=LEDGER, object_id=str(entry.pk))
        assert logged.subdistrict_id == grid.sd.pk and logged.actor == secretary
        assert logged.changes["amount"] == entry.amount
    page = _audit_page(personas[Role.SUBDISTRICT_ADMIN], f"?kind={LEDGER}")
    assert "兑换" in page and "冲销" in page and "兑错了礼品" in page and "-15" in page


@pytest.mark.django_db
def test_activity_credits_are_audited_each_in_one_insert(grid: Grid, personas: dict) -> None:
    households = list(Household.objects.filter(building=grid.b1).order_by("pk")[:5])
    credits = [(h, 20, f"activity:T:{h.pk}") for h in households]
    AuditEntry.objects.all().delete()
    with CaptureQueriesContext(connection) as queries:
        assert (
            points_credit_each(actor=personas[Role.COMMUNITY_SECRETARY], credits=credits, reason="讲座") == 5
        )
    assert points_credit_each(actor=None, credits=credits, reason="讲座") == 0  # once
    logged = AuditEntry.objects.filter(model=LEDGER)
    assert logged.count() == 5 and set(logged.values_list("subdistrict_id", flat=True)) == {grid.sd.pk}
    assert _audit_inserts(queries) == 1
    # The entries are named by their households' buildings, read once for all (not a query per credit).
    building = grid.b1._meta.db_table
    assert sum(1 for q in queries.captured_queries if f'"{building}"' in q["sql"]) == 1
    page = _audit_page(personas[Role.SUBDISTRICT_ADMIN], f"?kind={LEDGER}")
    assert page.count("讲座") >= 5 and "1号楼" in page


@pytest.mark.django_db
def test_year_end_expiry_is_one_entry_for_the_run(grid: Grid, personas: dict) -> None:
    points_credit_each(actor=None, credits=[(grid.h1, 30, "a:1"), (grid.h_other, 12, "a:2")], reason="讲座")
    AuditEntry.objects.all().delete()
    assert points_expire(subdistrict=grid.sd, year=2025) == 2
    assert points_expire(subdistrict=grid.sd, year=2025) == 0
    batch = AuditEntry.objects.get(model=LEDGER)
    assert batch.subdistrict_id == grid.sd.pk and batch.changes["created"] == 2
    assert batch.changes["fields"]["kind"] == "expire" and batch.changes["fields"]["amount"] == -42
    assert not PointsAccount.objects.filter(balance__gt=0).exists()
    assert "年末清零" in _audit_page(personas[Role.SUBDISTRICT_ADMIN], f"?kind={LEDGER}")


@pytest.mark.django_db
def test_purity_checks_are_audited_per_bin_in_the_sub_district(grid: Grid, personas: dict) -> None:
    from supervision.models import PurityCheck

    point = point_create(actor=None, community=grid.c1, name="甲9号箱房")
    AuditEntry.objects.all().delete()
    form = {"form_id": str(uuid.uuid4()), "level_wet": "serious", "level_dry": "clean", "notes": "有塑料袋"}
    client = client_for(personas[Role.VOLUNTEER])
    with CaptureQueriesContext(connection) as queries:
        client.post(f"/supervision/p/{point.code}/purity/", form)
    inserts = _audit_inserts(queries)  # now: the next request clears the connection's query log
    client.post(f"/supervision/p/{point.code}/purity/", form)  # sent twice: nothing new, nothing logged
    checks = PurityCheck.objects.order_by("category")
    assert checks.count() == 2
    logged = AuditEntry.objects.filter(model=PurityCheck._meta.label)
    assert sorted(logged.values_list("object_id", flat=True)) == sorted(str(c.pk) for c in checks)
    assert set(logged.values_list("subdistrict_id", flat=True)) == {grid.sd.pk}
    assert set(logged.values_list("actor", flat=True)) == {personas[Role.VOLUNTEER].pk}
    assert inserts == 1
    page = _audit_page(personas[Role.SUBDISTRICT_ADMIN], f"?kind={PurityCheck._meta.label}")
    assert "严重混杂" in page and "有塑料袋" in page
