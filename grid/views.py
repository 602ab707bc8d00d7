"""Grid pages: tree, node, households, my households, coverage, import."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import COVERAGE_READERS, GRID_EDITORS, GRID_READERS, VISIT_RECORDERS, Role, User
from grid.access import get_household_for_user, get_node_for_user, home_node, role_required
from grid.models import (
    HOUSEHOLD_RELATED,
    GridNode,
    Household,
    HouseholdKey,
    ImportJob,
    ImportKind,
    ImportStatus,
    Level,
)
from grid.presenters import household_row, household_view, person_view
from grid.selectors import coverage_report, grid_stats, import_outcome, worker_households
from grid.services.assignment import households_assign, households_assign_all
from grid.services.importing import SPECS, import_job_create
from lib.htmx import render_page
from lib.paging import KeyPaginator
from lib.xlsx import XLSX_CONTENT_TYPE, xlsx_bytes, xlsx_response
from supervision.selectors import household_recent


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _ancestors(node: GridNode, user: User) -> list[GridNode]:
    codes = [c for c in node.path.strip("/").split("/")][:-1]
    visible = {n.code: n for n in GridNode.objects.visible_to(user).filter(code__in=codes)}
    return [visible[c] for c in codes if c in visible]


@require_GET
@role_required(GRID_READERS)
def tree(request: HttpRequest) -> HttpResponseBase:
    user = _user(request)
    return node_detail(request, home_node(user).code)


@require_GET
@role_required(GRID_READERS)
def node_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    node = get_node_for_user(user, code)
    stats = grid_stats(node)
    if request.GET.get("export") == "xlsx":
        rows = [
            (
                c.node.code,
                c.node.name,
                c.node.get_level_display(),
                c.households,
                c.assigned,
                c.workers,
                round(c.coverage * 100, 1),
            )
            for c in sorted(stats[node.pk].children, key=lambda s: (s.node.sort_order, s.node.code))
        ]
        headers = [
            _("Code"),
            _("Name"),
            _("Level"),
            _("Households"),
            _("Assigned"),
            _("Grid workers"),
            _("Coverage") + " %",
        ]
        return xlsx_response(f"grid-{node.code}.xlsx", headers, rows, title=node.code)
    context = {
        "node": node,
        "stats": stats[node.pk],
        "children": sorted(stats[node.pk].children, key=lambda s: (s.node.sort_order, s.node.code)),
        "ancestors": _ancestors(node, user),
        "can_edit": user.has_role(GRID_EDITORS),
        "can_see_coverage": user.has_role(COVERAGE_READERS),
    }
    return render_page(request, "grid/node_detail.html", "grid/partials/node_children.html", context)


def _household_filter(request: HttpRequest, user: User) -> tuple[QuerySet[Household], dict[str, Any]]:
    qs = Household.objects.visible_to(user)
    params = {
        k: request.GET.get(k, "").strip()[:100]
        for k in ("q", "node", "worker", "unassigned", "building", "import")
    }
    node = None
    if params["node"]:
        node = get_node_for_user(user, params["node"])
        qs = qs.in_node(node)
    if params["q"]:
        q = params["q"]
        qs = qs.search(q, personal=user.sees_personal_data)
    if params["building"]:
        qs = qs.filter(building__code=params["building"])
    if params["worker"]:
        qs = qs.filter(grid_worker__code=params["worker"])
    if params["unassigned"] == "1":
        qs = qs.filter(grid_worker__isnull=True)
    if params["import"]:
        # The households one import created (linked from its page); a malformed id matches none.
        try:
            qs = qs.filter(import_job__public_id=uuid.UUID(params["import"]))
        except ValueError:
            qs = qs.none()
    return qs.order_by("code"), {"params": params, "filter_node": node}


@require_GET
@role_required(GRID_READERS)
def household_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    qs, context = _household_filter(request, user)
    if request.GET.get("export") == "xlsx":
        headers = [
            _("Code"),
            _("Residential area"),
            _("Micro-grid"),
            _("Building"),
            _("Stairwell"),
            _("Room"),
            _("Household size"),
            _("Contact person"),
            _("Contact phone"),
            _("Grid worker"),
        ]
        rows = (
            household_row(h, user) for h in qs.select_related(*HOUSEHOLD_RELATED).iterator(chunk_size=2000)
        )
        return xlsx_response("households.xlsx", headers, rows, title=_("Households"))
    page = KeyPaginator(qs, 50, related=HOUSEHOLD_RELATED).get_page(request.GET.get("page"))
    context.update(
        {
            "page": page,
            "households": [household_view(h, user) for h in page.object_list],
            "querystring": _querystring(request),
        }
    )
    return render_page(request, "grid/household_list.html", "grid/partials/household_table.html", context)


def _querystring(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


HOUSEHOLD_READERS = GRID_READERS | {Role.RESIDENT}


@require_GET
@role_required(HOUSEHOLD_READERS)
def household_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    household = get_household_for_user(user, code)
    members = [
        person_view(p, user, household=household)
        for p in household.members.select_related("grid_worker").order_by("name")
    ]
    since = timezone.localdate() - datetime.timedelta(days=30)
    context: dict[str, Any] = {
        "h": household_view(household, user),
        "household": household,
        "members": members,
        "sorting": household_recent(household, since),
    }
    if user.has_role(GRID_EDITORS):
        # The household's QR sheet: print it, or re-issue it when it was lost (grid.resident_views).
        context["qr_key"] = HouseholdKey.objects.filter(household=household).first()
        context["can_reissue"] = True
    if user.has_role(VISIT_RECORDERS | GRID_READERS):
        from party.views import visit_panel  # party builds on grid, not the other way round at import time

        context.update(visit_panel(user, household))
        context["show_visits"] = True
    return render(request, "grid/household_detail.html", context)


# Filters of "my households" (?show=…): each a predicate over HouseholdState.
MY_FILTERS = {"visit": lambda s: s.needs_visit}


@require_GET
@role_required(frozenset({Role.GRID_WORKER}))
def my_households(request: HttpRequest) -> HttpResponse:
    """The worker's own households, who needs attention first (see grid.selectors.worker_households)."""
    user = _user(request)
    worker, states = worker_households(user, timezone.localdate())
    show = request.GET.get("show", "")
    if show not in MY_FILTERS:
        show = ""
    visited = sum(s.visited_this_quarter for s in states)
    need = sum(s.needs_visit for s in states)
    total = len(states)
    if show:
        states = [s for s in states if MY_FILTERS[show](s)]
    return render(
        request,
        "grid/my_households.html",
        {
            "worker": worker,
            "cards": [(household_view(s.household, user), s) for s in states],
            "visited": visited,
            "total": total,
            "need": need,
            "show": show,
        },
    )


