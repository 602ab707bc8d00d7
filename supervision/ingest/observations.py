"""Records from phones, devices and exports (`POST /api/v1/supervision/observations`): each record checked
on its own (`validation`), codes resolved within the sender's scope, the good ones written in one go
(`writers.write_rows`); a bad record rejects only itself."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import RECORD_SORTING
from grid.models import GridNode, Household
from lib.clock import local_day
from supervision.ingest.rows import Row
from supervision.ingest.validation import E, RecordError, check
from supervision.ingest.writers import write_rows
from supervision.models import DropOffPoint, ObservationKey
from supervision.plausibility import clock_offset, flags_for, flags_store


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


def points_for(user: User) -> Any:
    """Points a user may record at: those of their subtree, and those of the residential area they sit in."""
    qs = DropOffPoint.objects.filter(active=True)
    if user.is_superuser and user.node_id is None:
        return qs
    if user.node is None or not user.has_role(RECORD_SORTING):
        return qs.none()
    node = user.node
    if node.level == "microgrid" and node.parent is not None:
        node = node.parent
    return qs.filter(community__path__startswith=node.path)


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
        data, error = check(i, raw, now, offset)
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
                local_day(observed),
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
