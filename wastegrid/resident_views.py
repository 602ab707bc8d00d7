"""A household's own page, opened by the secret on its QR sheet (no login) or by the resident's login
(`resident:page`, `resident:mine`; mounted in the resident namespace by wastegrid/urls.py, the template is
grid's). It shows points, drop-offs, activities and cases (wastegrid/resident.py), so it is the project's."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.access import AuthenticatedHttpRequest, role_required
from accounts.roles import RESIDENT_ONLY
from grid.models import Household
from grid.services.household_keys import household_by_token, household_keys_ensure
from lib.qr import qr_svg
from wastegrid.resident import resident_page


def _page(request: HttpRequest, household: Household, *, token: str, via_sheet: bool) -> HttpResponse:
    # The household's QR, as its sheet carries it (the same address, the same encoder): staff at the points
    # counter scan it off the phone, so a resident without the printed sheet can still redeem.
    url = request.build_absolute_uri(reverse("resident:page", args=[token]))
    response = render(
        request,
        "grid/resident.html",
        {
            "p": resident_page(household),
            "via_sheet": via_sheet,
            "logged_in": request.user.is_authenticated,
            "qr_svg": qr_svg(url),
        },
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
    return _page(request, household, token=token, via_sheet=True)


@require_GET
@never_cache
@role_required(RESIDENT_ONLY)
def my_household(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The same page for a resident who logged in (their account's household)."""
    user = request.user
    household = Household.objects.visible_to(user).select_related("building__microgrid", "community").first()
    if household is None:
        raise Http404
    # The household's secret, issued now if no sheet was printed yet (the service checks the scope and
    # audits the issue; an existing one is kept, so the printed sheet and the phone show the same code).
    token = household_keys_ensure(actor=user, households=[household])[household.pk]
    return _page(request, household, token=token, via_sheet=False)
