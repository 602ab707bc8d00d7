"""Party organisations and their members' four leads; door-to-door visit plans, coverage and recording."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import AuthenticatedHttpRequest, role_required
from accounts.models import User
from accounts.roles import MANAGE_AREA, READ_PARTY, RECORD_VISITS
from grid.models import GridNode, GridWorker, Household, Level
from grid.presenters import household_view
from grid.scope import get_household_for_user, get_node_for_user, home_node
from lib.bilingual import Msg
from lib.clock import local_today
from lib.periods import Period, query_period
from lib.validation import form_pk
from lib.xlsx import xlsx_response
from party import selectors
from party.models import PartyMember, PartyOrg, VisitOutcome, VisitPlan
from party.services import (
    PLEDGE_TEXT_VERSION,
    pledge_sign,
    pledge_version_label,
    visit_plan_create,
    visit_plan_members_add,
    visit_record,
)


def _quarter(request: HttpRequest) -> Period:
    return query_period(request, "quarter")


def _org(user: User, code: str) -> PartyOrg:
    node = home_node(user)
    org = selectors.orgs_visible(node).filter(code=code).select_related("node", "parent").first()
    if org is None:
        raise Http404
    return org


@require_GET
@role_required(READ_PARTY)
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    node = home_node(user)
    orgs = list(selectors.orgs_visible(node).select_related("node").order_by("sort_order", "code"))
    if len(orgs) == 1:
        return redirect("party:org", code=orgs[0].code)
    return render(request, "party/home.html", {"node": node, "orgs": orgs, "period": _quarter(request)})


NOT_A_MEMBER = Msg(
    "您的账号没有关联党员信息，请联系居民区书记。",
    "Your account is not linked to a party member; ask your residential-area secretary.",
)
TICK_TO_SIGN = Msg("请阅读承诺书并勾选“我承诺”后再签署。", "Read the pledge and tick “I pledge” to sign it.")


def lead_rules() -> dict[str, str]:
    """What makes each lead, in one wording and unit for the member's page and the branch table (issue 14:
    "不低于 0.9" and "60 分钟" on one, "90%" and "1.0 小时" on the other)."""
    return {
        "pledge": _("Counts once the pledge is signed."),
        "sorts": _("Counts from %(n)s drop-offs in the period with at least %(r)s correct.")
        % {"n": selectors.SORTS_MIN_DROPS, "r": f"{selectors.SORTS_MIN_RATE * 100:.0f}%"},
        "duty": _("Counts from %(h)s h on duty at the bins in the period.")
        % {"h": f"{selectors.DUTY_MIN_MINUTES / 60:.1f}"},
        "visits": _("Counts from %(n)s group visit in the period.") % {"n": selectors.VISITS_MIN},
    }


@require_http_methods(["GET", "POST"])
@role_required(READ_PARTY)
def mine(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The member's own four leads (我的四个带头): each done or missing, and the link that gets it done.
    POST signs the pledge online (the box must be ticked)."""
    user = request.user
    member = selectors.member_for(user)
    period = _quarter(request)
    error = ""
    if request.method == "POST":
        if member is None:
            error = str(NOT_A_MEMBER)
        elif request.POST.get("agree") != "1":
            error = str(TICK_TO_SIGN)
        else:
            pledge_sign(actor=user, member=member)
            return redirect(f"{reverse('party:mine')}?period={period.key}#lead-pledge")
    today = local_today()
    leads = selectors.leads_of(member, period, today) if member is not None else None
    return render(
        request,
        "party/mine.html",
        {
            "member": member,
            "leads": leads,
            "period": period,
            "rules": lead_rules(),
            "plans": selectors.plans_for(member, period) if member is not None else [],
            "pledge_version": pledge_version_label(PLEDGE_TEXT_VERSION),
            "error": error or ("" if member is not None else str(NOT_A_MEMBER)),
        },
        status=400 if request.method == "POST" and error else 200,
    )


