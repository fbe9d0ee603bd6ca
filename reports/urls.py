from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("dashboard/", views.overview, name="overview"),
    path("dashboard/targets/<int:pk>/", views.target_detail, name="target"),
    path("dashboard/units/<int:pk>/", views.unit_dashboard, name="unit"),
    path("dashboard/scoreboard/", views.scoreboard, name="scoreboard"),
]
