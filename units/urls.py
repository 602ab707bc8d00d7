from django.urls import path

from units import views

app_name = "units"
urlpatterns = [
    path("", views.unit_list, name="list"),
    path("u/<str:code>/", views.unit_detail, name="detail"),
    path("commitments/<int:pk>/evidence/", views.commitment_evidence, name="commitment_evidence"),
    path("meetings/", views.meetings, name="meetings"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("attendance/<int:pk>/reply/", views.attendance_answer, name="attendance_answer"),
]
