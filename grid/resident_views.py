"""A household's QR sheets, for the residential area's staff: re-issuing a lost sheet, printing one household's
sheet or a node's. (The page a sheet opens reads points, supervision, activities and enforcement: it is the
project's, wastegrid/resident_views.py.)"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.access import AuthenticatedHttpRequest, role_required
from accounts.roles import MANAGE_AREA, READ_COVERAGE
from grid.models import Household
from grid.scope import get_household_for_user, get_node_for_user
from grid.services.household_keys import household_key_reissue, household_keys_ensure
from lib.qr import qr_sheet_pdf


@require_POST
@role_required(MANAGE_AREA)
def key_reissue(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """A lost sheet: new secret, the old sheet void at once; back to the household with a link to print."""
    user = request.user
    household = get_household_for_user(user, code)
    key = household_key_reissue(actor=user, household=household, reason=request.POST.get("reason", ""))
    messages.success(
        request,
        _(
            "New QR issued (version %(n)s): the old sheet no longer opens the household's page. Print the new one."
        )
        % {"n": key.generation},
    )
    return redirect("grid:household_detail", code=household.code)


@require_GET
@role_required(MANAGE_AREA | READ_COVERAGE)
def key_sheet(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """One household's QR sheet (PDF), issuing its secret if it has none yet."""
    user = request.user
    household = get_household_for_user(user, code)
    token = household_keys_ensure(actor=user, households=[household])[household.pk]
    url = request.build_absolute_uri(reverse("resident:page", args=[token]))
    name = f"{household.building.name} {household.room}"
    pdf = qr_sheet_pdf([(url, name, household.code)], title=f"{household.community.name} · {name}")
    return HttpResponse(
        pdf,
        content_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="qr-{household.code}.pdf"',
            "Cache-Control": "private, no-store",
        },
    )


@require_GET
@role_required(MANAGE_AREA | READ_COVERAGE)
def qr_households(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """The QR sheets of a node's households, one code each (mounted at /guide/qr/<code>/households.pdf,
    `guide:qr_households`, by wastegrid/urls.py: the address the sheets were first printed from)."""
    user = request.user
    node = get_node_for_user(user, code)
    households = list(
        Household.objects.visible_to(user)
        .in_node(node)
        .select_related("building__microgrid", "community")
        .order_by("code")[:2000]
    )
    # Each code opens that household's own page through its secret (grid.HouseholdKey): printing again keeps
    # the codes already handed out; a lost sheet is re-issued from the household's page.
    tokens = household_keys_ensure(actor=user, households=households)
    labels = [
        (
            request.build_absolute_uri(reverse("resident:page", args=[tokens[h.pk]])),
            f"{h.building.name} {h.room}",
            h.code,
        )
        for h in households
    ]
    pdf = qr_sheet_pdf(labels, title=f"{node.name} · {_('Household QR codes')}")
    return HttpResponse(
        pdf,
        content_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="qr-{node.code}.pdf"',
            "Cache-Control": "private, no-store",  # the sheet holds the households' keys
        },
    )
