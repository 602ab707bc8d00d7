"""A household's own page (/h/<token>/ from its QR sheet, /h/ for a resident's login) and its sheet."""

from django.urls import path

from grid import resident_views

app_name = "resident"
urlpatterns = [
    path("", resident_views.my_household, name="mine"),
    path("k/<str:code>/reissue/", resident_views.key_reissue, name="key_reissue"),
    path("k/<str:code>/sheet.pdf", resident_views.key_sheet, name="key_sheet"),
    path("<str:token>/", resident_views.household_page, name="page"),
]
