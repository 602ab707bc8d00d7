from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from accounts.models import User
from accounts.roles import MANAGE_AREA, READ_COVERAGE, READ_GRID, READ_HOUSEHOLDS
from grid.models import HOUSEHOLD_RELATED, GridNode, Household, Level
from grid.presenters import household_view
from grid.scope import get_household_for_user, get_node_for_user
from grid.selectors import NodeStats, coverage_report, grid_stats
from grid.services.assignment import households_assign, households_assign_all
from lib.apierrors import TEXT, ApiError, answers
from lib.bilingual import Msg
from lib.paging import KeyPaginator

router = Router(tags=["grid"])


def _user(request: HttpRequest, roles: frozenset[str]) -> User:
    user = request.user
    assert isinstance(user, User)
    if not user.has_role(roles):
        raise PermissionDenied
    return user


class NodeStatsOut(Schema):
    code: str
    name: str
    level: str
    households: int
    assigned: int
    workers: int
    coverage: float


class NodeOut(NodeStatsOut):
    parent: str | None
    children: list[NodeStatsOut]


def _stats_out(s: NodeStats) -> NodeStatsOut:
    return NodeStatsOut(
        code=s.node.code,
        name=s.node.name,
        level=s.node.level,
        households=s.households,
        assigned=s.assigned,
        workers=s.workers,
        coverage=round(s.coverage, 4),
    )


@router.get(
    "/nodes/{code}",
    response=answers(NodeOut, 403, 404),
    summary="A grid node with figures for it and its children",
)
def node(request: HttpRequest, code: str) -> NodeOut:
    user = _user(request, READ_GRID)
    n = get_node_for_user(user, code)
    stats = grid_stats(n)
    own = stats[n.pk]
    parent = (
        n.parent.code
        if n.parent and GridNode.objects.visible_to(user).filter(pk=n.parent.pk).exists()
        else None
    )
    return NodeOut(
        **_stats_out(own).model_dump(),
        parent=parent,
        children=[_stats_out(c) for c in sorted(own.children, key=lambda s: s.node.code)],
    )


class HouseholdOut(Schema):
    code: str
    community: str
    microgrid: str
    building: str
    stairwell: str
    room: str
    size: int
    contact_name: str
    contact_phone: str
    grid_worker: str
    masked: bool


class HouseholdPage(Schema):
    count: int
    page: int
    pages: int
    results: list[HouseholdOut]


class HouseholdFilter(Schema):
    node: str | None = Field(None, max_length=32, pattern=TEXT)
    q: str | None = Field(None, max_length=100, pattern=TEXT)
    unassigned: bool = False
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(50, ge=1, le=500)


def _household_out(h: Household, user: User) -> HouseholdOut:
    v = household_view(h, user)
    return HouseholdOut(
        code=v.code,
        community=v.community,
        microgrid=v.microgrid,
        building=v.building,
        stairwell=v.stairwell,
        room=v.room,
        size=v.size,
        contact_name=v.contact_name,
        contact_phone=v.contact_phone,
        grid_worker=v.grid_worker_code,
        masked=v.masked,
    )


@router.get(
    "/households",
    response=answers(HouseholdPage, 400, 403, 404),
    summary="Households visible to the user, filtered and paged",
)
def households(request: HttpRequest, filters: Query[HouseholdFilter]) -> HouseholdPage:
    user = _user(request, READ_HOUSEHOLDS)
    qs = Household.objects.visible_to(user)
    if filters.node:
        qs = qs.in_node(get_node_for_user(user, filters.node))
    if filters.q:
        qs = qs.search(filters.q, personal=user.sees_personal_data)
    if filters.unassigned:
        qs = qs.filter(grid_worker__isnull=True)
    paginator = KeyPaginator(qs.order_by("code"), filters.page_size, related=HOUSEHOLD_RELATED)
    page = paginator.get_page(filters.page)
    return HouseholdPage(
        count=paginator.count,
        page=page.number,
        pages=paginator.num_pages,
        results=[_household_out(h, user) for h in page.object_list],
    )


@router.get("/households/{code}", response=answers(HouseholdOut, 403, 404), summary="One household")
def household(request: HttpRequest, code: str) -> HouseholdOut:
    user = _user(request, READ_HOUSEHOLDS)
    return _household_out(get_household_for_user(user, code), user)


class WorkerLoadOut(Schema):
    code: str
    microgrid: str
    households: int


class CoverageOut(Schema):
    node: str
    households: int
    assigned: int
    unassigned: int
    workers_rule: list[int]
    households_rule: list[int]
    overloaded: list[WorkerLoadOut]
    underloaded: list[WorkerLoadOut]
    microgrids_out_of_range: list[str]
    unassigned_sample: list[str]


@router.get(
    "/nodes/{code}/coverage",
    response=answers(CoverageOut, 403, 404),
    summary="Coverage (全覆盖) report for a node",
)
def coverage(request: HttpRequest, code: str) -> CoverageOut:
    user = _user(request, READ_COVERAGE)
    report = coverage_report(get_node_for_user(user, code))
    return CoverageOut(
        node=report.root.node.code,
        households=report.root.households,
        assigned=report.root.assigned,
        unassigned=report.root.unassigned,
        workers_rule=[report.rule.workers_min, report.rule.workers_max],
        households_rule=[report.rule.households_min, report.rule.households_max],
        overloaded=[
            WorkerLoadOut(code=w.code, microgrid=w.microgrid.code, households=w.households)
            for w in report.overloaded
        ],
        underloaded=[
            WorkerLoadOut(code=w.code, microgrid=w.microgrid.code, households=w.households)
            for w in report.underloaded
        ],
        microgrids_out_of_range=[s.node.code for s in report.microgrids_out_of_range],
        unassigned_sample=[h.code for h in report.unassigned_sample],
    )


class AssignOut(Schema):
    communities: int
    changed: int
    unassigned: dict[str, str]
    underloaded_workers: list[str]


@router.post(
    "/nodes/{code}/assign",
    response=answers(AssignOut, 403, 404, 409),
    summary="Assign households to grid workers (minimal change)",
)
def assign(request: HttpRequest, code: str) -> AssignOut:
    user = _user(request, MANAGE_AREA)
    n = get_node_for_user(user, code)
    if n.level == Level.MICROGRID:
        raise ApiError(
            409,  # well-formed, but the node's level does not take assignment
            "wrong_level",
            Msg(
                "分配按居民区或更高层级进行，不能按微网格。",
                "Assignment runs per residential area or above, not per micro-grid.",
            ),
        )
    results = (
        [households_assign(actor=user, community=n)]
        if n.level == Level.COMMUNITY
        else households_assign_all(actor=user, root=n)
    )
    unassigned: dict[str, str] = {}
    under: list[str] = []
    for r in results:
        unassigned.update(r.unassigned)
        under.extend(r.underloaded)
    return AssignOut(
        communities=len(results),
        changed=sum(r.changed for r in results),
        unassigned=unassigned,
        underloaded_workers=under,
    )
