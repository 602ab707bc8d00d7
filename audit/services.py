"""Writing the audit log. Services call these inside their own transaction."""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.db import connection, models, router, transaction
from django.db.models.deletion import Collector
from django.utils import timezone

from audit.models import Action, AuditEntry

# Fields that change on every save and say nothing about what a person did, and secrets the log must not
# copy (a password hash; the verifier of a household's QR sheet, grid.HouseholdKey).
_SKIP = {"created_at", "updated_at", "password", "last_login", "verifier"}


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, datetime.date | datetime.datetime | datetime.time | decimal.Decimal | uuid.UUID):
        return str(value)
    if hasattr(value, "name") and hasattr(value, "storage"):  # a file field: keep its name
        return value.name
    return value


def snapshot(obj: models.Model) -> dict[str, Any]:
    """The record's concrete field values, as JSON-ready data."""
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.name in _SKIP:
            continue
        data[field.attname] = _plain(getattr(obj, field.attname))
    return data


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {key: [before.get(key), after.get(key)] for key in after if before.get(key) != after.get(key)}


def saved_user(actor: Any) -> Any:
    """The acting user if it is a saved account; None for the system, scripts and tests."""
    return actor if getattr(actor, "pk", None) else None


def subdistrict_of(obj: models.Model, depth: int = 2) -> int | None:
    """The sub-district a record belongs to, for the log's key (an admin reads their sub-district's entries):
    its own `subdistrict_id`, else that of what it hangs off — its grid node, person, unit, meeting, plan…,
    the first key that names one (accounts last), up to `depth` keys away. An account is its node's; an
    account claim its person's; a commitment its unit's; an attendance its meeting's; the join row of a
    many-to-many its owner's. None for what belongs to no sub-district (an unbound account)."""
    own = getattr(obj, "subdistrict_id", None)
    if own is not None or depth <= 0:
        return own
    if obj._meta.label == "grid.GridNode":
        return own
    user_label = get_user_model()._meta.label
    keys = [f for f in obj._meta.concrete_fields if f.many_to_one or f.one_to_one]
    keys.sort(key=lambda f: f.related_model is not None and f.related_model._meta.label == user_label)
    for f in keys:
        if getattr(obj, f.attname, None) is None:
            continue
        try:
            related = getattr(obj, f.name, None)
        except ObjectDoesNotExist:  # the key's record is gone
            continue
        if isinstance(related, models.Model) and related is not obj:
            found = subdistrict_of(related, depth - 1)
            if found is not None:
                return found
    return None


def _entry(
    *, actor: Any, action: str, obj: models.Model, changes: dict[str, Any], reason: str = ""
) -> AuditEntry:
    subdistrict_id = subdistrict_of(obj)
    return AuditEntry(
        actor=saved_user(actor),
        actor_name=getattr(actor, "username", "") or "system",
        action=action,
        model=obj._meta.label,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        changes=changes,
        subdistrict_id=subdistrict_id,
        reason=reason[:200],
    )


def audit_created(*, actor: Any, obj: models.Model, reason: str = "") -> None:
    _entry(actor=actor, action=Action.CREATE, obj=obj, changes=snapshot(obj), reason=reason).save()


def audit_updated(*, actor: Any, obj: models.Model, before: dict[str, Any], reason: str = "") -> None:
    changes = diff(before, snapshot(obj))
    if changes:
        _entry(actor=actor, action=Action.UPDATE, obj=obj, changes=changes, reason=reason).save()


def audit_deleted(*, actor: Any, obj: models.Model, reason: str = "") -> None:
    _entry(actor=actor, action=Action.DELETE, obj=obj, changes=snapshot(obj), reason=reason).save()


