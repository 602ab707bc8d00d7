"""Scores and grades per node and period, the evidence behind one score, the records behind one evidence row,
and entering an inspection score."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.access import AuthenticatedHttpRequest, role_required
from accounts.models import User
from accounts.roles import ADMINISTER_SUBDISTRICT, READ_COVERAGE
from assessment.models import Indicator, InspectionScore, Source
from assessment.scoring import Assessment, FuturePeriod, NoScheme, assess, in_rank_order
from assessment.services import inspection_record
from assessment.sources import records
from grid.models import GridNode, Level
from grid.scope import get_node_for_user
from lib.clock import local_today
from lib.periods import NOT_BEGUN, Period, query_period
from lib.replica import replica_reads
from lib.uploads import file_response
from lib.xlsx import xlsx_response


def period_from(request: HttpRequest) -> Period:
    """`?period=`; by default the last month with whole data (on the 1st, last month: not a month of "无")."""
    return query_period(request, whole=True)


def _assess(node: GridNode, period: Period, *, detail: bool = False) -> Assessment:
    """`assess`, a missing scheme as 404; FuturePeriod (a period not begun) is left to the view: `_refused`."""
    try:
        return assess(node, period, detail=detail)
    except NoScheme:
        raise Http404(_("No assessment scheme is in force for this period.")) from None


def _refused(request: HttpRequest) -> HttpResponse:
    """A future period (`?period=2027-01`): 400 with the zh/en reason, never a grade of months to come."""
    return render(request, "bad_input.html", {"message": str(NOT_BEGUN)}, status=400)


def export_rows(result: Assessment) -> tuple[list[str], list[list[Any]]]:
    headers = [
        _("Rank"),
        _("Code"),
        _("Residential area"),
        *[f"{i.label} ({i.weight})" for i in result.indicators],
        _("Score"),
        _("Meets the standard"),
    ]
    rows = [
        [
            a.rank,
            a.node.code,
            a.node.name,
            *[s.score if s.score is not None else _("not enough data") for s in a.scores],
            a.total if a.total is not None else _("not enough data"),
            _("vetoed")
            if a.vetoed
            else (_("not rated") if not a.rated else _("yes") if a.meets else _("no")),
        ]
        for a in in_rank_order(result.areas)
    ]
    return headers, rows


@require_GET
@role_required(READ_COVERAGE)
@replica_reads
def node_scores(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    user = request.user
    node = get_node_for_user(user, code)
    period = period_from(request)
    try:
        result = _assess(node, period)
    except FuturePeriod:
        return _refused(request)
    if request.GET.get("export") == "xlsx":
        headers, rows = export_rows(result)
        return xlsx_response(f"assessment-{node.code}-{period.key}.xlsx", headers, rows, title=period.key)
    return render(
        request,
        "assessment/node.html",
        {
            "node": node,
            "period": period,
            "result": result,
            "areas": in_rank_order(result.areas),
            "groups": in_rank_order(result.groups),
            "can_inspect": user.has_role(ADMINISTER_SUBDISTRICT),
        },
    )


def _community(user: User, code: str) -> GridNode:
    node = get_node_for_user(user, code)
    if node.level != Level.COMMUNITY:
        raise Http404
    return node


def _crumb_root(user: User, node: GridNode) -> GridNode:
    """Where the crumb "Assessment" leads from a residential area's evidence: the ranking it is part of (the
    node above), or the area itself for a reader who sees nothing above it (a secretary)."""
    return GridNode.objects.visible_to(user).filter(pk=node.parent_id or 0).first() or node


@require_GET
@role_required(READ_COVERAGE)
@replica_reads
def evidence(request: AuthenticatedHttpRequest, code: str, indicator: str) -> HttpResponse:
    """One residential area's score on one indicator, and the rows it is the sum of."""
    user = request.user
    node = _community(user, code)
    period = period_from(request)
    try:
        result = _assess(node, period, detail=True)
    except FuturePeriod:
        return _refused(request)
    area = result.area(node.code)
    assert area is not None
    score = next((s for s in area.scores if s.indicator.code == indicator), None)
    if score is None:
        raise Http404
    return render(
        request,
        "assessment/evidence.html",
        {
            "node": node,
            "crumb_root": _crumb_root(user, node),
            "period": period,
            "result": result,
            "area": area,
            "s": score,
            "rows": score.tally.rows,
        },
    )


@require_GET
@role_required(READ_COVERAGE)
@replica_reads
def evidence_records(request: AuthenticatedHttpRequest, code: str, indicator: str) -> HttpResponse:
    user = request.user
    node = _community(user, code)
    period = period_from(request)
    try:
        result = _assess(node, period)
        ind = result.scheme.indicators.get(code=indicator)
    except Indicator.DoesNotExist:
        raise Http404 from None
    except FuturePeriod:
        return _refused(request)
    month: datetime.date | None = None
    if request.GET.get("month"):
        try:
            month = Period.parse(request.GET["month"][:7]).start
        except ValueError:
            raise Http404 from None
    headers, rows = records(ind, node.pk, period, result.through, request.GET.get("key", ""), month)
    return render(
        request,
        "assessment/records.html",
        {
            "node": node,
            "crumb_root": _crumb_root(user, node),
            "period": period,
            "result": result,
            "ind": ind,
            "month": month,
            "headers": headers,
            "rows": rows,
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(ADMINISTER_SUBDISTRICT)
def inspect(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """Enter a third-party (or own) on-site inspection score, with its evidence."""
    user = request.user
    node = get_node_for_user(user, code)
    communities = GridNode.objects.subtree(node).filter(level=Level.COMMUNITY).order_by("sort_order", "code")
    try:
        result = _assess(node, period_from(request))
    except FuturePeriod:
        return _refused(request)
    indicators = [i for i in result.indicators if i.source == Source.INSPECTION]
    if request.method == "POST":
        community = communities.filter(code=request.POST.get("community", "")).first()
        try:
            if community is None:
                raise ValidationError(_("Choose a residential area."))
            try:
                day = datetime.date.fromisoformat(request.POST.get("day", ""))
                client_id = uuid.UUID(request.POST.get("form_id", ""))
            except ValueError:
                raise ValidationError(_("Give the day of the inspection.")) from None
            _rec, created = inspection_record(
                actor=user,
                community=community,
                indicator_code=request.POST.get("indicator", ""),
                day=day,
                score=request.POST.get("score", ""),
                inspector=request.POST.get("inspector", ""),
                notes=request.POST.get("notes", ""),
                evidence=request.FILES.get("evidence"),
                client_id=client_id,
            )
        except ValidationError as exc:
            for m in exc.messages:
                messages.error(request, m)
        else:
            if created:
                messages.success(request, _("Inspection score recorded."))
            return redirect("assessment:inspect", code=node.code)
    recent = InspectionScore.objects.filter(community__in=communities).select_related("community")[:30]
    return render(
        request,
        "assessment/inspect.html",
        {
            "node": node,
            "communities": communities,
            "indicators": indicators,
            "recent": recent,
            "form_id": uuid.uuid4(),
            "today": local_today(),
            "zero": Decimal(0),
        },
    )


@require_GET
@role_required(READ_COVERAGE)
def evidence_file(request: AuthenticatedHttpRequest, code: str, client_id: uuid.UUID) -> FileResponse:
    """Inspection evidence is served through the app (access-checked), never from a public media URL."""
    user = request.user
    node = _community(user, code)
    record = InspectionScore.objects.filter(community=node, client_id=client_id).first()
    if record is None or not record.evidence:
        raise Http404
    return file_response(record.evidence)
