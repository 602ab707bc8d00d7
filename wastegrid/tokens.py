"""Issuing device tokens, audited. The token and its auth are access (accounts/tokens.py); the audit entry is
audit's, and accounts imports no app (audit imports accounts for its page's access), so the audited service
that uses both is the project's. `wastegrid token create --user NAME` calls it."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from accounts.tokens import token_issue
from audit.services import audit_created


@transaction.atomic
def token_create(*, user: Any, name: str = "") -> str:
    """A new bearer token for the user; only its hash is stored, the token itself is shown once."""
    token, key = token_issue(user=user, name=name)
    audit_created(actor=user, obj=token, reason="token create")
    return key
