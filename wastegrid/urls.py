from django.contrib import admin
from django.urls import include, path

from wastegrid.api import api

urlpatterns = [
    path("", include("accounts.urls")),
    path("grid/", include("grid.urls")),
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
]
