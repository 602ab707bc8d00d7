"""The home page for each role: the per-role "today" composition (wastegrid/today.py) over every app's
selectors. It is the project's top floor, so it lives in the project package, not in `accounts` (which the
grid and every app import). Its URL name stays `accounts:home` (wastegrid/accounts_urls.py)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.access import AuthenticatedHttpRequest
from accounts.models import Role, User
from accounts.roles import MANAGE_AREA, READ_COVERAGE, READ_GRID
from enforcement.evidence import REPEAT_WINDOW_DAYS
from enforcement.services_proposal import EVIDENCE_MIN_DAYS
from grid.models import GridNode, GridWorker, Household
from grid.presenters import household_view
from grid.scope import home_node
from grid.selectors import grid_stats
from lib.clock import local_today
from lib.periods import Period
from party import selectors
from units.models import CommitmentStatus
from wastegrid import today


@require_GET
@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    context: dict[str, object] = {"role": user.role, "role_label": user.get_role_display()}
    node = user.node
    if user.has_role(READ_GRID | READ_COVERAGE):
        node = home_node(user)
        context["node"] = node
        context["stats"] = grid_stats(node)[node.pk]
    context["can_edit"] = user.has_role(MANAGE_AREA)
    context["can_see_coverage"] = user.has_role(READ_COVERAGE)
    context["can_browse"] = user.has_role(READ_GRID)
    if user.role == Role.GRID_WORKER:
        worker = GridWorker.objects.filter(person__user=user).first()
        context["worker"] = worker
        context["my_count"] = worker.households.count() if worker else 0
        if worker is not None:
            # Beside the assignment figures, the one the visits page counts: households of the worker's
            # micro-grid visited this quarter (party.selectors.visit_coverage, the same numbers there).
            day = local_today()
            context["visited"] = selectors.visit_coverage(
                worker.microgrid, Period.containing("quarter", day), day
            )[0]
            # The worker's own figure, shown first: their households visited, as "my households" counts them.
            context["my_visited"] = selectors.worker_visited_count(worker.pk, worker.subdistrict_id, day)
    if user.role == Role.RESIDENT and user.person and user.person.household_id:
        household = (
            Household.objects.visible_to(user)
            .select_related("building", "community", "building__microgrid", "grid_worker__person")
            .first()
        )
        context["household"] = household_view(household, user) if household else None
    if user.role == Role.PARTY_MEMBER:
        context["my_leads"] = _my_leads(user)
    _office(user, context)
    context["node"] = context.get("node", node)
    return render(request, "accounts/home.html", context)


def _office(user: User, context: dict[str, object]) -> None:
    """The office roles' panels (wastegrid.today): the secretary's day, the area lead's and admin's week with
    what waits for their decision, the liaison's unit."""
    day = local_today()
    node = context.get("node")
    if user.role == Role.COMMUNITY_SECRETARY and isinstance(node, GridNode):
        panel = today.today_for(user, node, day)
        context["today"] = panel
        context["today_gaps"] = [(_("Today"), panel.gaps_today), (_("Tomorrow"), panel.gaps_tomorrow)]
        context["repeat_days"] = today.REPEAT_DAYS
        context["repeat_min"] = today.REPEAT_MIN
        # The case proposal's own rule (different days, not mistakes), named on its link (issue 17).
        context["case_min_days"] = EVIDENCE_MIN_DAYS
        context["case_window_days"] = REPEAT_WINDOW_DAYS
    if user.role in (Role.AREA_LEAD, Role.SUBDISTRICT_ADMIN) and isinstance(node, GridNode):
        context["week"] = today.week_for(user, node, day)
        context["decisions"] = today.decisions_for(user, node, day)
    if user.role == Role.UNIT_LIAISON:
        context["desks"] = today.liaison_for(user, day)
        context["statuses"] = CommitmentStatus.choices


def _my_leads(user: User) -> selectors.MemberLeads | None:
    """The party member's four leads this quarter for the home page's link ("2/4"); None if not a member."""
    member = selectors.member_for(user)
    if member is None:
        return None
    today = local_today()
    return selectors.leads_of(member, Period.containing("quarter", today), today)
