"""Scope in the grid: outside the user's subtree is 404 (readers) or 403 (writes); `Scope` is the one scope check
services and pickers share, and the one scope readers apply (`ScopedQuerySet.in_scope`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Self, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from lib.bilingual import Msg
from lib.distribution import in_sd

if TYPE_CHECKING:  # grid.models builds its querysets on ScopedQuerySet: the models are imported where used
    from collections.abc import Iterable

    from accounts.models import User
    from grid.models import GridNode, Household

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
    # The node the scope is of (None: unrestricted, or nothing) and, for a scope over chosen residential
    # areas (`of_communities`), their ids. Neither takes part in equality: the path and sub-district say it.
    node: GridNode | None = field(default=None, compare=False, repr=False)
    chosen: tuple[int, ...] | None = field(default=None, compare=False, repr=False)

    @classmethod
    def of(cls, actor: Any) -> Scope:
        """The scope of a user; actor=None (system, CLI) is unrestricted."""
        node_id = getattr(actor, "node_id", None)  # an anonymous user has none: covers nothing
        if actor is None or (getattr(actor, "is_superuser", False) and node_id is None):
            return cls(path=None)
        node = actor.node if node_id else None
        if node is None:
            return cls(path="")
        return cls.of_node(node)

    @classmethod
    def of_node(cls, node: GridNode) -> Scope:
        """What a reader of `node` reads (a page, a report, an assessment of that node): build it once per
        request and pass it to every selector, which applies it with `.in_scope(scope)`."""
        return cls(path=node.path, subdistrict_id=node.subdistrict_id, node=node)

    @classmethod
    def of_communities(cls, ids: Iterable[int]) -> Scope:
        """A scope over chosen residential areas (an assessment tally of a few areas): their sub-district when
        they share one. Covers no node (`require` refuses): a reader's scope, not an actor's."""
        from grid.models import GridNode

        chosen = tuple(ids)
        sds = set(GridNode.objects.filter(pk__in=chosen).values_list("subdistrict_id", flat=True))
        sd = sds.pop() if len(sds) == 1 and None not in sds else None
        return cls(path="", subdistrict_id=sd, chosen=chosen)

    @property
    def unrestricted(self) -> bool:
        return self.path is None

    @cached_property
    def communities(self) -> list[GridNode]:
        """The residential areas the scope reads, in page order (sort order, code): the node's own, those
        below it, or a micro-grid's residential area (drop-off points, their rollups and weighings hang at
        residential areas, not micro-grids). Computed once per Scope."""
        from grid.models import GridNode, Level

        node = self.node
        if self.chosen is not None:
            by_id = GridNode.objects.in_bulk(self.chosen)
            return [by_id[i] for i in self.chosen if i in by_id]
        if node is None:
            return []
        if node.level == Level.MICROGRID:
            return [node.parent] if node.parent_id and node.parent is not None else []
        if node.level == Level.COMMUNITY:
            return [node]
        return list(
            GridNode.objects.subtree(node).filter(level=Level.COMMUNITY).order_by("sort_order", "code")
        )

    @cached_property
    def community_ids(self) -> list[int] | None:
        """The ids of `communities` (None: unrestricted, no condition). A micro-grid or residential area needs
        no query for them."""
        from grid.models import Level

        if self.chosen is not None:
            return list(self.chosen)
        node = self.node
        if node is None:
            return None if self.path is None else []
        if node.level == Level.MICROGRID:
            return [node.parent_id] if node.parent_id else []
        if node.level == Level.COMMUNITY:
            return [node.pk]
        return [c.pk for c in self.communities]

    def sd(self, via: str = "") -> dict[str, int]:
        """The sub-district key for a filter or an aggregate's condition (`via` names a joined table,
        "signups__"): the indexes' lead column, the partition and distribution key. Empty above the
        sub-districts (a city node reads across them) and unrestricted. The rule is `lib.distribution.in_sd`'s."""
        return in_sd(self, via)

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


class ScopedQuerySet(QuerySet[M]):
    """The one way readers apply a `Scope` to rows hung at residential areas (like netbox's
    `RestrictedQuerySet.restrict`): `PointDay.objects.in_scope(scope)`, `Shift.objects.in_scope(scope,
    via="point__")`. Names the sub-district (the model's own column and, through `via`, the joined table's) and
    the residential areas (`{via}community_id`). Rows hung at households narrow a micro-grid to its own
    households: read them through `Household.objects.in_node(node)`."""

    def in_scope(self, scope: Scope, via: str = "") -> Self:
        ids = scope.community_ids
        if ids is not None and not ids:
            return self.none()
        qs = self.filter(**scope.sd(), **(scope.sd(via) if via else {}))
        return qs if ids is None else qs.filter(**{f"{via}community_id__in": ids})


def home_node(user: User) -> GridNode:
    from grid.models import GridNode

    if user.node is not None:
        return user.node
    root = GridNode.objects.filter(parent__isnull=True).order_by("path").first()
    if root is None:
        raise Http404
    return root


def get_node_for_user(user: User, code: str) -> GridNode:
    from grid.models import GridNode

    node = GridNode.objects.visible_to(user).filter(code=code).select_related("parent", "subdistrict").first()
    if node is None:
        raise Http404
    return node


def get_household_for_user(user: User, code: str) -> Household:
    from grid.models import Household

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
