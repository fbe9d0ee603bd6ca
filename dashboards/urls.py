from django.urls import path

from dashboards import export_views, plan_views, views

app_name = "dashboards"

urlpatterns = [
    path("dashboard/", views.overview, name="overview"),
    path("plans/", views.plans, name="plans"),
    path("plans/manage/", plan_views.plan_manage, name="plan-manage"),
    path("plans/new/", plan_views.onboarding_upload, name="onboarding"),
    path("plans/new/<int:pk>/", plan_views.onboarding_preview, name="onboarding-preview"),
    path("plans/<slug:code>/archive/", plan_views.plan_archive, name="plan-archive"),
    path("dashboard/targets/<int:pk>/", views.target_detail, name="target"),
    path("dashboard/units/<int:pk>/", views.unit_dashboard, name="unit"),
    path("dashboard/scoreboard/", views.scoreboard, name="scoreboard"),
    path("compliance/", views.compliance, name="compliance"),
    path("exports/", export_views.export_page, name="exports"),
    path("exports/start/", export_views.export_start, name="export-start"),
    path("exports/<int:pk>/download/", export_views.export_download, name="export-download"),
]
