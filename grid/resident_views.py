"""A household's own page, opened by the secret on its QR sheet (no login) or by the resident's login; and,
for the residential area's staff, re-issuing a lost sheet and printing one household's sheet."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.models import COVERAGE_READERS, GRID_EDITORS, Role, User
from grid.access import get_household_for_user, role_required
from grid.models import Household
from grid.resident import resident_page
from grid.services.household_keys import household_by_token, household_key_reissue, household_keys_ensure
from guide.qr import qr_sheet_pdf


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _page(request: HttpRequest, household: Household, *, via_sheet: bool) -> HttpResponse:
    response = render(
        request,
        "grid/resident.html",
        {"p": resident_page(household), "via_sheet": via_sheet, "logged_in": request.user.is_authenticated},
    )
    # The address is the key: it must not travel to another site in a Referer header, nor be indexed.
    # ("no-referrer" would also make the browser send `Origin: null` with the page's own forms, and the
    # language switch would fail its CSRF check.)
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_GET
@never_cache
def household_page(request: HttpRequest, token: str) -> HttpResponse:
    """The page a household's QR sheet opens. An unknown, malformed or re-issued token answers a 404 page
    that says what to do (ask the residential-area office for the new sheet)."""
    household = household_by_token(token)
    if household is None:
        response = render(request, "grid/resident_not_found.html", status=404)
        response["Referrer-Policy"] = "same-origin"
        return response
    return _page(request, household, via_sheet=True)


@require_GET
@never_cache
@role_required(frozenset({Role.RESIDENT}))
def my_household(request: HttpRequest) -> HttpResponse:
    """The same page for a resident who logged in (their account's household)."""
    household = Household.objects.visible_to(_user(request)).select_related("building", "community").first()
    if household is None:
        raise Http404
    return _page(request, household, via_sheet=False)


@require_POST
@role_required(GRID_EDITORS)
def key_reissue(request: HttpRequest, code: str) -> HttpResponse:
    """A lost sheet: new secret, the old sheet void at once; back to the household with a link to print."""
    user = _user(request)
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
@role_required(GRID_EDITORS | COVERAGE_READERS)
def key_sheet(request: HttpRequest, code: str) -> HttpResponse:
    """One household's QR sheet (PDF), issuing its secret if it has none yet."""
    user = _user(request)
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
