"""Access, the infrastructure every app shares: who is logged in (session or device token) and with which
role (403 otherwise). The role sets themselves are named once in accounts/roles.py; scope in the grid
(`Scope`, 404 outside one's subtree) is the grid's, grid/scope.py."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """The request of a view behind `login_required` or `role_required`: its user is a logged-in
    `accounts.models.User`, never AnonymousUser (the type only; at run time it is Django's request)."""

    user: User  # type: ignore[assignment]


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


def sees_every_subdistrict(user: Any) -> bool:
    """The operator: a superuser bound to no node reads every sub-district (as `grid.scope.Scope.of` says)."""
    return bool(getattr(user, "is_superuser", False)) and getattr(user, "node_id", None) is None


def subdistrict_of(user: Any) -> int:
    """The sub-district a (non-operator) user's records are filtered by: their node's, 0 (none) when bound to
    no node or anonymous — `Scope.of(user).subdistrict_id or 0` without the grid."""
    node = getattr(user, "node", None) if getattr(user, "node_id", None) else None
    return (node.subdistrict_id if node is not None else None) or 0
