from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("dashboard/<str:code>/", views.dashboard_page, name="dashboard"),
    path("n/<str:code>/", views.report_list, name="list"),
    path("job/<uuid:public_id>/", views.job_status, name="job"),
    path("job/<uuid:public_id>/<str:kind>/", views.job_file, name="file"),
]
