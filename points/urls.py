from django.urls import path

from points import views

app_name = "points"
urlpatterns = [
    path("h/<str:code>/", views.statement, name="statement"),
    path("counter/", views.counter, name="counter"),
    path("n/<str:code>/leaders/", views.leaders, name="leaders"),
]
