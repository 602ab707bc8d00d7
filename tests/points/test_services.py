"""Green-account points: crediting with the daily cap, idempotency, redemptions, reversals, expiry, and the
ledger's invariants under random sequences (hypothesis) and parallel redemptions (PostgreSQL)."""

from __future__ import annotations

import datetime
import threading
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grid.models import Household
from lib.clock import SHANGHAI, local_today
from points.models import EntryKind, LedgerEntry, PointRule, PointsAccount, Reward
from points.services import balance_from_ledger, points_credit_day, points_expire, points_redeem, points_void
from supervision.ingest import Row, write_rows
from supervision.services import point_create
from tests.conftest import Grid, build_grid


def drops(grid: Grid, household: Household, day: datetime.date, outcomes: list[str]) -> None:
    point = point_create(actor=None, community=grid.c1, name=f"点{uuid.uuid4().hex[:4]}")
    rows = []
    for i, outcome in enumerate(outcomes):
        at = datetime.datetime.combine(day, datetime.time(7, i), tzinfo=SHANGHAI)
        rows.append(
            Row(uuid.uuid4(), grid.sd.pk, grid.c1.pk, point.pk, household.pk, at, day, "wet", outcome, "")
        )
    write_rows(rows, recorded_by=None)


def reward(grid: Grid, cost: int = 30, stock: int = 5) -> Reward:
    return Reward.objects.create(subdistrict=grid.sd, name="环保袋", cost=cost, stock=stock)


@pytest.mark.django_db
def test_credit_respects_value_cap_and_is_idempotent(grid: Grid) -> None:
    day = local_today() - datetime.timedelta(days=1)
    drops(grid, grid.h1, day, ["correct", "correct", "correct", "mixed"])
    drops(grid, grid.h_other, day, ["correct"])
    assert points_credit_day(subdistrict=grid.sd, day=day) == 3  # 10 + 10 for h1 (cap 20), 10 for the other
    assert PointsAccount.objects.get(household=grid.h1).balance == 20
    assert PointsAccount.objects.get(household=grid.h_other).balance == 10
    assert points_credit_day(subdistrict=grid.sd, day=day) == 0
    assert balance_from_ledger(grid.h1) == 20


@pytest.mark.django_db
def test_rule_versions_apply_by_day(grid: Grid) -> None:
    day = local_today() - datetime.timedelta(days=1)
    PointRule.objects.create(effective_from=day, per_correct_drop=5, daily_cap=100)
    drops(grid, grid.h1, day, ["correct"] * 3)
    drops(grid, grid.h1, day - datetime.timedelta(days=1), ["correct"] * 3)
    points_credit_day(subdistrict=grid.sd, day=day)
    points_credit_day(subdistrict=grid.sd, day=day - datetime.timedelta(days=1))
    assert PointsAccount.objects.get(household=grid.h1).balance == 15 + 20


@pytest.mark.django_db
def test_redeem_void_and_expiry(grid: Grid, personas: dict) -> None:
    day = local_today() - datetime.timedelta(days=1)
    drops(grid, grid.h1, day, ["correct", "correct"])
    points_credit_day(subdistrict=grid.sd, day=day)
    bag = reward(grid, cost=15, stock=1)
    redemption = points_redeem(
        actor=personas["community_secretary"], household=grid.h1, reward=bag, request_key="r1"
    )
    assert points_redeem(actor=None, household=grid.h1, reward=bag, request_key="r1") == redemption  # a retry
    bag.refresh_from_db()
    assert bag.stock == 0 and PointsAccount.objects.get(household=grid.h1).balance == 5
    with pytest.raises(ValidationError):
        points_redeem(actor=None, household=grid.h1, reward=bag, request_key="r2")  # out of stock
    points_void(actor=personas["community_secretary"], entry=redemption.entry, reason="兑错了")
    bag.refresh_from_db()
    assert bag.stock == 1 and PointsAccount.objects.get(household=grid.h1).balance == 20
    credit = LedgerEntry.objects.filter(household=grid.h1, kind=EntryKind.DROP).first()
    assert credit is not None
    points_void(actor=None, entry=credit, reason="误记")
    with pytest.raises(ValidationError):
        points_void(actor=None, entry=credit, reason="again")
    assert points_expire(subdistrict=grid.sd, year=day.year) == 1
    assert points_expire(subdistrict=grid.sd, year=day.year) == 0
    assert PointsAccount.objects.get(household=grid.h1).balance == 0 == balance_from_ledger(grid.h1)


