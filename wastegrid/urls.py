from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from accounts import errors, offline
from wastegrid.api import api

# Error pages in the site's layout and the user's language (accounts/errors.py).
handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = errors.page_not_found
handler500 = errors.server_error

urlpatterns = [
    path("", include("accounts.urls")),
    path("grid/", include("grid.urls")),
    # A household's own page: the short address its QR sheet carries (grid/resident_urls.py).
    path("h/", include("grid.resident_urls")),
    path("audit/", include("audit.urls")),
    path("guide/", include("guide.urls")),
    path("supervision/", include("supervision.urls")),
    path("points/", include("points.urls")),
    path("cases/", include("enforcement.urls")),
    path("tonnage/", include("tonnage.urls")),
    path("assessment/", include("assessment.urls")),
    path("reports/", include("reports.urls")),
    path("party/", include("party.urls")),
    path("contests/", include("contests.urls")),
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
    path("offline/pages.json", offline.offline_pages_json, name="offline_pages"),
]
