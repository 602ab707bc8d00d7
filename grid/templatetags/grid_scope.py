"""Template filters that keep links inside the reader's part of the grid."""

from __future__ import annotations

from django import template

from accounts.models import User
from grid.models import GridNode

register = template.Library()


@register.filter
def visible_to(node: GridNode | None, user: User) -> bool:
    """True when `user` may open pages of `node` (the same rule as every view: GridNode.objects.visible_to).

    Used where a page shows something held above the reader's node (a sub-district's activity, a parent party
    organisation): the reader sees it but a link to the node's own page would answer 404. One query."""
    if node is None or not getattr(user, "is_authenticated", False):
        return False
    return GridNode.objects.visible_to(user).filter(pk=node.pk).exists()
