"""Grid pages: tree, node, households, coverage, import. (A grid worker's "my households" reads four other
apps: it is the project's, wastegrid/my_households.py.)"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import AuthenticatedHttpRequest, role_required
from accounts.models import User
from accounts.roles import MANAGE_AREA, READ_COVERAGE, READ_GRID, READ_HOUSEHOLDS, Role
from grid.household_query import parse as parse_household_query
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
from grid.scope import get_household_for_user, get_node_for_user, home_node
from grid.selectors import coverage_report, grid_stats, import_outcome
from grid.services.assignment import households_assign, households_assign_all
from grid.services.importing import SPECS, import_job_create
from lib.htmx import render_page
from lib.paging import KeyPaginator
from lib.xlsx import XLSX_CONTENT_TYPE, xlsx_bytes, xlsx_response


def _ancestors(node: GridNode, user: User) -> list[GridNode]:
    codes = [c for c in node.path.strip("/").split("/")][:-1]
    visible = {n.code: n for n in GridNode.objects.visible_to(user).filter(code__in=codes)}
    return [visible[c] for c in codes if c in visible]


@require_GET
@role_required(READ_GRID)
def tree(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    user = request.user
    return node_detail(request, home_node(user).code)


@require_GET
@role_required(READ_GRID)
def node_detail(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    user = request.user
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
        "can_edit": user.has_role(MANAGE_AREA),
        "can_see_coverage": user.has_role(READ_COVERAGE),
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
    search_hint = False
    if params["q"]:
        q = params["q"]
        qs = qs.search(q, personal=user.sees_personal_data)
        # A reader who does not see rooms, names or phones is told why such a query finds nothing of them.
        search_hint = not user.sees_personal_data and parse_household_query(q).looks_personal
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
    return qs.order_by("code"), {
        "params": params,
        "filter_node": node,
        "personal": user.sees_personal_data,
        "search_hint": search_hint,
    }


@require_GET
@role_required(READ_GRID)
def household_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
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


@require_GET
@role_required(READ_HOUSEHOLDS)
def household_detail(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    user = request.user
    household = get_household_for_user(user, code)
    if user.role == Role.RESIDENT:
        # A resident's own household (get_household_for_user answered 404 for any other): their own page,
        # which shows them what they may see of it (no ID numbers), not the staff page.
        return redirect("resident:mine")
    members = [
        person_view(p, user, household=household)
        for p in household.members.select_related("grid_worker").order_by("name")
    ]
    # The sorting block is supervision's ({% household_sorting household %}, supervision/templatetags).
    context: dict[str, Any] = {
        "h": household_view(household, user),
        "household": household,
        "members": members,
    }
    if user.has_role(MANAGE_AREA):
        # The household's QR sheet: print it, or re-issue it when it was lost (grid.resident_views).
        context["qr_key"] = HouseholdKey.objects.filter(household=household).first()
        context["can_reissue"] = True
    # The visits panel is party's ({% household_visit_panel %}, party/templatetags/household_visits.py).
    return render(request, "grid/household_detail.html", context)


@require_GET
@role_required(READ_COVERAGE)
def coverage(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    user = request.user
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
            "can_edit": user.has_role(MANAGE_AREA) and node.level == Level.COMMUNITY,
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
@role_required(MANAGE_AREA)
def assign(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    user = request.user
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
@role_required(MANAGE_AREA)
def import_start(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
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
@role_required(MANAGE_AREA)
def import_status(request: AuthenticatedHttpRequest, public_id: str) -> HttpResponse:
    user = request.user
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
@role_required(MANAGE_AREA)
def import_template(request: AuthenticatedHttpRequest, kind: str) -> HttpResponse:
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
