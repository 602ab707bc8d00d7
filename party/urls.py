from django.urls import path

from party import frame_views, views

app_name = "party"
urlpatterns = [
    path("", views.home, name="home"),
    path("me/", views.mine, name="mine"),
    path("o/<str:code>/", views.org_detail, name="org"),
    path("n/<str:code>/visits/", views.visits, name="visits"),
    path("plan/<str:code>/", views.plan_detail, name="plan"),
    path("plan/<str:code>/visit/", views.plan_visit, name="plan_visit"),
    path("plan/<str:code>/members/", views.plan_members, name="plan_members"),
    path("households/<str:code>/visit/", views.household_visit, name="household_visit"),
    # party:frame (the seven-mechanism report, /party/frame/) is reports' page, added to this namespace by
    # wastegrid/urls.py: the report reads other apps, and party does not import reports.
    path("o/<str:code>/duties/", frame_views.duties, name="duties"),
    path("projects/", frame_views.projects, name="projects"),
    path("projects/<str:code>/", frame_views.project_detail, name="project"),
    path("exemplars/", frame_views.exemplars, name="exemplars"),
    path("talents/", frame_views.talents, name="talents"),
]
