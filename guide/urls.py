from django.urls import path

from guide import views

app_name = "guide"
urlpatterns = [
    path("", views.index, name="index"),
    path("c/<str:key>/", views.category, name="category"),
    path("review/", views.review, name="review"),
    path("review/<int:pk>/", views.review_decide, name="review_decide"),
    path("qr/<str:code>/households.pdf", views.qr_households, name="qr_households"),
]
