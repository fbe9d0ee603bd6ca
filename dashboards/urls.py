from django.urls import path

from dashboards import export_views, views

app_name = "dashboards"

urlpatterns = [
    path("dashboard/", views.overview, name="overview"),
    path("dashboard/targets/<int:pk>/", views.target_detail, name="target"),
    path("dashboard/units/<int:pk>/", views.unit_dashboard, name="unit"),
    path("dashboard/scoreboard/", views.scoreboard, name="scoreboard"),
    path("compliance/", views.compliance, name="compliance"),
    path("exports/", export_views.export_page, name="exports"),
    path("exports/start/", export_views.export_start, name="export-start"),
    path("exports/<int:pk>/download/", export_views.export_download, name="export-download"),
]
