"""A household's sheet (/h/k/…). The namespace's other pages — the household's own page (/h/<token>/ from its QR
sheet, /h/ for a resident's login) — are the project's (wastegrid/resident_views.py), added by wastegrid/urls.py."""

from django.urls import path

from grid import resident_views

app_name = "resident"
urlpatterns = [
    path("k/<str:code>/reissue/", resident_views.key_reissue, name="key_reissue"),
    path("k/<str:code>/sheet.pdf", resident_views.key_sheet, name="key_sheet"),
]
