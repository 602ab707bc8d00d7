from django.urls import path

from contests import views

app_name = "contests"
urlpatterns = [
    # The players' tap and poll first: the busiest routes (wastegrid/urls.py puts contests first for them).
    path("c/<str:code>/answer/", views.answer, name="answer"),
    path("c/<str:code>/state/", views.state, name="state"),
    path("n/<str:code>/", views.node_contests, name="node"),
    path("c/<str:code>/", views.host, name="host"),
    path("c/<str:code>/board/", views.board, name="board"),
    path("c/<str:code>/play/", views.play, name="play"),
    path("c/<str:code>/paper.pdf", views.paper, name="paper"),
]
