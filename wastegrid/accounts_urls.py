"""The `accounts:` URL names: logging in (Django's views, accounts' templates), the home page (the project's,
wastegrid/home.py) and linking accounts to people (where `Person` lives, grid/people_views.py). The URL conf
is the project's so that `accounts` itself imports no domain app; names and paths are unchanged."""

from django.contrib.auth import views as auth_views
from django.urls import path

from grid import people_views
from wastegrid import home

app_name = "accounts"
urlpatterns = [
    path("", home.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(template_name="accounts/login.html"), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/people/", people_views.people, name="people"),
    path("accounts/people/<str:code>/link/", people_views.person_link, name="person_link"),
    path("accounts/people/<str:code>/account/", people_views.person_account, name="person_account"),
    path("accounts/claim/", people_views.claim, name="claim"),
]
