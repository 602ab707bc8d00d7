"""Writes: inspection scores (idempotent per form, audited) and copying a scheme to a new year."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from assessment.models import Indicator, InspectionScore, Scheme, Source
from audit.services import audit_created, saved_user
from grid.models import GridNode, Level
from grid.scope import Scope
from lib.idempotency import hold_key, idempotency_uuid
from lib.uploads import clean_upload
from lib.validation import check_day


@transaction.atomic
def inspection_record(
    *,
    actor: Any,
    community: GridNode,
    indicator_code: str,
    day: datetime.date,
    score: str | Decimal,
    inspector: str,
    notes: str = "",
    evidence: UploadedFile | None = None,
    client_id: uuid.UUID,
) -> tuple[InspectionScore, bool]:
    """One on-site check of one residential area against one inspection indicator. The same form sent twice
    records once (`client_id`). PermissionDenied when the area is outside the actor's scope."""
    Scope.of(actor).require(community)
    client_id = idempotency_uuid(client_id)  # the nil UUID would be one key shared by every form
    hold_key("inspection", client_id)
    existing = InspectionScore.objects.filter(client_id=client_id).first()
    if existing is not None:
        return existing, False
    if community.level != Level.COMMUNITY:
        raise ValidationError(_("Inspections score a residential area."))
    if not Indicator.objects.filter(code=indicator_code, source=Source.INSPECTION).exists():
        raise ValidationError(_("No inspection indicator has the code %(code)s.") % {"code": indicator_code})
    try:
        value = Decimal(str(score).strip())
    except InvalidOperation:
        raise ValidationError(_("The score must be a number from 0 to 100.")) from None
    if not value.is_finite() or not 0 <= value <= 100:
        raise ValidationError(_("The score must be a number from 0 to 100."))
    if not inspector.strip():
        raise ValidationError(_("Say who inspected."))
    check_day(day)
    # Checked by content, whatever the upload claims to be (lib.uploads); stored re-encoded if an image.
    clean = clean_upload(evidence) if evidence is not None else None
    record = InspectionScore(
        subdistrict=community.subdistrict,
        community=community,
        indicator_code=indicator_code,
        day=day,
        score=value.quantize(Decimal("0.01")),
        inspector=inspector.strip()[:80],
        notes=notes.strip()[:500],
        client_id=client_id,
        recorded_by=saved_user(actor),
    )
    if clean is not None:
        clean.save_to(
            record.evidence, getattr(evidence, "name", None), default="evidence", prefix=f"{client_id}-"
        )
    record.save()
    audit_created(actor=actor, obj=record)
    return record, True


@transaction.atomic
def scheme_copy(*, actor: Any, scheme: Scheme, year: int) -> Scheme:
    """A new version of `scheme` in force from 1 January of `year`, with the same indicators, to be edited.
    A sub-district's scheme needs that sub-district in the actor's scope; the default one an unrestricted
    actor (PermissionDenied otherwise)."""
    Scope.of(actor).require(scheme.subdistrict)
    start = datetime.date(year, 1, 1)
    if Scheme.objects.filter(subdistrict=scheme.subdistrict, effective_from=start).exists():
        raise ValidationError(_("A version for %(year)d exists already.") % {"year": year})
    indicators = list(scheme.indicators.all())
    copy = Scheme.objects.get(pk=scheme.pk)  # a fresh instance: the caller's stays what it was
    copy.pk = None
    copy._state.adding = True
    copy.effective_from = start
    copy.save()
    for ind in indicators:
        ind.pk = None
        ind.scheme = copy
    Indicator.objects.bulk_create(indicators)
    audit_created(actor=actor, obj=copy, reason=_("copied to %(year)d") % {"year": year})
    return copy
