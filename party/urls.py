from django.urls import path

from party import views

app_name = "party"
urlpatterns = [
    path("", views.home, name="home"),
    path("o/<str:code>/", views.org_detail, name="org"),
    path("n/<str:code>/visits/", views.visits, name="visits"),
    path("plan/<int:pk>/", views.plan_detail, name="plan"),
    path("plan/<int:pk>/visit/", views.plan_visit, name="plan_visit"),
]
