"""Writing to the points ledger. Every function books entries and moves the balance in one transaction."""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Sum
from django.utils import timezone

from audit.services import audit_batch, audit_bulk_created, audit_created, audit_updated, saved_user, snapshot
from grid.models import GridNode, Household
from grid.scope import Scope
from lib.bilingual import Msg
from lib.clock import local_today
from lib.idempotency import idempotency_key
from points.models import EntryKind, LedgerEntry, PointRule, PointsAccount, Redemption, Reward
from supervision.models import Observation, Outcome

NOT_ENOUGH = Msg("积分不足。", "Not enough points.")
OUT_OF_STOCK = Msg("该礼品已兑完。", "This reward is out of stock.")


def rule_for(subdistrict_id: int | None, on: datetime.date) -> PointRule:
    # Shanghai's Green Account when nobody configured anything: 10 points a correct drop-off, at most 20 a day.
    return PointRule.in_force(subdistrict_id, on) or PointRule(effective_from=datetime.date(2019, 7, 1))


def _add_to_balances(totals: dict[int, int], subdistrict_id: dict[int, int]) -> None:
    """Credits only: create missing accounts, then add."""
    existing = set(
        PointsAccount.objects.filter(household_id__in=list(totals)).values_list("household_id", flat=True)
    )
    PointsAccount.objects.bulk_create(
        [
            PointsAccount(household_id=h, subdistrict_id=subdistrict_id[h], balance=0)
            for h in totals
            if h not in existing
        ],
        ignore_conflicts=True,
    )
    by_amount: dict[int, list[int]] = defaultdict(list)
    for household_id, amount in totals.items():
        by_amount[amount].append(household_id)
    for amount, ids in by_amount.items():
        for i in range(0, len(ids), 900):
            PointsAccount.objects.filter(household_id__in=ids[i : i + 900]).update(
                balance=F("balance") + amount
            )


