"""Taking in bin-side records: one record at a time checked, all of a batch written in one statement.

Idempotent by construction: the batch's keys go into `ObservationKey` (sub-district, client_id) with
`ON CONFLICT DO NOTHING RETURNING`, which tells which records are new whatever day they name; only those are
inserted and added to the daily rollups, in the same transaction. A retry (even one whose observed_at moved to
another day), a double submit or two phones syncing the same queue can never count a drop-off twice.
"""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from django.db import OperationalError, connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from psycopg.errors import DeadlockDetected

from accounts.models import Role, User
from audit.models import Action, AuditEntry
from grid.models import GridNode, Household
from guide.models import CategoryKey
from lib.bilingual import Msg
from supervision.models import DropOffPoint, HouseholdDay, Observation, ObservationKey, Outcome, PointDay
from supervision.plausibility import clock_offset, flags_for, flags_store

SHANGHAI = ZoneInfo("Asia/Shanghai")
RECORDERS = frozenset(
    {Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_SECRETARY, Role.GRID_WORKER, Role.VOLUNTEER, Role.PARTY_MEMBER}
)
MAX_BATCH = 5000
CATEGORIES = set(CategoryKey.values)
OUTCOMES = set(Outcome.values)
MISTAKES = {Outcome.MIXED, Outcome.BAG_NOT_BROKEN, Outcome.REFUSED}
# Advisory-lock namespace ("WGR1"): ingest holds it shared per sub-district, a rollup reconcile exclusively.
ROLLUP_LOCK = 0x57475231
# The rollups' counters: PointDay has one per outcome, HouseholdDay counts mistakes (corrected counts as fixed).
_OUTCOME_COLUMNS = ["correct", "mixed", "bag_not_broken", "corrected", "refused"]
POINT_COUNTERS = ["total", *_OUTCOME_COLUMNS, "anonymous"]
HOUSEHOLD_COUNTERS = ["total", "correct", "mistakes", "refused"]

E = {
    "not_object": Msg("每条记录应为 JSON 对象。", "Each record must be a JSON object."),
    "client_id": Msg("client_id 应为 UUID。", "client_id must be a UUID."),
    "point": Msg(
        "找不到投放点“{v}”，或不在您的范围内。", "No drop-off point “{v}” within your part of the grid."
    ),
    "household": Msg(
        "找不到住户“{v}”，或不属于该投放点所在居民区。", "No household “{v}” in the point's residential area."
    ),
    "observed_at": Msg(
        "observed_at 应为带时区的 ISO 8601 时间。", "observed_at must be ISO 8601 with a UTC offset."
    ),
    "future": Msg("记录时间比现在晚一年以上。", "observed_at is more than a year in the future."),
    "too_old": Msg("记录时间早于一年前。", "observed_at is more than a year ago."),
    "category": Msg(
        "category 应为 recyclable、hazardous、wet 或 dry。",
        "category must be recyclable, hazardous, wet or dry.",
    ),
    "outcome": Msg(
        "outcome 应为 correct、mixed、bag_not_broken、corrected 或 refused。",
        "outcome must be correct, mixed, bag_not_broken, corrected or refused.",
    ),
    "mixed_with": Msg("mixed_with 应为类别列表。", "mixed_with must be a list of categories."),
    "unknown_field": Msg("未知字段：{v}。", "Unknown field: {v}."),
    "duplicate_in_batch": Msg("同一批次中 client_id 重复。", "client_id repeated within this batch."),
}
FIELDS = {"client_id", "point", "household", "observed_at", "category", "outcome", "mixed_with"}


@dataclass
class RecordError:
    index: int
    client_id: str | None
    code: str
    msg: Msg

    def as_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "client_id": self.client_id,
            "code": self.code,
            "message": self.msg.as_dict(),
        }


@dataclass
class IngestResult:
    created: int = 0
    duplicate: int = 0
    rejected: int = 0
    errors: list[RecordError] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "duplicate": self.duplicate,
            "rejected": self.rejected,
            "errors": [e.as_dict() for e in self.errors],
        }


COPY_TYPES = ["uuid", "int8", "int8", "int8", "int8", "timestamptz", "date", "varchar", "varchar", "varchar"]


