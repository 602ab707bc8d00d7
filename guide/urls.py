from django.urls import path

from guide import views

app_name = "guide"
urlpatterns = [
    path("", views.index, name="index"),
    path("c/<str:key>/", views.category, name="category"),
    path("review/", views.review, name="review"),
    path("review/<str:code>/", views.review_decide, name="review_decide"),
    # guide:qr_households (/guide/qr/<code>/households.pdf) is grid's page, added by wastegrid/urls.py.
]