def records_delete(*, actor: Any, objs: Iterable[models.Model], reason: str = "") -> int:
    """Delete records and whatever cascades from them, with one audit entry (the row as it was) for EVERY
    row deleted, the cascaded ones included. Returns the number of rows deleted.

    Raises ProtectedError / RestrictedError, with nothing deleted, when evidence (a registration, an
    attendance, a case step, a record…) hangs off the records through an on_delete=PROTECT key: evidence is
    never cascade-deleted. The admin's deletes and every service that deletes go through here.
    """
    objs = list(objs)
    if not objs:
        return 0
    using = router.db_for_write(type(objs[0]), instance=objs[0])
    with transaction.atomic(using=using):
        collector = Collector(using=using, origin=objs[0])
        collector.collect(objs)
        doomed: list[models.Model] = [o for instances in collector.data.values() for o in instances]
        # Rows Django would delete by query without loading them (no further cascades) are loaded here,
        # so that they too leave an entry.
        for qs in collector.fast_deletes:
            doomed.extend(qs)
        AuditEntry.objects.bulk_create(
            [
                _entry(actor=actor, action=Action.DELETE, obj=o, changes=snapshot(o), reason=reason)
                for o in doomed
            ],
            batch_size=2000,
        )
        deleted, _per_model = collector.delete()
    return deleted


def audit_bulk_created(*, actor: Any, objs: Iterable[models.Model], reason: str = "") -> None:
    AuditEntry.objects.bulk_create(
        audit_entries_created(actor=actor, objs=objs, reason=reason), batch_size=2000
    )


def audit_entries_created(*, actor: Any, objs: Iterable[models.Model], reason: str = "") -> list[AuditEntry]:
    """Unsaved "created" entries for records whose primary keys are already set, so a bulk writer can build
    them before its write transaction (see grid.services.importing) and only insert them inside it."""
    return [
        _entry(actor=actor, action=Action.CREATE, obj=o, changes=snapshot(o), reason=reason) for o in objs
    ]


def audit_batch(
    *,
    actor: Any,
    model: type[models.Model],
    subdistrict_id: int | None,
    key: str,
    created: int,
    fields: dict[str, Any] | None = None,
    reason: str = "",
) -> None:
    """One "created" entry for a batch of records a job writes in bulk (a day's drop-off credits, a year's
    expiries), where an entry per record would cost as much again as the records: `created` records of
    `model`, in `subdistrict_id`, what they share (`fields`, by attname: {"kind": "drop", "day": "…",
    "amount": <total>}) shown as the entry's fields. `key` names the batch (object_id "batch:<key>"; the
    presenter reads such an entry as one sentence, "12 条记录", plus its fields). One INSERT."""
    fields = {k: _plain(v) for k, v in (fields or {}).items()}
    AuditEntry.objects.create(
        actor=saved_user(actor),
        actor_name=getattr(actor, "username", "") or "system",
        action=Action.CREATE,
        model=model._meta.label,
        object_id=f"batch:{key}"[:64],
        object_repr=f"{created} records ({key})"[:200],
        changes={"created": created, "fields": fields},
        subdistrict_id=subdistrict_id,
        reason=reason[:200],
    )


def audit_bulk_field_changed(
    *,
    actor: Any,
    model: type[models.Model],
    field: str,
    rows: Iterable[tuple[Any, str, Any, Any, Any]],
    reason: str = "",
) -> None:
    """One entry per (pk, repr, subdistrict_id, old, new) row, for bulk updates that never load the objects.

    Written with executemany: the ORM's per-value preparation costs more than the assignment it audits.
    """
    actor_id = actor.pk if actor is not None and actor.pk else None
    actor_name = getattr(actor, "username", "") or "system"
    ops = connection.ops
    at = ops.adapt_datetimefield_value(timezone.now())
    label = model._meta.label
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    sql = (
        f"INSERT INTO {table} (at, actor_id, actor_name, action, model, object_id, object_repr, changes, "
        "subdistrict_id, reason) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
    )
    params = [
        (
            at,
            actor_id,
            actor_name,
            Action.UPDATE.value,
            label,
            str(pk),
            text[:200],
            ops.adapt_json_value({field: [old, new]}, None),
            subdistrict_id,
            reason[:200],
        )
        for pk, text, subdistrict_id, old, new in rows
    ]
    if params:
        with connection.cursor() as cursor:
            cursor.executemany(sql, params)