class Row(NamedTuple):
    """One record resolved to ids, its fields in the order the staging table's COPY takes them."""

    client_id: uuid.UUID
    subdistrict_id: int
    community_id: int
    point_id: int
    household_id: int | None
    observed_at: datetime.datetime
    day: datetime.date
    category: str
    outcome: str
    mixed_with: str


def points_for(user: User) -> Any:
    """Points a user may record at: those of their subtree, and those of the residential area they sit in."""
    qs = DropOffPoint.objects.filter(active=True)
    if user.is_superuser and user.node_id is None:
        return qs
    if user.node is None or not user.has_role(RECORDERS):
        return qs.none()
    node = user.node
    if node.level == "microgrid" and node.parent is not None:
        node = node.parent
    return qs.filter(community__path__startswith=node.path)


def _parse_moment(value: Any) -> datetime.datetime | None:
    """An ISO 8601 datetime with a UTC offset, or None: also for a well-formed impossible one (30 February,
    hour 25, offset +25:00), which parse_datetime reports by raising ValueError."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        moment = parse_datetime(value)
    except (ValueError, OverflowError):
        return None
    return moment if moment is not None and moment.tzinfo is not None else None


def _check(
    index: int, raw: Any, now: datetime.datetime, offset: datetime.timedelta | None = None
) -> tuple[dict[str, Any] | None, RecordError | None]:
    if not isinstance(raw, dict):
        return None, RecordError(index, None, "not_object", E["not_object"])
    cid_raw = raw.get("client_id")
    try:
        cid = uuid.UUID(str(cid_raw)) if isinstance(cid_raw, str) else None
    except ValueError:
        cid = None
    if cid is not None and cid.int == 0:  # the nil UUID: one key every client would share (lib.idempotency)
        cid = None
    if cid is None:
        return None, RecordError(
            index, str(cid_raw)[:64] if cid_raw is not None else None, "client_id", E["client_id"]
        )
    err = lambda code, msg: (None, RecordError(index, str(cid), code, msg))  # noqa: E731
    extra = set(raw) - FIELDS
    if extra:
        return err("unknown_field", E["unknown_field"].format(v=", ".join(sorted(extra))[:80]))
    if not isinstance(raw.get("point"), str) or not raw["point"]:
        return err("point", E["point"].format(v=str(raw.get("point"))[:40]))
    household = raw.get("household")
    if household is not None and (not isinstance(household, str) or not household):
        return err("household", E["household"].format(v=str(household)[:40]))
    observed = _parse_moment(raw.get("observed_at"))
    if observed is None:
        return err("observed_at", E["observed_at"])
    if offset is not None:  # the phone's clock is off by `offset` (plausibility.clock_offset)
        observed += offset
    phone_time = None
    if observed > now + datetime.timedelta(days=366):
        return err("future", E["future"])
    if observed > now + datetime.timedelta(minutes=10):
        # Later than the server's clock even after correcting: kept at the time it was received and flagged
        # for a person to look at (plausibility), never parked for good on the phone.
        phone_time, observed = observed.isoformat(), now
    if observed < now - datetime.timedelta(days=366):
        return err("too_old", E["too_old"])
    # isinstance first: a list or object is unhashable, and `in` a set would raise TypeError (a 500).
    if not isinstance(raw.get("category"), str) or raw["category"] not in CATEGORIES:
        return err("category", E["category"])
    if not isinstance(raw.get("outcome"), str) or raw["outcome"] not in OUTCOMES:
        return err("outcome", E["outcome"])
    mixed = raw.get("mixed_with", [])
    if mixed is None:
        mixed = []
    if not isinstance(mixed, list) or any(not isinstance(m, str) or m not in CATEGORIES for m in mixed):
        return err("mixed_with", E["mixed_with"])
    return {
        "client_id": cid,
        "point": raw["point"],
        "household": household,
        "observed_at": observed,
        "category": raw["category"],
        "outcome": raw["outcome"],
        "mixed_with": ",".join(sorted(set(mixed))),
        "phone_time": phone_time,
    }, None


def observations_ingest(
    *, user: User, records: Sequence[Any], device: str = "", client_time: str | None = None
) -> IngestResult:
    """Check each record on its own; write the good ones; a bad record rejects only itself. `device` names
    the device the batch came through (a token's public prefix) in the batch's audit entry; `client_time` is
    the phone's clock at sending (`X-Client-Time`), which corrects the records' times (supervision.plausibility;
    ValueError when it is not ISO 8601 with an offset). Records that look implausible are stored and flagged."""
    result = IngestResult()
    now = timezone.now()
    offset = clock_offset(client_time, now)
    checked: list[tuple[int, dict[str, Any]]] = []
    seen: set[uuid.UUID] = set()
    for i, raw in enumerate(records):
        data, error = _check(i, raw, now, offset)
        if error is None and data is not None and data["client_id"] in seen:
            error = RecordError(i, str(data["client_id"]), "duplicate_in_batch", E["duplicate_in_batch"])
        if error is not None:
            result.errors.append(error)
            continue
        assert data is not None
        seen.add(data["client_id"])
        checked.append((i, data))

    points = {p.code: p for p in points_for(user).filter(code__in={d["point"] for _, d in checked})}
    community_of = {p.pk: p.community_id for p in points.values()}
    codes = sorted({d["household"] for _, d in checked if d["household"]})
    households: dict[str, tuple[int, int]] = {}
    for i in range(0, len(codes), 900):
        households.update(
            {
                c: (pk, comm)
                # Households live on their points' sub-districts' shards; one sub-district per device in practice.
                for c, pk, comm in Household.objects.filter(
                    subdistrict_id__in={p.subdistrict_id for p in points.values()},
                    code__in=codes[i : i + 900],
                ).values_list("code", "id", "community_id")
            }
        )
    rows: list[Row] = []
    clock: dict[uuid.UUID, str] = {}
    for i, d in checked:
        point = points.get(d["point"])
        if point is None:
            result.errors.append(
                RecordError(i, str(d["client_id"]), "point", E["point"].format(v=d["point"][:40]))
            )
            continue
        household_id = None
        if d["household"]:
            found = households.get(d["household"])
            if found is None or found[1] != community_of[point.pk]:
                result.errors.append(
                    RecordError(
                        i, str(d["client_id"]), "household", E["household"].format(v=d["household"][:40])
                    )
                )
                continue
            household_id = found[0]
        observed = d["observed_at"]
        if d["phone_time"]:
            clock[d["client_id"]] = d["phone_time"]
        rows.append(
            Row(
                d["client_id"],
                point.subdistrict_id,
                point.community_id,
                point.pk,
                household_id,
                observed,
                observed.astimezone(SHANGHAI).date(),
                d["category"],
                d["outcome"],
                d["mixed_with"],
            )
        )
    # A retry of a record already stored is a duplicate even if it would now be refused (its point closed,
    # its household moved, a year gone by since the answer was lost): reported refused, the phone would show
    # a stored drop-off as not taken.
    stored = _stored_elsewhere(user, result.errors)
    result.errors = [e for e in result.errors if e.client_id not in stored]
    result.rejected = len(result.errors)
    created: set[uuid.UUID] = set()
    with transaction.atomic():  # the records and their flags together
        result.created = write_rows(
            rows,
            recorded_by=user.pk,
            device=device,
            created=created,
            note={"clock_offset_s": round(offset.total_seconds())} if offset else None,
        )
        flags_store(flags_for([r for r in rows if r.client_id in created], clock))
    result.duplicate = len(rows) - result.created + len(stored)
    result.errors.sort(key=lambda e: e.index)
    return result


# Refusals that leave no client id to look up, or that are about this batch itself.
_NOT_KEYED = {"not_object", "client_id", "duplicate_in_batch"}


def _stored_elsewhere(user: User, errors: Sequence[RecordError]) -> set[str]:
    """The client ids (as the errors spell them) among refused records that are already stored in the user's
    sub-district(s), the key's scope: a user without a node (a superuser) looks in every sub-district."""
    ids = {e.client_id for e in errors if e.code not in _NOT_KEYED and e.client_id}
    if not ids:
        return set()
    keys = ObservationKey.objects.filter(client_id__in=[uuid.UUID(i) for i in ids])
    node = user.node
    if node is not None and node.subdistrict_id is not None:
        keys = keys.filter(subdistrict_id=node.subdistrict_id)
    elif node is not None:  # above the sub-districts: each one under the node
        under = GridNode.objects.filter(path__startswith=node.path, subdistrict__isnull=False)
        keys = keys.filter(subdistrict_id__in=under.values("subdistrict_id"))
    elif not user.is_superuser:
        return set()
    return {str(k) for k in keys.values_list("client_id", flat=True)}


def _insert_sql(n: int) -> str:
    table = connection.ops.quote_name(Observation._meta.db_table)
    one = "(" + ", ".join(["%s"] * 12) + ")"
    return (
        f"INSERT INTO {table} (client_id, subdistrict_id, community_id, point_id, household_id, observed_at, day, "
        f"category, outcome, mixed_with, recorded_by_id, received_at) VALUES {', '.join([one] * n)} "
        "ON CONFLICT (subdistrict_id, day, client_id) DO NOTHING RETURNING client_id"
    )


def _key_insert_sql(n: int) -> str:
    table = connection.ops.quote_name(ObservationKey._meta.db_table)
    return (
        f"INSERT INTO {table} (subdistrict_id, client_id, day) VALUES {', '.join(['(%s, %s, %s)'] * n)} "
        "ON CONFLICT (subdistrict_id, client_id) DO NOTHING RETURNING client_id"
    )


@transaction.atomic
def write_rows(
    rows: Sequence[Row],
    *,
    recorded_by: int | None,
    device: str = "",
    created: set[uuid.UUID] | None = None,
    note: dict[str, Any] | None = None,
) -> int:
    """Insert what is new and add exactly that to the rollups, in one transaction, with one audit entry per
    sub-district of the batch (`audit_batch`, `note` added to its changes). Returns how many were new, and
    adds their client ids to `created` when given."""
    unique: dict[uuid.UUID, Row] = {}
    for r in rows:
        unique.setdefault(r.client_id, r)  # a client_id twice in one batch is one record
    rows = list(unique.values())
    if not rows:
        return 0
    if connection.vendor == "postgresql":
        new_ids = _pg_write(rows, recorded_by)
        count = sum(len(ids) for ids in new_ids.values())
        audit_batch(new_ids, recorded_by=recorded_by, device=device, duplicates=len(rows) - count, note=note)
        if created is not None:
            created.update(i for ids in new_ids.values() for i in ids)
        return count
    ops = connection.ops
    received = ops.adapt_datetimefield_value(timezone.now())
    inserted: set[str] = set()
    chunk = 80  # 12 parameters a row, under SQLite's 999-variable limit
    with connection.cursor() as cursor:
        # The idempotency keys first: a client id already stored in its sub-district (on any day) is skipped.
        fresh: set[str] = set()
        for start in range(0, len(rows), 300):
            keys = rows[start : start + 300]
            cursor.execute(
                _key_insert_sql(len(keys)),
                [
                    v
                    for r in keys
                    for v in (r.subdistrict_id, r.client_id.hex, ops.adapt_datefield_value(r.day))
                ],
            )
            fresh.update(uuid.UUID(str(v[0])).hex for v in cursor.fetchall())
        rows = [r for r in rows if r.client_id.hex in fresh]
        for start in range(0, len(rows), chunk):
            part = rows[start : start + chunk]
            params: list[Any] = []
            for r in part:
                params += [
                    r.client_id.hex,
                    r.subdistrict_id,
                    r.community_id,
                    r.point_id,
                    r.household_id,
                    ops.adapt_datetimefield_value(r.observed_at),
                    ops.adapt_datefield_value(r.day),
                    r.category,
                    r.outcome,
                    r.mixed_with,
                    recorded_by,
                    received,
                ]
            cursor.execute(_insert_sql(len(part)), params)
            inserted.update(uuid.UUID(str(v[0])).hex for v in cursor.fetchall())
    new = [r for r in rows if r.client_id.hex in inserted]
    rollups_add(new)
    by_subdistrict: dict[int, list[uuid.UUID]] = defaultdict(list)
    for r in new:
        by_subdistrict[r.subdistrict_id].append(r.client_id)
    audit_batch(
        by_subdistrict, recorded_by=recorded_by, device=device, duplicates=len(unique) - len(new), note=note
    )
    if created is not None:
        created.update(r.client_id for r in new)
    return len(new)


def audit_batch(
    new_ids: dict[int, list[uuid.UUID]],
    *,
    recorded_by: int | None,
    device: str,
    duplicates: int,
    note: dict[str, Any] | None = None,
) -> None:
    """One audit entry per sub-district of a written batch: who (the account, the device token's prefix),
    when, how many were new and how many were repeats, and the new records' client ids (up to MAX_BATCH;
    the bulk path's larger batches give the count). Measured against one entry per record (issue 13): a
    batch entry costs one row per request, a per-record entry as much again as the records themselves."""
    if not new_ids:
        return
    name = (
        User.objects.filter(pk=recorded_by).values_list("username", flat=True).first()
        if recorded_by
        else None
    )
    entries = []
    for subdistrict_id, ids in sorted(new_ids.items()):
        changes: dict[str, Any] = {
            "created": len(ids),
            "duplicates": duplicates,
            "device": device,
            **(note or {}),
        }
        if len(ids) <= MAX_BATCH:
            changes["client_ids"] = sorted(str(i) for i in ids)
        entries.append(
            AuditEntry(
                actor_id=recorded_by,
                actor_name=name or "system",
                action=Action.CREATE,
                model=Observation._meta.label,
                object_id=f"batch:{min(ids)}"[:64],
                object_repr=f"{len(ids)} records" + (f" via {device}" if device else ""),
                changes=changes,
                subdistrict_id=subdistrict_id,
                reason="ingest",
            )
        )
    AuditEntry.objects.bulk_create(entries)


def _pg_write(rows: Sequence[Row], recorded_by: int | None) -> dict[int, list[uuid.UUID]]:
    """PostgreSQL: COPY into a temporary table, then one statement inserts the new keys, the records of those
    keys, and adds exactly those records to both rollups (data-modifying CTEs share each INSERT's RETURNING)."""
    ops = connection.ops
    obs = ops.quote_name(Observation._meta.db_table)
    keys = ops.quote_name(ObservationKey._meta.db_table)
    pd = ops.quote_name(PointDay._meta.db_table)
    hd = ops.quote_name(HouseholdDay._meta.db_table)
    cols, hcols = POINT_COUNTERS, HOUSEHOLD_COUNTERS
    count = lambda cond: f"COUNT(*) FILTER (WHERE {cond})"  # noqa: E731
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS obs_load (client_id uuid, subdistrict_id bigint, community_id bigint, "
            "point_id bigint, household_id bigint, observed_at timestamptz, day date, category varchar(12), "
            "outcome varchar(16), mixed_with varchar(60)) ON COMMIT DELETE ROWS"
        )
        # The batch's sorts (key order, rollup groups) fit in memory instead of spilling to disk.
        cursor.execute("SET LOCAL work_mem = '64MB'")
        # Shared with other batches, exclusive to a reconcile of the same sub-district (see rollups_reconcile).
        for sd in sorted({r.subdistrict_id for r in rows}):
            cursor.execute("SELECT pg_advisory_xact_lock_shared(%s::int, %s::int)", [ROLLUP_LOCK, sd])
        # Binary COPY of the rows as they are (a Row is the tuple COPY takes): no text formatting either side.
        with cursor.copy(f"COPY obs_load ({', '.join(Row._fields)}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(COPY_TYPES)
            for r in rows:
                copy.write_row(r)
        cursor.execute(
            f"""
            WITH k AS (
                -- The idempotency key, whatever the day: only records whose (sub-district, client id) is new
                -- go on. A concurrent batch with the same key waits for this one and then skips it.
                INSERT INTO {keys} (subdistrict_id, client_id, day)
                SELECT subdistrict_id, client_id, day FROM obs_load ORDER BY client_id, subdistrict_id
                ON CONFLICT (subdistrict_id, client_id) DO NOTHING
                RETURNING subdistrict_id, client_id
            ), ins AS (
                INSERT INTO {obs} (client_id, subdistrict_id, community_id, point_id, household_id, observed_at, day,
                                   category, outcome, mixed_with, recorded_by_id, received_at)
                SELECT client_id, subdistrict_id, community_id, point_id, household_id, observed_at, day, category,
                       outcome, mixed_with, %s, now()
                FROM obs_load JOIN k USING (subdistrict_id, client_id)
                -- One lock order for every writer: overlapping batches cannot deadlock. The client id leads so
                -- that the sort compares abbreviated keys (5× faster than leading with the sub-district); within
                -- a sub-district's day it is also the key's order, so each index page is visited once.
                -- No ON CONFLICT here: every stored record has its key (this writer, and migration 0008 for
                -- the records before it), so a new key means no record of it on any day; a plain insert
                -- skips the speculative-insertion check (a third of the bulk path, issue 13 bench).
                ORDER BY client_id, subdistrict_id, day
                RETURNING client_id, subdistrict_id, community_id, point_id, household_id, day, category, outcome
            ), pd AS (
                INSERT INTO {pd} (subdistrict_id, community_id, point_id, day, category, {", ".join(cols)})
                SELECT subdistrict_id, community_id, point_id, day, category, COUNT(*), {count("outcome = 'correct'")},
                       {count("outcome = 'mixed'")}, {count("outcome = 'bag_not_broken'")}, {count("outcome = 'corrected'")},
                       {count("outcome = 'refused'")}, {count("household_id IS NULL")}
                FROM ins GROUP BY subdistrict_id, community_id, point_id, day, category
                ORDER BY point_id, day, category
                ON CONFLICT (subdistrict_id, point_id, day, category) DO UPDATE SET
                    {", ".join(f"{c} = {pd}.{c} + excluded.{c}" for c in cols)}
            ), hd AS (
                INSERT INTO {hd} (subdistrict_id, household_id, day, {", ".join(hcols)})
                SELECT subdistrict_id, household_id, day, COUNT(*), {count("outcome = 'correct'")},
                       {count("outcome IN ('mixed', 'bag_not_broken', 'refused')")}, {count("outcome = 'refused'")}
                FROM ins WHERE household_id IS NOT NULL GROUP BY subdistrict_id, household_id, day
                ORDER BY household_id, subdistrict_id, day
                ON CONFLICT (subdistrict_id, household_id, day) DO UPDATE SET
                    {", ".join(f"{c} = {hd}.{c} + excluded.{c}" for c in hcols)}
            )
            SELECT subdistrict_id, array_agg(client_id) FROM ins GROUP BY subdistrict_id
            """,
            [recorded_by],
        )
        created = {sd: list(ids) for sd, ids in cursor.fetchall()}
        cursor.execute("TRUNCATE obs_load")
    return created


def rollups_add(rows: Iterable[Row]) -> None:
    point_days: dict[tuple[int, Any, str], list[int]] = defaultdict(lambda: [0] * 7)
    meta: dict[tuple[int, Any, str], tuple[int, int]] = {}
    household_days: dict[tuple[int, Any], list[int]] = defaultdict(lambda: [0] * 4)
    hh_sd: dict[tuple[int, Any], int] = {}
    for r in rows:
        key = (r.point_id, r.day, r.category)
        c = point_days[key]
        meta[key] = (r.subdistrict_id, r.community_id)
        c[0] += 1
        c[1 + ["correct", "mixed", "bag_not_broken", "corrected", "refused"].index(r.outcome)] += 1
        c[6] += r.household_id is None
        if r.household_id is not None:
            h = household_days[(r.household_id, r.day)]
            hh_sd[(r.household_id, r.day)] = r.subdistrict_id
            h[0] += 1
            h[1] += r.outcome == Outcome.CORRECT
            h[2] += r.outcome in MISTAKES
            h[3] += r.outcome == Outcome.REFUSED
    if not point_days:
        return
    ops = connection.ops
    pd = ops.quote_name(PointDay._meta.db_table)
    hd = ops.quote_name(HouseholdDay._meta.db_table)
    cols = POINT_COUNTERS
    sets = ", ".join(f"{c} = {pd}.{c} + excluded.{c}" for c in cols)
    sql = (
        f"INSERT INTO {pd} (subdistrict_id, community_id, point_id, day, category, {', '.join(cols)}) "
        f"VALUES (%s, %s, %s, %s, %s, {', '.join(['%s'] * 7)}) ON CONFLICT (subdistrict_id, point_id, day, category) DO UPDATE SET {sets}"
    )
    hcols = HOUSEHOLD_COUNTERS
    hsets = ", ".join(f"{c} = {hd}.{c} + excluded.{c}" for c in hcols)
    hsql = (
        f"INSERT INTO {hd} (subdistrict_id, household_id, day, {', '.join(hcols)}) VALUES (%s, %s, %s, %s, %s, %s, %s) "
        f"ON CONFLICT (subdistrict_id, household_id, day) DO UPDATE SET {hsets}"
    )
    with connection.cursor() as cursor:
        cursor.executemany(
            sql,
            [(*meta[k], k[0], ops.adapt_datefield_value(k[1]), k[2], *v) for k, v in point_days.items()],
        )
        if household_days:
            cursor.executemany(
                hsql,
                [(hh_sd[k], k[0], ops.adapt_datefield_value(k[1]), *v) for k, v in household_days.items()],
            )


@dataclass
class Reconciled:
    """Rollup rows a reconcile had to write: zero everywhere when the rollups already equal the records."""

    added: int = 0
    changed: int = 0
    removed: int = 0

    @property
    def total(self) -> int:
        return self.added + self.changed + self.removed


# Each rollup: its table, key and counter columns, and how each counter is computed from the raw records.
_ROLLUPS = (
    (
        PointDay,
        ["subdistrict_id", "point_id", "day", "category"],
        {
            "community_id": "MIN(community_id)",
            "total": "COUNT(*)",
            **{c: f"SUM(CASE WHEN outcome = '{c}' THEN 1 ELSE 0 END)" for c in _OUTCOME_COLUMNS},
            "anonymous": "SUM(CASE WHEN household_id IS NULL THEN 1 ELSE 0 END)",
        },
        "",
    ),
    (
        HouseholdDay,
        ["subdistrict_id", "household_id", "day"],
        {
            "total": "COUNT(*)",
            "correct": "SUM(CASE WHEN outcome = 'correct' THEN 1 ELSE 0 END)",
            "mistakes": "SUM(CASE WHEN outcome IN ('mixed', 'bag_not_broken', 'refused') THEN 1 ELSE 0 END)",
            "refused": "SUM(CASE WHEN outcome = 'refused' THEN 1 ELSE 0 END)",
        },
        "AND household_id IS NOT NULL",
    ),
)


def _same_key(a: str, b: str, key: list[str]) -> str:
    return " AND ".join(f"{a}.{k} = {b}.{k}" for k in key)


@transaction.atomic
def rollups_reconcile(*, subdistrict: GridNode, start: datetime.date, end: datetime.date) -> Reconciled:
    """Make the rollups of a sub-district's days equal to its raw records (the repair path, and the nightly
    check). One pass counts the records and joins the counts with the rollups, keeping only the rows that
    differ; only those are written, so checking rollups that are right costs a GROUP BY and a join."""
    ops = connection.ops
    obs = ops.quote_name(Observation._meta.db_table)
    result = Reconciled()
    params = [subdistrict.pk, ops.adapt_datefield_value(start), ops.adapt_datefield_value(end)]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Ingest holds this lock shared while it writes: the counts below and the rollups they are compared
            # with cannot drift apart under a concurrent batch. (SQLite runs one writer at a time anyway.)
            cursor.execute("SELECT pg_advisory_xact_lock(%s::int, %s::int)", [ROLLUP_LOCK, subdistrict.pk])
            # A month of a sub-district's groups sorts in memory rather than in files on disk.
            cursor.execute("SET LOCAL work_mem = '128MB'")
        for model, key, counters, only in _ROLLUPS:
            table = ops.quote_name(model._meta.db_table)
            diff = f"rollup_diff_{model._meta.model_name}"
            cols = [*key, *counters]
            cursor.execute(f"DROP TABLE IF EXISTS {diff}")
            # One pass: the counts from the records, fully joined with the same sub-district's days of the
            # rollup; only rows to add, change or remove come out (none, when the rollups are right).
            cursor.execute(
                f"CREATE TEMP TABLE {diff} AS "
                f"WITH fresh AS (SELECT {', '.join(key)}, {', '.join(f'{sql} AS {c}' for c, sql in counters.items())} "
                f"FROM {obs} WHERE subdistrict_id = %s AND day >= %s AND day <= %s {only} GROUP BY {', '.join(key)}), "
                f"kept AS (SELECT * FROM {table} WHERE subdistrict_id = %s AND day >= %s AND day <= %s) "
                f"SELECT {', '.join(f'COALESCE(f.{k}, t.{k}) AS {k}' for k in key)}, "
                f"{', '.join(f'f.{c}' for c in counters)}, "
                f"CASE WHEN t.{key[-1]} IS NULL THEN 'add' WHEN f.{key[-1]} IS NULL THEN 'remove' ELSE 'change' END "
                f"AS action FROM fresh f FULL JOIN kept t ON {_same_key('t', 'f', key)} "
                f"WHERE t.{key[-1]} IS NULL OR f.{key[-1]} IS NULL OR {' OR '.join(f't.{c} <> f.{c}' for c in counters)}",
                params + params,
            )
            cursor.execute(
                f"DELETE FROM {table} WHERE subdistrict_id = %s AND EXISTS "
                f"(SELECT 1 FROM {diff} d WHERE d.action = 'remove' AND {_same_key('d', table, key)})",
                [subdistrict.pk],
            )
            result.removed += cursor.rowcount
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(cols)} FROM {diff} WHERE action = 'add'"
            )
            result.added += cursor.rowcount
            cursor.execute(
                f"UPDATE {table} SET {', '.join(f'{c} = d.{c}' for c in counters)} FROM {diff} d "
                f"WHERE d.action = 'change' AND {_same_key(table, 'd', key)}"
            )
            result.changed += cursor.rowcount
            cursor.execute(f"DROP TABLE {diff}")
    return result


