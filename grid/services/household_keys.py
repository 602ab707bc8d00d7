"""The secret on a household's QR sheet: issue it (when a sheet is first printed), re-issue it (a sheet was
lost: the old one stops working at once) and find the household a scanned token belongs to.

A token is `selector + verifier` (11 + 22 URL-safe characters, 64 + 128 random bits); see
`grid.models.HouseholdKey` for why both are stored as issued and how a lookup avoids timing leaks.
"""

from __future__ import annotations

import hmac
import re
import secrets
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from accounts.roles import MANAGE_AREA
from audit.services import audit_bulk_created, audit_created, audit_updated, saved_user, snapshot
from grid.models import Household, HouseholdKey
from grid.scope import Scope
from lib.bilingual import Msg

SELECTOR_BYTES = 8  # 11 characters: finds the row (unique index), not a secret on its own
VERIFIER_BYTES = 16  # 22 characters: the secret, 128 bits
SELECTOR_LEN = 11
TOKEN_LEN = SELECTOR_LEN + 22
TOKEN_RE = re.compile(rf"[A-Za-z0-9_-]{{{TOKEN_LEN}}}")
# Compared against when no row has the selector, so a miss costs the same comparison as a wrong verifier.
_DUMMY_VERIFIER = secrets.token_urlsafe(VERIFIER_BYTES)

STAFF_ONLY = Msg(
    "只有本居民区的书记或街道管理员可以重新发放二维码。",
    "Only the residential area's secretary or the sub-district admin can re-issue a household's QR.",
)


def _new_parts() -> tuple[str, str]:
    return secrets.token_urlsafe(SELECTOR_BYTES), secrets.token_urlsafe(VERIFIER_BYTES)


def household_keys_ensure(*, actor: Any, households: Sequence[Household]) -> dict[int, str]:
    """The token of each household ({household id: token}), issuing one to those that have none yet.

    Existing tokens are kept: printing a sheet again never voids the codes already on doors. Households must
    come with `community` and `building__microgrid` loaded (the scope check reads them). PermissionDenied
    (zh/en) when any household is outside the actor's scope; nothing is written then. Each key issued gets a
    "created" audit entry (without the secret).
    """
    scope = Scope.of(actor)
    for household in households:
        scope.require_household(household)
    ids = [h.pk for h in households]

    def current() -> dict[int, str]:
        keys = HouseholdKey.objects.filter(household_id__in=ids).only("household_id", "selector", "verifier")
        return {k.household_id: k.token for k in keys}

    for _round in range(3):
        tokens = current()
        missing = [h for h in households if h.pk not in tokens]
        if not missing:
            return tokens
        now = timezone.now()
        fresh = []
        for h in missing:
            selector, verifier = _new_parts()
            fresh.append(
                HouseholdKey(
                    household_id=h.pk,
                    subdistrict_id=h.subdistrict_id,
                    selector=selector,
                    verifier=verifier,
                    issued_at=now,
                    issued_by=saved_user(actor),
                )
            )
        with transaction.atomic():
            # Two printouts at once, or (64 random bits: practically never) a selector drawn twice: the row
            # is skipped here and the next round reads the other print's key or draws again.
            HouseholdKey.objects.bulk_create(fresh, ignore_conflicts=True)
            mine = set(
                HouseholdKey.objects.filter(
                    household_id__in=[k.household_id for k in fresh],
                    selector__in=[k.selector for k in fresh],
                ).values_list("household_id", flat=True)
            )
            audit_bulk_created(actor=actor, objs=[k for k in fresh if k.household_id in mine])
    return current()


@transaction.atomic
def household_key_reissue(*, actor: Any, household: Household, reason: str = "") -> HouseholdKey:
    """A new secret for the household's QR sheet (a sheet was lost, or went to the wrong door). The old
    sheet opens nothing from this moment. Returns the key (its `.token` goes on the new sheet).

    Only the residential area's own staff (secretary, sub-district admin) may do this: PermissionDenied
    (zh/en) for other roles and outside the actor's scope. Audited with the new version number; the
    verifier never reaches the log.
    """
    if actor is not None and not actor.has_role(MANAGE_AREA):
        raise PermissionDenied(str(STAFF_ONLY))
    Scope.of(actor).require(household.community)
    key = HouseholdKey.objects.select_for_update().filter(household_id=household.pk).first()
    selector, verifier = _new_parts()
    if key is None:
        key = HouseholdKey.objects.create(
            household_id=household.pk,
            subdistrict_id=household.subdistrict_id,
            selector=selector,
            verifier=verifier,
            issued_at=timezone.now(),
            issued_by=saved_user(actor),
        )
        audit_created(actor=actor, obj=key, reason=reason or "QR issued")
        return key
    before = snapshot(key)
    key.selector, key.verifier = selector, verifier
    key.generation += 1
    key.issued_at = timezone.now()
    key.issued_by = saved_user(actor)
    key.save()
    audit_updated(actor=actor, obj=key, before=before, reason=reason or "QR re-issued: the old sheet is void")
    return key


def household_by_token(token: str) -> Household | None:
    """The household whose current sheet carries `token`, or None (malformed, unknown, or re-issued since).

    One indexed lookup by the selector, then a constant-time comparison of the verifier, done even when no
    row matched."""
    if not TOKEN_RE.fullmatch(token or ""):
        return None
    selector, verifier = token[:SELECTOR_LEN], token[SELECTOR_LEN:]
    key = (
        HouseholdKey.objects.filter(selector=selector)
        .select_related("household__building__microgrid", "household__community")
        .first()
    )
    expected = key.verifier if key is not None else _DUMMY_VERIFIER
    matches = hmac.compare_digest(expected.encode(), verifier.encode())
    return key.household if key is not None and matches else None
