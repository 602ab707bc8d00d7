"""Device-token auth beside session auth: a phone, smart bin or other system posts as a user with a bearer
token (`Authorization: Bearer wg_…`). Only the token's SHA-256 is stored (`DeviceToken`); `wastegrid token
create --user NAME` issues one (wastegrid/tokens.py). Every API router takes `auth=[DeviceTokenAuth(), django_auth]`."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from accounts.models import DeviceToken

TOKEN_PREFIX = "wg_"


def token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_issue(*, user: Any, name: str = "") -> tuple[DeviceToken, str]:
    """A new bearer token for the user: (the stored row, the token). Only its hash is stored, the token itself
    is shown once. Not audited here (accounts imports no app, audit imports accounts): the service that
    issues tokens, wastegrid/tokens.py `token_create`, writes the audit entry."""
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = DeviceToken.objects.create(user=user, name=name, prefix=key[:8], key_hash=token_hash(key))
    return token, key


def token_user(key: str) -> Any:
    token = (
        DeviceToken.objects.select_related("user", "user__node")
        .filter(key_hash=token_hash(key), revoked=False)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > datetime.timedelta(minutes=5):
        DeviceToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


class DeviceTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_user(token)
        if user is not None:
            request.user = user
            # The token's public prefix (DeviceToken.prefix) names the device in the records' audit entry.
            request.device = f"token {token[:8]}"  # type: ignore[attr-defined]
        return user
