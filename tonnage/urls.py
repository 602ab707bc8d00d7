from django.urls import path

from tonnage import views

app_name = "tonnage"
urlpatterns = [
    path("n/<str:code>/", views.summary, name="summary"),
    path("n/<str:code>/record/", views.record, name="record"),
]
