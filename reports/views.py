"""The dashboard of a node, and its monthly / annual reports (requested, built in the background, downloaded)."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from accounts.access import AuthenticatedHttpRequest, role_required
from accounts.models import User
from accounts.roles import READ_COVERAGE
from assessment.scoring import in_rank_order
from grid.models import GridNode
from grid.presenters import household_view
from grid.scope import get_node_for_user
from lib.bilingual import Msg
from lib.clock import local_today
from lib.htmx import render_page
from lib.periods import NOT_BEGUN, Period, last_days, query_days
from lib.replica import replica_reads
from lib.uploads import file_response
from reports.models import ReportJob
from reports.selectors import BUCKETS, dashboard, has_drop_offs
from reports.services import report_job_create

SPANS = (7, 30, 90, 365)
PERIOD_FORMAT = Msg(
    "期间格式应为 2026-11、2026-Q4 或 2026。", "Period must look like 2026-11, 2026-Q4 or 2026."
)


@require_GET
@role_required(READ_COVERAGE)
@replica_reads
def dashboard_page(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    user = request.user
    node = get_node_for_user(user, code)
    today = local_today()
    days = query_days(request, SPANS, 30)
    start, end = last_days(days, today)
    by = request.GET.get("by", "")
    board = dashboard(node, start, end, by if by in BUCKETS else None, today=today)
    visits = [(household_view(o.household, user), o) for o in board.visits]
    a = board.assessment
    ranked_areas = in_rank_order(a.areas) if a else []
    ranked_groups = in_rank_order(a.groups) if a else []
    return render(
        request,
        "reports/dashboard.html",
        {
            "node": node,
            "b": board,
            "days": days,
            "spans": SPANS,
            "buckets": BUCKETS,
            "visits": visits,
            "ranked_areas": ranked_areas,
            "ranked_groups": ranked_groups,
            "children": node.children.order_by("sort_order", "code"),
            "parent": GridNode.objects.visible_to(user).filter(pk=node.parent_id or 0).first(),
        },
    )


def _node(request: HttpRequest, code: str) -> tuple[User, GridNode]:
    user = request.user
    assert isinstance(user, User)
    return user, get_node_for_user(user, code)


@require_http_methods(["GET", "POST"])
@role_required(READ_COVERAGE)
def report_list(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    user, node = _node(request, code)
    error = ""
    if request.method == "POST":
        try:
            period = Period.parse(request.POST.get("period", ""))
        except ValueError:
            error = str(PERIOD_FORMAT)
        else:
            if not period.begun():
                error = str(NOT_BEGUN)
        if not error:
            job = report_job_create(
                actor=user, node=node, period=period, language=getattr(request, "LANGUAGE_CODE", "zh-hans")
            )
            return redirect("reports:job", public_id=job.public_id)
    today = local_today()
    this_month = Period.containing("month", today)
    last_month = this_month.previous()
    # Last month is the usual report; without bin-side records there (a new sub-district), the month so far.
    last_empty = not has_drop_offs(node, last_month.start, last_month.end)
    return render(
        request,
        "reports/list.html",
        {
            "node": node,
            "jobs": ReportJob.objects.filter(node=node).select_related("created_by")[:20],
            "this_month": this_month,
            "last_month": last_month,
            "last_empty": last_empty,
            "default": this_month if last_empty else last_month,
            "this_year": Period.containing("year", today),
            "error": error,
        },
        status=400 if error else 200,
    )


def _job(request: HttpRequest, public_id: str) -> ReportJob:
    user = request.user
    assert isinstance(user, User)
    job = get_object_or_404(ReportJob.objects.select_related("node"), public_id=public_id)
    get_node_for_user(user, job.node.code)  # 404 outside the user's part of the grid
    return job


@require_GET
@role_required(READ_COVERAGE)
def job_status(request: AuthenticatedHttpRequest, public_id: str) -> HttpResponse:
    job = _job(request, public_id)
    return render_page(request, "reports/job.html", "reports/partials/job_progress.html", {"job": job})


@require_GET
@role_required(READ_COVERAGE)
def job_file(request: AuthenticatedHttpRequest, public_id: str, kind: str) -> FileResponse:
    job = _job(request, public_id)
    field = {"xlsx": job.xlsx, "pdf": job.pdf}.get(kind)
    if not field:
        raise Http404
    return file_response(field)
