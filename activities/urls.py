from django.urls import path

from activities import views

app_name = "activities"
urlpatterns = [
    path("n/<str:code>/", views.node_activities, name="node"),
    path("a/<str:code>/", views.detail, name="detail"),
    path("a/<str:code>/checkin/", views.checkin, name="checkin"),
    path("a/<str:code>/photo/<str:photo>/", views.photo, name="photo"),
]