@require_GET
@role_required(READ_PARTY)
def org_detail(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """Who leads in what, and who has not yet, for a branch and everything under it."""
    user = request.user
    org = _org(user, code)
    period = _quarter(request)
    members = PartyMember.objects.filter(org_id__in=selectors.org_subtree(org))
    leads = selectors.four_leads(members, period, local_today())
    if request.GET.get("missing"):
        leads = [m for m in leads if m.count < 4]
    if request.GET.get("export") == "xlsx":
        yes, no = _("yes"), _("not yet")
        return xlsx_response(
            f"four-leads-{org.code}-{period.key}.xlsx",
            [
                _("Name"),
                _("Branch"),
                _("Kind"),
                _("Pledge"),
                _("Sorts at home"),
                _("Hours on duty"),
                _("Visits"),
                _("Leads"),
            ],
            [
                (
                    m.member.person.name,
                    m.member.org.name,
                    m.member.get_kind_display(),
                    m.pledged_on or no,
                    yes if m.sorts else no,  # too few drop-offs to judge is not leading yet either
                    m.hours,
                    m.visits,
                    m.count,
                )
                for m in leads
            ],
        )
    counts = {
        "pledge": sum(m.pledge for m in leads),
        "sorts": sum(bool(m.sorts) for m in leads),
        "duty": sum(m.duty for m in leads),
        "visiting": sum(m.visiting for m in leads),
        "all": sum(m.count == 4 for m in leads),
    }
    return render(
        request,
        "party/org.html",
        {
            "org": org,
            "children": org.children.order_by("sort_order", "code"),
            "leads": leads,
            "counts": counts,
            "period": period,
            "rules": lead_rules(),
            "quarters": _recent_quarters(period),
            "missing": bool(request.GET.get("missing")),
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(READ_PARTY | RECORD_VISITS)
def visits(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    user = request.user
    node = get_node_for_user(user, code)
    period = _quarter(request)
    if period.kind != "quarter":
        period = Period.containing("quarter", period.start)
    error = ""
    if request.method == "POST":
        if not user.has_role(MANAGE_AREA):
            raise Http404
        microgrid = (
            GridNode.objects.subtree(node)
            .filter(level=Level.MICROGRID, code=request.POST.get("microgrid", ""))
            .first()
        )
        try:
            if microgrid is None:
                raise ValidationError(_("Choose a micro-grid."))
            # Visitors from the micro-grid's own residential area only.
            members = PartyMember.objects.filter(
                pk__in=[form_pk(m) for m in request.POST.getlist("members")],
                community_id=microgrid.parent_id,
            ).select_related("person")
            existing = VisitPlan.objects.filter(microgrid=microgrid, quarter=period.key).first()
            if existing is not None:
                # The quarter's plan exists (one per micro-grid): add the visitors to it and say so, rather
                # than a second "create" that quietly merged into it.
                added = visit_plan_members_add(actor=user, plan=existing, members=members)
                _say_added(request, existing, added, existed=True)
                return redirect("party:plan", code=existing.code)
            plan = visit_plan_create(actor=user, microgrid=microgrid, period=period, members=members)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("Plan created: %(title)s.") % {"title": plan.display_title})
            return redirect("party:plan", code=plan.code)
    coverage = selectors.visit_coverage(node, period, local_today())
    community = (
        node if node.level == Level.COMMUNITY else (node.parent if node.level == Level.MICROGRID else None)
    )
    return render(
        request,
        "party/visits.html",
        {
            "node": node,
            "period": period,
            "coverage": coverage,
            # The form plans only micro-grids without a plan this quarter; the others link to theirs.
            "unplanned": [c for c in coverage if c.plan is None],
            "quarters": _recent_quarters(period),
            "can_plan": user.has_role(MANAGE_AREA),
            "members": PartyMember.objects.filter(community=community).select_related("person")
            if community
            else [],
            "error": error,
        },
        status=400 if error else 200,
    )


def _say_added(request: HttpRequest, plan: VisitPlan, added: list[PartyMember], *, existed: bool) -> None:
    """The message after adding visitors: who was added (or that nobody new was)."""
    names = "、".join(m.person.name for m in added)
    if existed and added:
        said = _("This quarter's plan already exists; added as visitors: %(names)s.")
    elif existed:
        said = _("This quarter's plan already exists; nobody new was added.")
    elif added:
        said = _("Added as visitors: %(names)s.")
    else:
        said = _("Nobody new was added: those ticked already go.")
    messages.success(request, said % {"names": names} if "%(names)s" in said else said)


@require_POST
@role_required(MANAGE_AREA)
def plan_members(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """Add visitors (party members serving the plan's residential area) to a plan."""
    user = request.user
    plan = _plan(user, code)
    members = PartyMember.objects.filter(
        pk__in=[form_pk(m) for m in request.POST.getlist("members")[:200]],
        community_id=plan.microgrid.parent_id,
    ).select_related("person")
    added = visit_plan_members_add(actor=user, plan=plan, members=members)
    _say_added(request, plan, added, existed=False)
    return redirect("party:plan", code=plan.code)


def _recent_quarters(shown: Period, n: int = 6) -> list[Period]:
    """The quarter picker's choices (a select, not a "2026-Q4" text box): this quarter and the ones before,
    with the one shown kept when it is older."""
    quarters = [Period.containing("quarter", local_today())]
    while len(quarters) < n:
        quarters.append(quarters[-1].previous())
    if shown.key not in {q.key for q in quarters}:
        quarters.append(shown)
    return quarters


def _plan(user: User, code: str) -> VisitPlan:
    plan = get_object_or_404(
        VisitPlan.objects.select_related("microgrid").prefetch_related("members__person"), code=code
    )
    get_node_for_user(user, plan.microgrid.code)  # 404 outside the user's part of the grid
    return plan


def _worker_id(user: User) -> int | None:
    return GridWorker.objects.filter(person__user=user).values_list("pk", flat=True).first()


def _plan_filters(tally: selectors.PlanTally, worker_id: int | None) -> list[tuple[str, str, int]]:
    """(key, label, count) of the plan page's filter links, counted by `plan_tally`; "mine" only for a grid
    worker."""
    return [
        (key, label, n)
        for key, label, n in (
            ("mine", _("My households to visit"), tally.mine_todo),
            ("todo", _("Not visited yet"), tally.todo),
            ("all", _("All households"), tally.total),
        )
        if key != "mine" or worker_id
    ]


def _sees_rooms(user: User, plan: VisitPlan) -> bool:
    """A visitor of the plan needs the room to find the door (not the name or phone, issue 14): its members,
    and the party members of its residential area, who join a round by recording a visit from it (see
    `selectors.plans_for`)."""
    me = selectors.member_for(user)
    if me is None or not me.active:
        return False
    return me.community_id == plan.microgrid.parent_id or plan.members.filter(pk=me.pk).exists()


@require_GET
@role_required(RECORD_VISITS | READ_PARTY)
def plan_detail(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    user = request.user
    plan = _plan(user, code)
    every = selectors.plan_households(plan, local_today())
    # Which households are listed (issue 14: all 170 at once helped nobody at the door): by default a grid
    # worker's own households not visited yet this quarter, anyone else's "not visited yet"; ?show=all lists
    # every household of the micro-grid. The counter and the filter counts come from one query
    # (`plan_tally`), the same one the answer to a recorded visit sends out of band.
    worker_id = _worker_id(user)
    tally = selectors.plan_tally(plan, worker_id)
    todo = [r for r in every if not r.visits]
    shown = {
        "mine": [r for r in todo if worker_id and r.household.grid_worker_id == worker_id],
        "todo": todo,
        "all": every,
    }
    show = request.GET.get("show", "")
    if show not in shown:
        show = "mine" if worker_id and shown["mine"] else "todo"
    rows = shown[show]
    # A micro-grid has a hundred and more households (151 on one 13,853-px page, issue 18): narrowed to a
    # building and by a search (room, building or code), a page of PLAN_PAGE at a time.
    buildings = sorted({r.household.building for r in every}, key=lambda b: b.code)
    building = next((b for b in buildings if b.code == request.GET.get("building")), None)
    q = request.GET.get("q", "").strip()[:30]
    rooms = _sees_rooms(user, plan)
    found: set[int] | None = None
    if q:
        # The household list's search and rules: a masked room is not found by its number either (that would
        # tell it), nor a name or phone by a visitor shown only the room.
        found = selectors.plan_search(plan, q, personal=user.sees_personal_data, rooms=rooms)

    def narrowed(listed: list[selectors.ToVisit]) -> list[selectors.ToVisit]:
        return [
            r
            for r in listed
            if (building is None or r.household.building_id == building.pk)
            and (found is None or r.household.pk in found)
        ]

    rows = narrowed(rows)
    filters = _plan_filters(tally, worker_id)
    # A search that finds nothing in this list may find the household in another one ("3号楼 102" under
    # "My households to visit" when it is not the worker's, or already visited): say where, with a link,
    # rather than a dead end.
    elsewhere = (
        [(key, label, n) for key, label, _n in filters if key != show and (n := len(narrowed(shown[key])))]
        if found is not None and not rows
        else []
    )
    page = Paginator(rows, PLAN_PAGE).get_page(request.GET.get("page"))
    keep = urlencode({k: v for k, v in (("building", building.code if building else ""), ("q", q)) if v})
    form_id = uuid.uuid4()
    in_area = PartyMember.objects.filter(community_id=plan.microgrid.parent_id, active=True)
    return render(
        request,
        "party/plan.html",
        {
            "plan": plan,
            # One id per form and page load: a double tap records one visit.
            "rows": [
                (household_view(r.household, user, room=rooms), r, uuid.uuid5(form_id, r.household.code))
                for r in page.object_list
            ],
            "page": page,
            "buildings": buildings,
            "building": building,
            "q": q,
            "keep": keep,
            "listed": len(rows),
            # Visitors to add (staff): members serving the residential area who do not go yet.
            "can_add_members": user.has_role(MANAGE_AREA),
            "addable": in_area.exclude(visit_plans=plan).select_related("person").order_by("person__name")
            if user.has_role(MANAGE_AREA)
            else [],
            "tally": tally,
            "show": show,
            "filters": filters,
            "elsewhere": elsewhere,
            "outcomes": VisitOutcome.choices,
            "today": local_today(),
            "can_record": user.has_role(RECORD_VISITS),
        },
    )


PLAN_PAGE = 30  # households per page of a plan


def _visit_form(request: HttpRequest) -> tuple[uuid.UUID, datetime.date]:
    """The phone's client id and the day of a visit form; ValidationError (zh/en page text) when malformed."""
    try:
        client_id = uuid.UUID(request.POST.get("client_id", ""))
        day = datetime.date.fromisoformat(request.POST.get("day", "") or local_today().isoformat())
    except ValueError:
        raise ValidationError(_("The form was incomplete; reload the page.")) from None
    return client_id, day


def _record_visit(request: HttpRequest, user: User, household: Any, plan: Any, visitors: list[Any]) -> str:
    """Record the visit the form describes (the recording member goes along as a visitor); "" when it
    was stored, otherwise the service's message for the page."""
    me = selectors.member_for(user)
    if me is not None and me not in visitors:
        visitors.append(me)
    try:
        client_id, day = _visit_form(request)
        visit_record(
            actor=user,
            household=household,
            day=day,
            outcome=request.POST.get("outcome", ""),
            issue=request.POST.get("issue", ""),
            follow_up=request.POST.get("follow_up", ""),
            visitors=visitors,
            plan=plan,
            client_id=client_id,
        )
    except ValidationError as exc:
        return " ".join(exc.messages)
    return ""


@require_POST
@role_required(RECORD_VISITS)
def plan_visit(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """Record one visit from the plan's list (a phone at the door); answers with the household's row and,
    out of band, the plan's visited counter (it stayed as it was when only the row was swapped)."""
    user = request.user
    plan = _plan(user, code)
    household = get_household_for_user(user, request.POST.get("household", ""))
    error = _record_visit(request, user, household, plan, list(plan.members.all()))
    rows = selectors.plan_households(plan, local_today(), only=household)
    # A household outside the plan's micro-grid was refused above; its row still answers, unvisited.
    row = rows[0] if rows else selectors.ToVisit(household, 0, [])
    worker_id = _worker_id(user)
    tally = selectors.plan_tally(plan, worker_id)
    return render(
        request,
        "party/partials/plan_row.html",
        {
            "plan": plan,
            "v": household_view(household, user, room=_sees_rooms(user, plan)),
            "r": row,
            "outcomes": VisitOutcome.choices,
            "cid": uuid.uuid4(),
            "today": local_today(),
            "can_record": True,
            "error": error,
            # A list of households still to visit drops the one just visited (a line says it was saved).
            "show": request.POST.get("show", ""),
            "oob": True,
            "tally": tally,
            "filters": _plan_filters(tally, worker_id),
        },
        status=400 if error else 200,
    )


def visit_panel(user: User, household: Household, *, error: str = "", saved: bool = False) -> dict[str, Any]:
    """Context of party/partials/household_visits.html: the household's visits, the form (with a fresh
    client id) and, for the household's own grid worker, their "visited this quarter" counter."""
    today = local_today()
    worker = household.grid_worker
    mine = worker is not None and user.person_id is not None and worker.person_id == user.person_id
    return {
        "household_code": household.code,
        "visits": selectors.household_visits(household),
        "can_record": user.has_role(RECORD_VISITS),
        "outcomes": VisitOutcome.choices,
        "cid": uuid.uuid4(),
        "today": today,
        "counter": selectors.worker_visited(worker.pk, household.subdistrict_id, today)
        if mine and worker is not None
        else None,
        "error": error,
        "saved": saved,
    }


@require_POST
@role_required(RECORD_VISITS)
def household_visit(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """Record a visit from the household's own page (the grid worker's journey); answers with the visits
    panel and, out of band, the worker's counter. With this quarter's plan of the micro-grid, the visit
    counts for it and its visitors go along."""
    user = request.user
    household = get_household_for_user(user, code)
    plan = selectors.plan_for(household, local_today())
    error = _record_visit(request, user, household, plan, list(plan.members.all()) if plan else [])
    context = visit_panel(user, household, error=error, saved=not error)
    context["oob"] = True
    return render(request, "party/partials/household_visits.html", context, status=400 if error else 200)
