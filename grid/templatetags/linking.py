"""The help an account without a person sees instead of a dead end: whom to ask, and the claim step."""

from __future__ import annotations

from typing import Any

from django import template

from accounts.roles import WORK_THROUGH_PERSON
from grid.services.people_accounts import who_links

register = template.Library()


@register.simple_tag
def unlinked_help(user: Any) -> dict[str, Any] | None:
    """None for an account linked to a person (or whose role needs none); else {"staff": [(name, role
    label, node name)]}: the nearest secretaries (or admins) who can link it, at most three."""
    if not getattr(user, "is_authenticated", False) or user.person_id or user.role not in WORK_THROUGH_PERSON:
        return None
    staff = [(s.display_name, s.get_role_display(), s.node.name if s.node else "") for s in who_links(user)]
    return {"staff": staff}