@pytest.mark.django_db
def test_a_void_that_would_go_negative_is_refused(grid: Grid) -> None:
    day = local_today() - datetime.timedelta(days=1)
    drops(grid, grid.h1, day, ["correct"])
    points_credit_day(subdistrict=grid.sd, day=day)
    points_redeem(actor=None, household=grid.h1, reward=reward(grid, cost=10), request_key="x")
    credit = LedgerEntry.objects.get(household=grid.h1, kind=EntryKind.DROP)
    with pytest.raises(ValidationError):
        points_void(actor=None, entry=credit, reason="spent already")
    assert PointsAccount.objects.get(household=grid.h1).balance == 0


operations = st.lists(
    st.one_of(
        st.tuples(st.just("credit"), st.integers(0, 4)),
        st.tuples(st.just("redeem"), st.integers(1, 40)),
        st.tuples(st.just("void"), st.integers(0, 30)),
        st.tuples(st.just("retry"), st.integers(0, 30)),
    ),
    max_size=25,
)


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=operations)
def test_ledger_invariants(ops: list[tuple[str, int]]) -> None:
    from django.db import transaction

    with transaction.atomic():
        grid = build_grid()
        day = local_today() - datetime.timedelta(days=10)
        prize = reward(grid, cost=7, stock=1000)
        keys: list[str] = []
        for n, (op, arg) in enumerate(ops):
            try:
                if op == "credit":
                    drops(grid, grid.h1, day + datetime.timedelta(days=n % 5), ["correct"] * arg)
                    points_credit_day(subdistrict=grid.sd, day=day + datetime.timedelta(days=n % 5))
                elif op == "redeem":
                    prize.cost = arg
                    prize.save()
                    keys.append(f"k{n}")
                    points_redeem(actor=None, household=grid.h1, reward=prize, request_key=keys[-1])
                elif op == "retry" and keys:
                    points_redeem(
                        actor=None, household=grid.h1, reward=prize, request_key=keys[arg % len(keys)]
                    )
                elif op == "void":
                    entries = list(
                        LedgerEntry.objects.filter(household=grid.h1).exclude(kind=EntryKind.REVERSAL)
                    )
                    if entries:
                        points_void(actor=None, entry=entries[arg % len(entries)], reason="test")
            except ValidationError:
                pass
            account = PointsAccount.objects.filter(household=grid.h1).first()
            balance = account.balance if account else 0
            assert balance >= 0
            assert balance == balance_from_ledger(grid.h1)
            per_day = LedgerEntry.objects.filter(household=grid.h1, kind=EntryKind.DROP).values_list(
                "day", "amount"
            )
            totals: dict[datetime.date, int] = {}
            for d, a in per_day:
                totals[d] = totals.get(d, 0) + a
            assert all(v <= 20 for v in totals.values())
        transaction.set_rollback(True)


@pytest.mark.django_db(transaction=True)
def test_parallel_redemptions_of_the_last_points(grid: Grid) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("parallel writers need PostgreSQL")
    day = local_today() - datetime.timedelta(days=1)
    drops(grid, grid.h1, day, ["correct", "correct"])
    points_credit_day(subdistrict=grid.sd, day=day)  # 20 points: enough for two of the 10-point rewards
    prize = reward(grid, cost=10, stock=100)
    outcomes: list[str] = []
    barrier = threading.Barrier(8)

    def attempt(i: int) -> None:
        barrier.wait()
        try:
            points_redeem(actor=None, household=grid.h1, reward=prize, request_key=f"parallel-{i}")
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 2 and outcomes.count("refused") == 6
    assert PointsAccount.objects.get(household=grid.h1).balance == 0 == balance_from_ledger(grid.h1)
    prize.refresh_from_db()
    assert prize.stock == 98


@pytest.mark.django_db
def test_counter_and_statement_pages(grid: Grid, personas: dict) -> None:
    from tests.conftest import client_for

    day = local_today() - datetime.timedelta(days=1)
    drops(grid, grid.h1, day, ["correct", "correct"])
    points_credit_day(subdistrict=grid.sd, day=day)
    prize = reward(grid, cost=15, stock=3)
    client = client_for(personas["community_secretary"])
    page = client.get(f"/points/counter/?h={grid.h1.code}").content.decode()
    assert 'id="balance">20<' in page and "环保袋" in page
    form = {"household": grid.h1.code, "reward": prize.pk, "request_key": "abc"}
    client.post("/points/counter/", form)
    client.post("/points/counter/", form)  # double click
    assert PointsAccount.objects.get(household=grid.h1).balance == 5
    statement = client_for(personas["resident"]).get(f"/points/h/{grid.h1.code}/").content.decode()
    assert 'id="balance">5<' in statement and "-15" in statement
    assert client_for(personas["resident"]).get(f"/points/h/{grid.h_other.code}/").status_code == 404
    outsider = client_for(personas["outsider"]).get(f"/points/counter/?h={grid.h1.code}").content.decode()
    assert 'id="balance"' not in outsider


