"""{% offline_owner %}: whose page this is, for the service worker (accounts/offline.py)."""

from __future__ import annotations

from typing import Any

from django import template

from accounts.offline import owner_key

register = template.Library()


@register.simple_tag(takes_context=True)
def offline_owner(context: dict[str, Any]) -> str:
    """The opaque owner key of the request's user ("" when logged out or outside a request)."""
    request = context.get("request")
    return owner_key(getattr(request, "user", None))
