from collections.abc import Sequence
from typing import Any

from django.contrib import admin
from django.templatetags.static import static
from django.urls import URLPattern, URLResolver, include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from accounts import errors, offline
from grid import resident_urls, resident_views
from grid import urls as grid_urls
from guide import urls as guide_urls
from party import urls as party_urls
from reports import frame_views
from wastegrid import my_households, offline_pages
from wastegrid import resident_views as resident_pages
from wastegrid.api import api

Pattern = URLPattern | URLResolver

# Error pages in the site's layout and the user's language (accounts/errors.py).
handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = errors.page_not_found
handler500 = errors.server_error

# The back office carries the site's name (not "Django 管理"), in the reader's language.
admin.site.site_header = _("Waste sorting grid")
admin.site.site_title = _("Waste sorting grid")
admin.site.index_title = _("Back office")


def namespace(
    app_urls: Any, *, before: Sequence[Pattern] = (), after: Sequence[Pattern] = ()
) -> tuple[Any, ...]:
    """An app's URL patterns in its own namespace (`app_urls.app_name`), with project views mounted `before`
    or `after` them: pages that read several apps live in the project package but keep the app's URL names
    (so `grid:my_households`, `resident:page`, `party:frame`). Order matters where a pattern is a catch-all."""
    return include(([*before, *app_urls.urlpatterns, *after], app_urls.app_name))


urlpatterns = [
    # First: a live contest's taps and polls are the busiest requests (200 phones within one second,
    # bench/contest_bench.py), and each pattern tried before a match costs them (an empty-prefix include
    # tries all its patterns). No other prefix overlaps "contests/", so the order changes nothing else.
    path("contests/", include("contests.urls")),
    path("", include("wastegrid.accounts_urls")),  # accounts: log in, home page, linking people
    # The grid's pages plus the grid worker's "my households", which reads four other apps.
    path(
        "grid/", namespace(grid_urls, after=[path("my/", my_households.my_households, name="my_households")])
    ),
    # A household's own page: the short address its QR sheet carries (wastegrid/resident_views.py: it reads
    # points, supervision, activities and enforcement), and its sheets (grid/resident_urls.py).
    path(
        "h/",
        namespace(
            resident_urls,
            before=[path("", resident_pages.my_household, name="mine")],
            after=[path("<str:token>/", resident_pages.household_page, name="page")],
        ),
    ),
    path("audit/", include("audit.urls")),
    # The knowledge base's pages plus the households' QR sheets, which are grid's (printed from this address
    # since the start; guide imports no other domain app).
    path(
        "guide/",
        namespace(
            guide_urls,
            after=[path("qr/<str:code>/households.pdf", resident_views.qr_households, name="qr_households")],
        ),
    ),
    path("supervision/", include("supervision.urls")),
    path("points/", include("points.urls")),
    path("cases/", include("enforcement.urls")),
    path("tonnage/", include("tonnage.urls")),
    path("assessment/", include("assessment.urls")),
    path("reports/", include("reports.urls")),
    # Party's own pages plus the seven-mechanism report, which reports serves (it reads activities,
    # supervision and assessment; party imports none of them for it).
    path("party/", namespace(party_urls, after=[path("frame/", frame_views.frame, name="frame")])),
    path("units/", include("units.urls")),
    path("activities/", include("activities.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    # Browsers and tools ask for /favicon.ico whatever the page links; the icons live with the static files.
    path("favicon.ico", RedirectView.as_view(url=static("icons/favicon.ico"))),
    # The app-wide service worker (at the root: its scope is the whole site) and its offline page.
    path("sw.js", offline.service_worker, name="service_worker"),
    path("offline/", offline.offline, name="offline"),
    path("offline/pages.json", offline_pages.offline_pages_json, name="offline_pages"),
]
