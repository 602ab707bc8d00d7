"""Access to grid records: outside the user's subtree is 404, a role without the right is 403; `Scope` is the
one scope check services and pickers share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

from accounts.models import User
from grid.models import GridNode, Household
from lib.bilingual import Msg

M = TypeVar("M", bound=Model)

OUT_OF_SCOPE = Msg("超出您的网格范围。", "This is outside your part of the grid.")


@dataclass(frozen=True)
class Scope:
    """Where an actor may read and write: their node and everything below it.

    Every service that takes an actor and a node (or a record hanging at a node) checks it with
    `Scope.of(actor).require(node)`, and every picker or search filters through `Scope.of(user).filter(qs)`,
    so "the view forgot to check" cannot widen a write or a list. `path` is the node's materialised path
    ("/ZJXL/ZJXL-07/"); `None` means everything (a system job or CLI with no actor, or a superuser bound to
    no node). A user bound to no node (and not a superuser) sees nothing: `path` is "" and covers nothing.
    """

    path: str | None
    subdistrict_id: int | None = None

    @classmethod
    def of(cls, actor: Any) -> Scope:
        """The scope of a user; actor=None (system, CLI) is unrestricted."""
        node_id = getattr(actor, "node_id", None)  # an anonymous user has none: covers nothing
        if actor is None or (getattr(actor, "is_superuser", False) and node_id is None):
            return cls(path=None)
        node = actor.node if node_id else None
        if node is None:
            return cls(path="")
        return cls(path=node.path, subdistrict_id=node.subdistrict_id)

    @property
    def unrestricted(self) -> bool:
        return self.path is None

    def covers(self, node: GridNode | None) -> bool:
        """True when `node` is the actor's node or below it (a missing node is covered only unrestricted)."""
        if self.path is None:
            return True
        return node is not None and bool(self.path) and node.path.startswith(self.path)

    def concerns(self, node: GridNode | None) -> bool:
        """In scope, or above the actor's node: an event held for a whole sub-district is everyone's in it
        (they may take part), though not theirs to change."""
        if self.covers(node):
            return True
        if node is None or not self.path:
            return False
        return self.path.startswith(node.path)

    def require(self, node: GridNode | None, *, above: bool = False) -> None:
        """Raise PermissionDenied (zh/en message) unless `node` is in scope (or, with above=True, concerns
        the actor: taking part in something held above their node)."""
        if not (self.concerns(node) if above else self.covers(node)):
            raise PermissionDenied(str(OUT_OF_SCOPE))

    def require_household(self, household: Household) -> None:
        """A household is in scope when its residential area or its micro-grid is (a grid worker's node is
        the micro-grid)."""
        microgrid = household.building.microgrid if household.building_id else None
        if not (self.covers(household.community) or self.covers(microgrid)):
            raise PermissionDenied(str(OUT_OF_SCOPE))

    def q(self, field: str = "") -> Q:
        """The condition "the GridNode at `field` (or the row itself when `field` is "") lies in scope"."""
        if self.path is None:
            return Q()
        if not self.path:
            return Q(pk__in=[])
        return Q(**{f"{field}__path__startswith" if field else "path__startswith": self.path})

    def filter(self, qs: QuerySet[M], field: str = "") -> QuerySet[M]:
        """Rows of `qs` whose node (see `q`) lies in scope."""
        return qs.filter(self.q(field))


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
    return Scope.of(user).concerns(node)