def bulk_write(rows: Sequence[Row], *, recorded_by: int | None = None) -> int:
    """The bulk path for smart bins and other systems' exports: rows already resolved to ids, no per-record
    checks. On PostgreSQL it is COPY plus one set-based statement."""
    return write_rows(rows, recorded_by=recorded_by)


def bulk_load(
    batches: Iterable[Sequence[Row]],
    *,
    workers: int = 2,
    recorded_by: int | None = None,
    done: Callable[[int], None] | None = None,
) -> int:
    """Many batches through the bulk path, `workers` of them at a time, each on its own connection.

    Each batch stays what `bulk_write` makes it — one transaction, all or nothing, safe to repeat — so a load
    of many batches gives the same guarantees run in parallel as run one after another; what changes is that
    the server inserts two batches at once (one backend uses one core) while this process prepares the next.
    Batches that share rollup rows (the same households' day) take their locks in one order and wait for each
    other; a deadlock all the same (PostgreSQL aborts one) is retried. Inside a transaction, on SQLite (one
    writer) or with one worker, batches are written one after another on this connection. `done(n)` is
    called with each batch's new records, in the order batches finish.
    """

    def settle(created: int) -> int:
        if done:
            done(created)
        return created

    if workers <= 1 or connection.vendor != "postgresql" or connection.in_atomic_block:
        return sum(settle(bulk_write(batch, recorded_by=recorded_by)) for batch in batches)

    def write(batch: Sequence[Row]) -> int:
        try:
            for attempt in range(3):
                try:
                    return bulk_write(batch, recorded_by=recorded_by)
                except OperationalError as exc:
                    if not isinstance(exc.__cause__, DeadlockDetected) or attempt == 2:
                        raise
            raise AssertionError("unreachable")
        finally:
            connection.close()  # this thread's connection: a pool thread outlives the load

    total = 0
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="bulk-load") as pool:
        pending: set[Future[int]] = set()
        for batch in batches:
            pending.add(pool.submit(write, batch))
            if len(pending) >= workers:  # a window of `workers` batches in memory, not the whole load
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                total += sum(settle(f.result()) for f in finished)
        total += sum(settle(f.result()) for f in pending)
    return total
