from django.urls import path

from assessment import views

app_name = "assessment"
urlpatterns = [
    path("n/<str:code>/", views.node_scores, name="node"),
    path("n/<str:code>/inspect/", views.inspect, name="inspect"),
    path("n/<str:code>/i/<slug:indicator>/", views.evidence, name="evidence"),
    path("n/<str:code>/evidence/<uuid:client_id>/", views.evidence_file, name="evidence_file"),
    path("n/<str:code>/i/<slug:indicator>/records/", views.evidence_records, name="records"),
]
