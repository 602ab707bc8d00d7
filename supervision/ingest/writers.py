"""Writing resolved rows: what is new goes in, exactly that is added to the rollups, in one transaction, with
one audit entry per sub-district. The database's own writer does the work: `postgres` (binary COPY and one
set-based statement) or `sqlite` (batched INSERT … RETURNING, rollups added in Python)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from django.db import connection, transaction

from accounts.models import User
from audit.models import Action, AuditEntry
from supervision.ingest import postgres, sqlite
from supervision.ingest.rows import Row
from supervision.ingest.validation import MAX_BATCH
from supervision.models import Observation


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
    writer = postgres.write if connection.vendor == "postgresql" else sqlite.write
    new_ids = writer(rows, recorded_by)
    count = sum(len(ids) for ids in new_ids.values())
    audit_batch(new_ids, recorded_by=recorded_by, device=device, duplicates=len(rows) - count, note=note)
    if created is not None:
        created.update(i for ids in new_ids.values() for i in ids)
    return count


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
