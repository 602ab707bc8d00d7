from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import linking_views, views

app_name = "accounts"
urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(template_name="accounts/login.html"), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/people/", linking_views.people, name="people"),
    path("accounts/people/<int:pk>/link/", linking_views.person_link, name="person_link"),
    path("accounts/people/<int:pk>/account/", linking_views.person_account, name="person_account"),
    path("accounts/claim/", linking_views.claim, name="claim"),
]
