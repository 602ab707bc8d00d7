"""Records a person should look at before they count against a household: the phone's clock and implausible
patterns (issue 17/18 policy, docs/architecture.md "Clocks and implausible records").

The phone's clock. A phone sends its own time at sending (`X-Client-Time`, ISO 8601 with an offset). When
it is off from the server's by more than `CLOCK_JITTER` and at most `CLOCK_CORRECTABLE`, every record of the
batch is moved by the difference (a phone 15 minutes fast records at the right time), and the batch's audit
entry keeps the offset, so the phone's own times can be read back. A record still later than the server's
time after that (beyond the ingest tolerance) is kept at the time it was received and flagged `clock`, with
the time the phone gave; only a time more than a year off either way is refused as malformed. A phone or a
smart bin that sends no header is taken at its word, with the same keep-and-flag rule.

Implausible patterns, flagged at ingest for the records of that batch and by `flags_recheck` for past days:
- `rate`: more than `RATE_MAX_PER_DAY` records of one household in a local day. Points open in a morning and
  an evening window (07:00–09:00, 18:30–20:30 in 芷江西路, domain-shanghai.md §1.7) and a drop-off is recorded
  per category, so four categories twice a day is the most an honest day holds;
- `outside_window`: a record outside every opening window of its point that day (holiday windows on
  holidays), allowing `WINDOW_GRACE_BEFORE` before and `WINDOW_GRACE_AFTER` after; a point without windows
  is not judged.

A flagged record still counts in the daily rollups (it was seen at the bin); it is only held out of case
evidence (`unflagged_evidence`) until a residential-area secretary or the sub-district admin accepts it.
"""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from audit.services import audit_bulk_field_changed
from grid.scope import Scope
from lib.clock import SHANGHAI
from supervision.models import (
    DropOffPoint,
    FlagKind,
    FlagVerdict,
    Holiday,
    HouseholdDay,
    Observation,
    ObservationFlag,
    OpeningWindow,
)

CLOCK_JITTER = datetime.timedelta(seconds=60)  # network time and a slow send: not worth moving records
CLOCK_CORRECTABLE = datetime.timedelta(hours=24)  # beyond this the phone's date is wrong, not its clock
RATE_MAX_PER_DAY = 8
WINDOW_GRACE_BEFORE = datetime.timedelta(minutes=30)
WINDOW_GRACE_AFTER = datetime.timedelta(minutes=60)  # a queue at closing time, a record typed after


def clock_offset(header: str | None, now: datetime.datetime) -> datetime.timedelta | None:
    """How far to move the batch's records: server time − phone time, or None when there is no header, the
    difference is within `CLOCK_JITTER`, or beyond `CLOCK_CORRECTABLE`. Raises ValueError when a header is
    sent but is not ISO 8601 with a UTC offset (the API answers 400)."""
    if header is None or header == "":
        return None
    try:
        phone = parse_datetime(header.strip()) if len(header) <= 40 else None
    except (ValueError, OverflowError):
        phone = None
    if phone is None or phone.tzinfo is None:
        raise ValueError(header[:40])
    offset = now - phone
    if abs(offset) <= CLOCK_JITTER or abs(offset) > CLOCK_CORRECTABLE:
        return None
    return offset


def unflagged_evidence(qs: QuerySet[Observation]) -> QuerySet[Observation]:
    """The records of `qs` that may serve as case evidence: none awaiting review or rejected by a reviewer.
    One place for the rule; enforcement's proposals and case pages read their records through it."""
    held = ObservationFlag.objects.filter(
        subdistrict_id=OuterRef("subdistrict_id"),
        client_id=OuterRef("client_id"),
        verdict__in=[FlagVerdict.PENDING, FlagVerdict.REJECTED],
    )
    return qs.filter(~Exists(held))


def days_off(days: Iterable[datetime.date]) -> dict[datetime.date, Holiday]:
    """The Holiday rows (holidays and adjusted working days) among `days`, by day: what `windows_on` reads."""
    return {h.day: h for h in Holiday.objects.filter(day__in=set(days))}