@transaction.atomic
def points_credit_day(*, subdistrict: GridNode, day: datetime.date) -> int:
    """Credit every verified correct drop-off of a day, up to the daily cap per household. Re-running the
    same day books nothing twice (each drop-off's entry is keyed by its record). Returns the number of
    entries booked.

    Audited as one entry per run (`audit.services.audit_batch`: how many entries, the day, the points in
    total), not one per credit: the job books one entry per correct drop-off of the whole sub-district, as
    many again as the bin-side records, which are themselves audited by batch (supervision.ingest) and are
    what a disputed credit is checked against. Nothing booked, nothing logged (a re-run)."""
    rule = rule_for(subdistrict.pk, day)
    if rule.per_correct_drop == 0:
        return 0
    already = dict(
        LedgerEntry.objects.filter(subdistrict_id=subdistrict.pk, day=day, kind=EntryKind.DROP)
        .values_list("household_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    booked_keys = set(
        LedgerEntry.objects.filter(subdistrict_id=subdistrict.pk, day=day, kind=EntryKind.DROP).values_list(
            "key", flat=True
        )
    )
    credited: dict[int, int] = defaultdict(int, already)
    new: list[tuple[Any, ...]] = []
    drops = (
        Observation.objects.filter(
            subdistrict_id=subdistrict.pk, day=day, outcome=Outcome.CORRECT, household__isnull=False
        )
        .order_by("observed_at")
        .values_list("client_id", "household_id")
    )
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    day_value = ops.adapt_datefield_value(day)
    for client_id, household_id in drops.iterator(chunk_size=5000):
        key = f"drop:{client_id}"
        if key in booked_keys:
            continue
        room = rule.daily_cap - credited[household_id]
        amount = min(rule.per_correct_drop, room)
        if amount <= 0:
            continue
        credited[household_id] += amount
        new.append((subdistrict.pk, household_id, EntryKind.DROP.value, amount, key, day_value, now, ""))
    if connection.vendor == "postgresql":
        booked, total = _pg_book_credits(new)
        _audit_credits(subdistrict, day, booked, total)
        return booked
    table = ops.quote_name(LedgerEntry._meta.db_table)
    sql = (
        f"INSERT INTO {table} (subdistrict_id, household_id, kind, amount, key, day, created_at, reason) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (key) DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, new)
    totals: dict[int, int] = defaultdict(int)
    for _sd, household_id, _k, amount, *_rest in new:
        totals[household_id] += amount
    _add_to_balances(totals, dict.fromkeys(totals, subdistrict.pk))
    _audit_credits(subdistrict, day, len(new), sum(totals.values()))
    return len(new)


def _audit_run(
    *,
    actor: Any,
    subdistrict: GridNode,
    kind: str,
    key: str,
    day: datetime.date,
    booked: int,
    total: int,
    reason: str,
) -> None:
    """One audit entry for a job's run over a sub-district's ledger (`audit.services.audit_batch`): how many
    entries of `kind` it booked and their points in total; nothing when it booked none (a re-run)."""
    if booked:
        audit_batch(
            actor=actor,
            model=LedgerEntry,
            subdistrict_id=subdistrict.pk,
            key=key,
            created=booked,
            fields={"kind": kind, "day": day, "amount": total},
            reason=reason,
        )


def _audit_credits(subdistrict: GridNode, day: datetime.date, booked: int, total: int) -> None:
    _audit_run(
        actor=None,
        subdistrict=subdistrict,
        kind=EntryKind.DROP.value,
        key=f"drop:{subdistrict.pk}:{day}",
        day=day,
        booked=booked,
        total=total,
        reason="daily drop-off credits",
    )


def _pg_book_credits(new: list[tuple[Any, ...]]) -> tuple[int, int]:
    """PostgreSQL: COPY the entries in, then one statement books the new ones and adds them to the balances.
    Returns (entries booked, points booked)."""
    ledger = connection.ops.quote_name(LedgerEntry._meta.db_table)
    accounts = connection.ops.quote_name(PointsAccount._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS points_load (subdistrict_id bigint, household_id bigint, kind varchar(10), "
            "amount integer, key varchar(80), day date, created_at timestamptz, reason varchar(200)) ON COMMIT DELETE ROWS"
        )
        with cursor.copy("COPY points_load FROM STDIN") as copy:
            for row in new:
                copy.write_row(row)
        cursor.execute(
            f"""
            WITH ins AS (
                INSERT INTO {ledger} (subdistrict_id, household_id, kind, amount, key, day, created_at, reason)
                SELECT * FROM points_load ORDER BY key ON CONFLICT (key) DO NOTHING
                RETURNING subdistrict_id, household_id, amount
            ), acc AS (
                INSERT INTO {accounts} (household_id, subdistrict_id, balance)
                SELECT household_id, MIN(subdistrict_id), SUM(amount) FROM ins GROUP BY household_id ORDER BY household_id
                ON CONFLICT (household_id) DO UPDATE SET balance = {accounts}.balance + excluded.balance
            )
            SELECT COUNT(*), COALESCE(SUM(amount), 0) FROM ins
            """
        )
        booked, total = cursor.fetchone()
        cursor.execute("TRUNCATE points_load")
    return int(booked), int(total)


def _book(
    *,
    household: Household,
    kind: str,
    amount: int,
    key: str,
    actor: Any,
    reason: str = "",
    reverses: LedgerEntry | None = None,
    audited: bool = True,
) -> LedgerEntry:
    """Book one entry and move the balance; a debit that would go below zero is refused. The entry is
    audited (a redemption, a reversal, a credit: each one a household may dispute) unless the caller
    audits its batch itself (`audited=False`)."""
    account, _ = PointsAccount.objects.get_or_create(
        household=household, defaults={"subdistrict_id": household.subdistrict_id}
    )
    if amount < 0:
        moved = PointsAccount.objects.filter(pk=account.pk, balance__gte=-amount).update(
            balance=F("balance") + amount
        )
        if not moved:
            raise ValidationError(str(NOT_ENOUGH))
    else:
        PointsAccount.objects.filter(pk=account.pk).update(balance=F("balance") + amount)
    entry = LedgerEntry.objects.create(
        subdistrict_id=household.subdistrict_id,
        household=household,
        kind=kind,
        amount=amount,
        key=key,
        day=local_today(),
        created_by=saved_user(actor),
        reason=reason[:200],
        reverses=reverses,
    )
    if audited:
        # The entry carries its own subdistrict_id: the log's key costs no query.
        audit_created(actor=actor, obj=entry, reason=reason)
    return entry


def points_redeem(*, actor: Any, household: Household, reward: Reward, request_key: str) -> Redemption:
    """Redeem at the community counter. `request_key` comes from the form, so a double click or a retry
    redeems once: the form carries a fresh key made when it was rendered. InvalidInput (zh/en) for an empty
    or malformed key (lib.idempotency: an empty key would be shared by every keyless request);
    PermissionDenied when the household is outside the actor's scope."""
    Scope.of(actor).require_household(household)
    key = f"redeem:{idempotency_key(request_key, max_length=64)}"
    existing = LedgerEntry.objects.filter(key=key).first()
    if existing is not None:
        return existing.redemption
    try:
        with transaction.atomic():
            locked = Reward.objects.select_for_update().get(pk=reward.pk)
            if not locked.active or locked.stock <= 0:
                raise ValidationError(str(OUT_OF_STOCK))
            entry = _book(
                household=household,
                kind=EntryKind.REDEEM,
                amount=-locked.cost,
                key=key,
                actor=actor,
                reason=locked.name,
            )
            before = snapshot(locked)
            Reward.objects.filter(pk=locked.pk).update(stock=F("stock") - 1)
            locked.stock -= 1  # what the UPDATE wrote (the row is locked)
            redemption = Redemption.objects.create(
                entry=entry,
                reward=locked,
                household=household,
                by=saved_user(actor),
            )
            # A redemption and the stock it took are things a resident or a counter clerk may dispute.
            audit_created(actor=actor, obj=redemption, reason=f"redeem {key}"[:200])
            audit_updated(actor=actor, obj=locked, before=before, reason=f"redemption {redemption.pk}")
            return redemption
    except IntegrityError:
        # The same request arrived twice at once: the other one booked it.
        return LedgerEntry.objects.get(key=key).redemption


@transaction.atomic
def points_void(*, actor: Any, entry: LedgerEntry, reason: str) -> LedgerEntry:
    """Undo a wrong entry with a reversing one (never a delete). PermissionDenied outside the actor's scope."""
    Scope.of(actor).require_household(entry.household)
    if not reason.strip():
        raise ValidationError(str(Msg("请说明原因。", "Give a reason.")))
    if entry.kind == EntryKind.REVERSAL or hasattr(entry, "reversed_by"):
        raise ValidationError(str(Msg("该记录已冲销。", "This entry has already been reversed.")))
    household = Household.objects.get(pk=entry.household_id)
    reversal = _book(
        household=household,
        kind=EntryKind.REVERSAL,
        amount=-entry.amount,
        key=f"void:{entry.pk}",
        actor=actor,
        reason=reason,
        reverses=entry,
    )
    if entry.kind == EntryKind.REDEEM:
        reward = Reward.objects.select_for_update().filter(redemptions__entry=entry).first()
        if reward is not None:
            before = snapshot(reward)
            Reward.objects.filter(pk=reward.pk).update(stock=F("stock") + 1)
            reward.stock += 1
            audit_updated(actor=actor, obj=reward, before=before, reason=f"void of entry {entry.pk}")
    return reversal


@transaction.atomic
def points_expire(*, subdistrict: GridNode, year: int, actor: Any = None) -> int:
    """Year-end: every positive balance of the year expires (one entry per household, once). Returns how
    many expired. Audited as one entry for the run (`audit.services.audit_batch`: how many, the points in
    total), like the daily credits: a job over every household of the sub-district, where the ledger itself
    keeps each household's expiry (kind, amount, day) for a disputed balance."""
    n = 0
    total = 0
    for account in PointsAccount.objects.select_for_update().filter(
        subdistrict_id=subdistrict.pk, balance__gt=0
    ):
        household = Household.objects.get(pk=account.household_id)
        key = f"expire:{account.household_id}:{year}"
        if LedgerEntry.objects.filter(key=key).exists():
            continue
        _book(
            household=household,
            kind=EntryKind.EXPIRE,
            amount=-account.balance,
            key=key,
            actor=actor,
            reason=f"{year} year-end expiry",
            audited=False,
        )
        n += 1
        total -= account.balance
    _audit_run(
        actor=actor,
        subdistrict=subdistrict,
        kind=EntryKind.EXPIRE.value,
        key=f"expire:{subdistrict.pk}:{year}",
        day=local_today(),
        booked=n,
        total=total,
        reason=f"{year} year-end expiry",
    )
    return n


def balance_from_ledger(household: Household) -> int:
    return LedgerEntry.objects.filter(household=household).aggregate(s=Sum("amount"))["s"] or 0


def points_credit_once(*, actor: Any, household: Household, amount: int, key: str, reason: str) -> bool:
    """Credit points for one cause (an activity attended, …) once: the ledger's unique key decides."""
    return points_credit_each(actor=actor, credits=[(household, amount, key)], reason=reason) == 1


@transaction.atomic
def points_credit_each(*, actor: Any, credits: list[tuple[Household, int, str]], reason: str) -> int:
    """Credit each (household, amount, key) once — an activity's attendees — where the ledger's unique key
    decides; returns how many were booked. Each credit is audited (a household may dispute its own), in one
    INSERT for them all, named with the households' buildings read in one query: auditing adds no query
    per credit."""
    credits = [(h, amount, key) for h, amount, key in credits if amount > 0]
    if not credits:
        return 0
    done = set(
        LedgerEntry.objects.filter(key__in=[key for _h, _a, key in credits]).values_list("key", flat=True)
    )
    todo = [(h, amount, key) for h, amount, key in credits if key not in done]
    # The entry's name in the log is its household's ("3号楼 201"): the buildings in one query.
    named = Household.objects.select_related("building").in_bulk([h.pk for h, _a, _k in todo])
    entries = []
    for household, amount, key in todo:
        if key in done:  # the same key twice in one call
            continue
        done.add(key)
        entries.append(
            _book(
                household=named.get(household.pk, household),
                kind=EntryKind.ACTIVITY,
                amount=amount,
                key=key,
                actor=actor,
                reason=reason,
                audited=False,
            )
        )
    audit_bulk_created(actor=actor, objs=entries, reason=reason)
    return len(entries)
