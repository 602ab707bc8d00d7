from django.urls import path

from party import frame_views, views

app_name = "party"
urlpatterns = [
    path("", views.home, name="home"),
    path("me/", views.mine, name="mine"),
    path("o/<str:code>/", views.org_detail, name="org"),
    path("n/<str:code>/visits/", views.visits, name="visits"),
    path("plan/<int:pk>/", views.plan_detail, name="plan"),
    path("plan/<int:pk>/visit/", views.plan_visit, name="plan_visit"),
    path("households/<str:code>/visit/", views.household_visit, name="household_visit"),
    path("frame/", frame_views.frame, name="frame"),
    path("o/<str:code>/duties/", frame_views.duties, name="duties"),
    path("projects/", frame_views.projects, name="projects"),
    path("projects/<int:pk>/", frame_views.project_detail, name="project"),
    path("exemplars/", frame_views.exemplars, name="exemplars"),
    path("talents/", frame_views.talents, name="talents"),
]
