from django.urls import path

from units import views

app_name = "units"
urlpatterns = [
    path("", views.unit_list, name="list"),
    path("u/<str:code>/", views.unit_detail, name="detail"),
    path("commitments/<str:code>/evidence/", views.commitment_evidence, name="commitment_evidence"),
    path("meetings/", views.meetings, name="meetings"),
    path("meetings/<str:code>/", views.meeting_detail, name="meeting"),
    path("attendance/<str:code>/reply/", views.attendance_answer, name="attendance_answer"),
]
