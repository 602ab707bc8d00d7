"""Access to grid records: outside the user's subtree is 404, a role without the right is 403."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

from accounts.models import User
from grid.models import GridNode, Household


def role_required(
    roles: frozenset[str],
) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    def decorator(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user = request.user
            assert isinstance(user, User)
            if not user.has_role(roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def home_node(user: User) -> GridNode:
    if user.node is not None:
        return user.node
    root = GridNode.objects.filter(parent__isnull=True).order_by("path").first()
    if root is None:
        raise Http404
    return root


def get_node_for_user(user: User, code: str) -> GridNode:
    node = GridNode.objects.visible_to(user).filter(code=code).select_related("parent", "subdistrict").first()
    if node is None:
        raise Http404
    return node


def get_household_for_user(user: User, code: str) -> Household:
    household = (
        Household.objects.visible_to(user)
        .filter(code=code)
        .select_related("building", "community", "building__microgrid", "grid_worker__person")
        .first()
    )
    if household is None:
        raise Http404
    return household


def held_for(node: GridNode, field: str = "node") -> Q:
    """Events (activities, contests) that concern people at `node`: held there, inside it, or at a node above
    it — a sub-district's contest is everyone's in it."""
    above = [code for code in node.path.strip("/").split("/") if code]
    return Q(**{f"{field}__path__startswith": node.path}) | Q(**{f"{field}__code__in": above})


def concerns(user: User, node: GridNode) -> bool:
    """The same test for one event: its node is the user's, above it or below it."""
    mine = home_node(user)
    return mine.path.startswith(node.path) or node.path.startswith(mine.path)