def windows_on(
    point: DropOffPoint, day: datetime.date, holidays: Mapping[datetime.date, Holiday]
) -> list[OpeningWindow]:
    """The point's opening windows on `day`: on a holiday its holiday windows (its weekday ones when it has
    none), on an adjusted working day (调休上班) the windows of the weekday it opens like, else the weekday's.
    `holidays` as `days_off` gives it. Reads `point.windows.all()`: prefetch it for many points."""
    return _chosen(point.windows.all(), day, holidays)


def _chosen(
    windows: Iterable[Any], day: datetime.date, holidays: Mapping[datetime.date, Holiday]
) -> list[Any]:
    """`windows_on` for any windows (models, or rows with weekday, holiday, start and end)."""
    off = holidays.get(day)
    if off is not None and off.workday:
        return [w for w in windows if w.weekday == off.opens_like and not w.holiday]
    holiday = off is not None
    chosen = [w for w in windows if w.weekday == day.weekday() and w.holiday == holiday]
    if holiday and not chosen:
        chosen = [w for w in windows if w.weekday == day.weekday() and not w.holiday]
    return chosen


def flags_for(rows: Sequence[Any], clock: dict[uuid.UUID, str] | None = None) -> list[ObservationFlag]:
    """Flags for newly stored records. `rows` are ingest rows (client_id, subdistrict_id, community_id,
    point_id, household_id, observed_at, day, …); `clock` maps a client id to the time its phone gave when that
    time was later than the server's. Reads the points' windows, the holidays and the households' day totals
    (rollups, already updated in the caller's transaction), in the same few queries whatever the size of the
    batch and the number of households over the limit (the ingest hot path; tests/supervision/test_plausibility.py)."""
    if not rows:
        return []
    clock = clock or {}
    flags: list[ObservationFlag] = []

    def flag(r: Any, kind: str, detail: dict[str, Any]) -> None:
        flags.append(
            ObservationFlag(
                subdistrict_id=r.subdistrict_id,
                client_id=r.client_id,
                day=r.day,
                community_id=r.community_id,
                household_id=r.household_id,
                kind=kind,
                detail=detail,
            )
        )

    # Rows, not models (opening windows are a small reference table, read by point id); unordered: the
    # default ordering ("point") would join the points, unscoped.
    windows: dict[int, list[Any]] = defaultdict(list)
    for w in (
        OpeningWindow.objects.filter(point_id__in={r.point_id for r in rows})
        .order_by()
        .values_list("point_id", "weekday", "holiday", "start", "end", named=True)
    ):
        windows[w.point_id].append(w)
    holidays = days_off(r.day for r in rows)
    # (point, local day) → its opening spans with the grace either side, worked out once a batch.
    spans: dict[tuple[int, datetime.date], list[tuple[datetime.datetime, datetime.datetime]]] = {}
    for r in rows:
        if r.client_id in clock:
            flag(r, FlagKind.CLOCK, {"phone_time": clock[r.client_id]})
        if r.point_id not in windows:
            continue  # a point without windows is not judged
        local = r.observed_at.astimezone(SHANGHAI)
        key = (r.point_id, local.date())
        if key not in spans:
            spans[key] = [
                (
                    datetime.datetime.combine(key[1], w.start, SHANGHAI) - WINDOW_GRACE_BEFORE,
                    datetime.datetime.combine(key[1], w.end, SHANGHAI) + WINDOW_GRACE_AFTER,
                )
                for w in _chosen(windows[r.point_id], key[1], holidays)
            ]
        if not any(start <= local <= end for start, end in spans[key]):
            flag(r, FlagKind.OUTSIDE_WINDOW, {"time": local.strftime("%H:%M")})
    flags += _rate_flags({(r.subdistrict_id, r.household_id, r.day) for r in rows if r.household_id})
    return flags


