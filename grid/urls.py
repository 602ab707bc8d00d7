from django.urls import path

from grid import scan, views

app_name = "grid"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("n/<str:code>/", views.node_detail, name="node_detail"),
    path("n/<str:code>/coverage/", views.coverage, name="coverage"),
    path("n/<str:code>/assign/", views.assign, name="assign"),
    path("households/", views.household_list, name="household_list"),
    # Before households/<code>/, which would read "resolve" as a code (household codes look like ZJXL-07-B012-301).
    path("households/resolve/", scan.household_resolve, name="household_resolve"),
    path("households/<str:code>/", views.household_detail, name="household_detail"),
    # grid:my_households (/grid/my/) is the project's page (wastegrid/my_households.py), added by wastegrid/urls.py.
    path("import/", views.import_start, name="import_start"),
    path("import/template/<str:kind>.xlsx", views.import_template, name="import_template"),
    path("import/<uuid:public_id>/", views.import_status, name="import_status"),
]
