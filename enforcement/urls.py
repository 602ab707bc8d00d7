from django.urls import path

from enforcement import views

app_name = "enforcement"
urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("propose/", views.propose, name="propose"),
    path("to-close/", views.to_close, name="to_close"),
    path("new/", views.case_new, name="case_new"),
    path("c/<str:code>/", views.case_detail, name="case_detail"),
    path("c/<str:code>/act/", views.case_action, name="case_action"),
    path("c/<str:code>/notice.pdf", views.notice, name="notice"),
    path("c/<str:code>/doc/<int:step>/", views.document, name="document"),
    path("c/<str:code>/evidence/<int:n>/photo/", views.evidence_photo, name="evidence_photo"),
]