@pytest.mark.django_db
def test_staff_reverse_an_entry_from_the_statement_and_see_leaders(grid: Grid, personas: dict) -> None:
    from tests.conftest import client_for

    day = local_today() - datetime.timedelta(days=1)
    drops(grid, grid.h1, day, ["correct", "correct"])
    points_credit_day(subdistrict=grid.sd, day=day)
    entry = LedgerEntry.objects.filter(household=grid.h1).first()
    assert entry is not None
    resident = client_for(personas["resident"])
    assert resident.post(f"/points/h/{grid.h1.code}/", {"entry": entry.pk, "reason": "x"}).status_code == 403
    secretary = client_for(personas["community_secretary"])
    secretary.post(f"/points/h/{grid.h1.code}/", {"entry": entry.pk, "reason": "重复记分"})
    assert PointsAccount.objects.get(household=grid.h1).balance == 10
    assert LedgerEntry.objects.filter(reverses=entry, reason="重复记分").exists()
    page = secretary.get(f"/points/n/{grid.c1.code}/leaders/").content.decode()
    assert grid.h1.code in page and ">10<" in page


def _rendered_key(page: str) -> str:
    import re

    match = re.search(r'name="request_key" value="([^"]+)"', page)
    assert match is not None, "the counter form carries no request key"
    return match[1]


@pytest.mark.django_db
@pytest.mark.parametrize("empty", ["", "   ", None, "\x00"])
def test_redeem_refuses_an_empty_or_malformed_key_instead_of_sharing_it(
    grid: Grid, personas: dict, empty: str | None
) -> None:
    from lib.validation import InvalidInput

    day = local_today() - datetime.timedelta(days=1)
    drops(grid, grid.h1, day, ["correct", "correct"])
    points_credit_day(subdistrict=grid.sd, day=day)
    prize = reward(grid, cost=5, stock=5)
    for _ in range(2):  # the second keyless redemption used to answer the first one's result
        with pytest.raises(InvalidInput) as refused:
            points_redeem(actor=None, household=grid.h1, reward=prize, request_key=empty)  # type: ignore[arg-type]
        assert refused.value.msg.zh and refused.value.msg.en
    with pytest.raises(InvalidInput):  # too long: a cut key would not find its row again, so it is refused
        points_redeem(actor=None, household=grid.h1, reward=prize, request_key="x" * 65)
    assert not LedgerEntry.objects.filter(kind=EntryKind.REDEEM).exists()
    assert PointsAccount.objects.get(household=grid.h1).balance == 20


@pytest.mark.django_db
def test_counter_refuses_a_keyless_post_and_each_rendered_form_redeems_once(
    grid: Grid, personas: dict
) -> None:
    from tests.conftest import client_for

    day = local_today() - datetime.timedelta(days=1)
    drops(grid, grid.h1, day, ["correct", "correct"])
    points_credit_day(subdistrict=grid.sd, day=day)
    prize = reward(grid, cost=5, stock=5)
    client = client_for(personas["community_secretary"])
    keyless = {"household": grid.h1.code, "reward": prize.pk}
    for _ in range(2):
        page = client.post("/points/counter/", keyless, follow=True).content.decode()
        assert "请求缺少编号" in page and "已兑换" not in page and "Redeemed" not in page
    assert PointsAccount.objects.get(household=grid.h1).balance == 20

    url = f"/points/counter/?h={grid.h1.code}"
    first, second = (
        _rendered_key(client.get(url).content.decode()),
        _rendered_key(client.get(url).content.decode()),
    )
    assert first != second
    client.post("/points/counter/", {**keyless, "request_key": first})
    client.post("/points/counter/", {**keyless, "request_key": second})
    client.post("/points/counter/", {**keyless, "request_key": second})  # the same form sent again
    assert LedgerEntry.objects.filter(household=grid.h1, kind=EntryKind.REDEEM).count() == 2
    assert PointsAccount.objects.get(household=grid.h1).balance == 10