@require_GET
@role_required(COVERAGE_READERS)
def coverage(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    node = get_node_for_user(user, code)
    report = coverage_report(node)
    if request.GET.get("export") == "xlsx":
        return HttpResponse(
            _coverage_xlsx(report),
            content_type=XLSX_CONTENT_TYPE,
            headers={"Content-Disposition": f'attachment; filename="coverage-{node.code}.xlsx"'},
        )
    return render(
        request,
        "grid/coverage.html",
        {
            "node": node,
            "report": report,
            "can_edit": user.has_role(GRID_EDITORS) and node.level == Level.COMMUNITY,
        },
    )


def _coverage_xlsx(report: Any) -> bytes:
    nodes = [
        (
            s.node.code,
            s.node.name,
            s.node.get_level_display(),
            s.households,
            s.assigned,
            s.unassigned,
            s.workers,
            s.overloaded_workers,
            s.underloaded_workers,
            s.microgrids_out_of_range,
        )
        for s in report.rows
    ]
    workers = [(w.code, w.name, w.microgrid.code, w.households, _("over")) for w in report.overloaded] + [
        (w.code, w.name, w.microgrid.code, w.households, _("under")) for w in report.underloaded
    ]
    unassigned = [(h.code, h.community.name, h.building.name, h.room) for h in report.unassigned_sample]
    return xlsx_bytes(
        [
            (
                _("Nodes"),
                [
                    _("Code"),
                    _("Name"),
                    _("Level"),
                    _("Households"),
                    _("Assigned"),
                    _("Unassigned"),
                    _("Grid workers"),
                    _("Overloaded workers"),
                    _("Under-loaded workers"),
                    _("Micro-grids outside the rule"),
                ],
                nodes,
            ),
            (
                str(_("Workers")),
                [_("Code"), _("Name"), _("Micro-grid"), _("Households"), _("Problem")],
                workers,
            ),
            (str(_("Unassigned")), [_("Code"), _("Residential area"), _("Building"), _("Room")], unassigned),
        ]
    )


@require_POST
@role_required(GRID_EDITORS)
def assign(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    node = get_node_for_user(user, code)
    if node.level == Level.COMMUNITY:
        results = [households_assign(actor=user, community=node)]
    else:
        results = households_assign_all(actor=user, root=node)
    changed = sum(r.changed for r in results)
    left = sum(len(r.unassigned) for r in results)
    messages.success(
        request,
        _("Assignment done: %(changed)d households changed worker, %(left)d left unassigned.")
        % {"changed": changed, "left": left},
    )
    return redirect("grid:coverage", code=node.code)


@require_http_methods(["GET", "POST"])
@role_required(GRID_EDITORS)
def import_start(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    node = home_node(user)
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        upload = request.FILES.get("file")
        if kind not in SPECS or upload is None:
            messages.error(request, _("Choose what to import and a file."))
        elif upload.size and upload.size > 30 * 1024 * 1024:
            messages.error(request, _("The file is larger than 30 MB."))
        else:
            job = import_job_create(
                kind=kind, filename=upload.name or "upload", data=upload.read(), actor=user, root=node
            )
            return redirect("grid:import_status", public_id=job.public_id)
    recent = ImportJob.objects.filter(created_by=user).defer("data")[:10]
    # Links such as the home page's "import households" preselect what they lead to import; otherwise the
    # kind the person imported last is kept (issue 17: "import another file" must not fall back to buildings).
    chosen = request.POST.get("kind") or request.GET.get("kind", "") or (recent[0].kind if recent else "")
    return render(
        request,
        "grid/import.html",
        {
            "kinds": ImportKind.choices,
            "specs": SPECS,
            "recent": recent,
            "node": node,
            "chosen": chosen if chosen in SPECS else "",
        },
    )


@require_GET
@role_required(GRID_EDITORS)
def import_status(request: HttpRequest, public_id: str) -> HttpResponse:
    user = _user(request)
    job = ImportJob.objects.defer("data").filter(public_id=public_id, created_by=user).first()
    if job is None:
        raise Http404
    outcome = import_outcome(job) if job.status == ImportStatus.DONE else {}
    return render_page(
        request,
        "grid/import_status.html",
        "grid/partials/import_progress.html",
        {"job": job, "outcome": outcome},
    )


EXAMPLE_SHEET = "示例 Example (不导入)"
EXAMPLE_NOTE = (
    "在第一页填写数据，一行一条。“示例”页只是格式示例，不会被导入。"
    " Fill in the first sheet, one row per record; the Example sheet only shows the format and is never imported."
)


@require_GET
@role_required(GRID_EDITORS)
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in SPECS:
        raise Http404
    spec = SPECS[kind]
    notes = [(c.header, _("required") if c.required else _("optional"), c.help) for c in spec]
    # The importer reads only the first sheet: the example lives on a sheet of its own, so it can never be
    # imported by mistake, and the notes say so (issue 17).
    notes.append(("—", "", EXAMPLE_NOTE))
    data = xlsx_bytes(
        [
            (str(ImportKind(kind).label), [c.header for c in spec], []),
            ("说明 Notes", ["列 Column", "必填 Required", "说明 Notes"], notes),
            (EXAMPLE_SHEET, [c.header for c in spec], [[c.example for c in spec]]),
        ]
    )
    return HttpResponse(
        data,
        content_type=XLSX_CONTENT_TYPE,
        headers={"Content-Disposition": f'attachment; filename="template-{kind}.xlsx"'},
    )
