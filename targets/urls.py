from django.urls import path

from targets import views

app_name = "targets"

urlpatterns = [
    path("", views.home, name="home"),
    path("plans/<slug:code>/targets/", views.target_list, name="target-list"),
    path("units/<int:pk>/", views.unit_detail, name="unit-detail"),
]