def _rate_flags(keys: set[tuple[int, int, datetime.date]]) -> list[ObservationFlag]:
    """Every record of each household-day (of `keys`) whose total passes RATE_MAX_PER_DAY."""
    if not keys:
        return []
    over = HouseholdDay.objects.filter(
        subdistrict_id__in={s for s, _, _ in keys},
        household_id__in={h for _, h, _ in keys},
        day__in={d for _, _, d in keys},
        total__gt=RATE_MAX_PER_DAY,
    ).values_list("household_id", "day", "total")
    totals = {(h, d): total for h, d, total in over}
    if not totals:
        return []
    subdistrict_of = {(h, d): s for s, h, d in keys if (h, d) in totals}
    # One query for every household-day over the limit, whatever their number.
    records = Observation.objects.filter(
        subdistrict_id__in=set(subdistrict_of.values()),
        household_id__in={h for h, _ in subdistrict_of},
        day__in={d for _, d in subdistrict_of},
    ).values_list("subdistrict_id", "client_id", "community_id", "household_id", "day")
    return [
        ObservationFlag(
            subdistrict_id=sd,
            client_id=client_id,
            day=day,
            community_id=community_id,
            household_id=household_id,
            kind=FlagKind.RATE,
            detail={"records_that_day": totals[household_id, day]},
        )
        for sd, client_id, community_id, household_id, day in records
        if subdistrict_of.get((household_id, day)) == sd
    ]


def flags_store(flags: Sequence[ObservationFlag]) -> int:
    """Insert flags; one already there (same record and kind) is left as it is, with its verdict."""
    if not flags:
        return 0
    return len(ObservationFlag.objects.bulk_create(flags, ignore_conflicts=True, batch_size=500))


def flags_recheck(*, subdistrict_id: int, day: datetime.date) -> int:
    """Flag one past day of a sub-district again (after windows or holidays were set, or for records taken
    before flags existed); idempotent: flags already there keep their verdicts. Returns flags written."""
    # Named rows carry the attributes flags_for reads, as ingest's Row does.
    rows: list[Any] = list(
        Observation.objects.filter(subdistrict_id=subdistrict_id, day=day).values_list(
            "client_id",
            "subdistrict_id",
            "community_id",
            "point_id",
            "household_id",
            "observed_at",
            "day",
            named=True,
        )
    )
    before = ObservationFlag.objects.filter(subdistrict_id=subdistrict_id, day=day).count()
    with transaction.atomic():
        flags_store(flags_for(rows))
    return ObservationFlag.objects.filter(subdistrict_id=subdistrict_id, day=day).count() - before


def flags_in_scope(actor: Any, verdict: str | None = FlagVerdict.PENDING) -> QuerySet[ObservationFlag]:
    """Flags at the actor's residential areas (Scope), newest day first."""
    scope = Scope.of(actor)
    qs = scope.filter(ObservationFlag.objects.all(), "community")
    if scope.subdistrict_id is not None:  # the distribution key (lib.distribution)
        qs = qs.filter(subdistrict_id=scope.subdistrict_id)
    if verdict:
        qs = qs.filter(verdict=verdict)
    return qs.select_related("community", "household").order_by("-day", "client_id", "kind")


@transaction.atomic
def flags_review(*, actor: Any, client_ids: Sequence[uuid.UUID], verdict: str, reason: str = "") -> int:
    """Accept (the record counts as evidence) or reject every flag of the records `client_ids` that lie in
    the actor's scope; a record outside it raises PermissionDenied and nothing is written. Audited per flag.
    Returns how many flags changed."""
    if verdict not in (FlagVerdict.ACCEPTED, FlagVerdict.REJECTED):
        raise ValueError(verdict)
    flags = list(ObservationFlag.objects.filter(client_id__in=list(client_ids)).select_related("community"))
    scope = Scope.of(actor)
    for f in flags:
        scope.require(f.community)
    changed = [f for f in flags if f.verdict != verdict]
    audit_bulk_field_changed(
        actor=actor,
        model=ObservationFlag,
        field="verdict",
        rows=[(f.pk, str(f), f.subdistrict_id, f.verdict, verdict) for f in changed],
        reason=reason or "flag review",
    )
    now = timezone.now()
    for f in changed:
        f.verdict, f.reviewed_by, f.reviewed_at = verdict, actor, now
    ObservationFlag.objects.bulk_update(changed, ["verdict", "reviewed_by", "reviewed_at"])
    return len(changed)


def flagged_pending_count(actor: Any) -> int:
    """How many records in the actor's scope await a review (a record flagged twice counts once)."""
    return flags_in_scope(actor).order_by().values("client_id").distinct().count()
