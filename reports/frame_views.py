"""The party-building frame page (the seven mechanisms and the four inclusions). Served by reports, mounted
in the party namespace (`party:frame`, /party/frame/) by `wastegrid/urls.py`, so party need not import it."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from accounts.access import AuthenticatedHttpRequest, role_required
from accounts.roles import READ_PARTY
from lib.clock import local_today
from lib.periods import query_year
from reports.frame import frame_report


@require_http_methods(["GET"])
@role_required(READ_PARTY)
def frame(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    sd = user.node.subdistrict if user.node else None
    if sd is None:
        raise Http404
    year = query_year(request)
    mechanisms, inclusions = frame_report(sd, year, local_today())
    return render(
        request,
        "reports/frame.html",
        {"sd": sd, "year": year, "mechanisms": mechanisms, "inclusions": inclusions},
    )
