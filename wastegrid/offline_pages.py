"""The pages a field role's phone keeps for offline use (GET /offline/pages.json, read by the service worker
of accounts/offline.py). They come from the grid, supervision and party, so this lives in the project
package: `accounts` imports no domain app."""

from __future__ import annotations

import datetime

from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.models import Role, User
from accounts.offline import owner_key
from accounts.roles import WORK_OFFLINE
from grid.models import Household
from lib.clock import local_today
from lib.periods import Period
from party.models import VisitPlan
from supervision.ingest import points_for

MAX_POINTS = 12  # a residential area's drop-off points; more would fill a phone for pages never opened
MAX_HOUSEHOLDS = 40  # a grid worker has 15–20


def offline_pages(user: User) -> list[dict[str, str]]:
    """The pages a field role opens offline: [{"url", "title"}], the recorder at each drop-off point the user
    records at (at most MAX_POINTS), the grid worker's households with their visit forms (MAX_HOUSEHOLDS)
    and the party member's visit plans of this quarter. Empty for office roles and anonymous visitors."""
    if not user.is_authenticated or user.role not in WORK_OFFLINE:
        return []
    pages = [{"url": reverse("supervision:home"), "title": _("Bin-side duty")}]
    for point in points_for(user).order_by("code")[:MAX_POINTS]:
        pages.append(
            {
                "url": reverse("supervision:record", args=[point.code]),
                "title": _("Record at %(point)s") % {"point": point.name},
            }
        )
    if user.role == Role.GRID_WORKER and user.person_id:
        pages.append({"url": reverse("grid:my_households"), "title": _("My households")})
        households = (
            Household.objects.filter(grid_worker__person_id=user.person_id, grid_worker__active=True)
            .select_related("building")
            .order_by("code")[:MAX_HOUSEHOLDS]
        )
        for h in households:
            home = f"{h.building.name} {h.room}"  # how a grid worker knows a door; the code tells it apart
            pages.append(
                {
                    "url": reverse("grid:household_detail", args=[h.code]),
                    "title": _("Visit %(home)s (%(code)s)") % {"home": home, "code": h.code},
                }
            )
    if user.role == Role.PARTY_MEMBER and user.person_id:
        quarter = Period.containing("quarter", local_today()).key
        for plan in VisitPlan.objects.filter(members__person_id=user.person_id, quarter=quarter):
            pages.append({"url": reverse("party:plan", args=[plan.code]), "title": plan.display_title})
    return pages


@require_GET
def offline_pages_json(request: HttpRequest) -> JsonResponse:
    """GET /offline/pages.json → {"owner": owner_key, "pages": offline_pages, "at": ISO time}; never cached
    by the browser (the worker keeps its own copy for the offline page's list)."""
    user = request.user
    pages = offline_pages(user) if isinstance(user, User) else []
    response = JsonResponse(
        {"owner": owner_key(user), "pages": pages, "at": datetime.datetime.now(datetime.UTC).isoformat()}
    )
    response["Cache-Control"] = "no-store"
    return response
