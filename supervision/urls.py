from django.urls import path

from supervision import review, roster_views, views

app_name = "supervision"
urlpatterns = [
    path("", views.home, name="home"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("shifts/<str:code>/signup/", views.signup, name="signup"),
    path("shifts/<str:code>/roster/", roster_views.shift_roster, name="shift_roster"),
    path("understaffed/<str:code>/", roster_views.understaffed, name="understaffed"),
    path("signups/<str:code>/check-<str:action>/", views.check, name="check"),
    path("signups/<str:code>/swap/", views.swap, name="swap"),
    path("signups/<str:code>/cancel/", views.signup_cancel, name="signup_cancel"),
    path("offers/<str:code>/", views.offer_detail, name="offer"),
    path("p/<str:code>/", views.point_detail, name="point_detail"),
    path("p/<str:code>/record/", views.record, name="record"),
    path("p/<str:code>/purity/", views.purity, name="purity"),
    path("numbers/<str:code>/", views.numbers, name="numbers"),
    path("flagged/", review.flagged, name="flagged"),
]
