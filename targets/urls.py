from django.urls import path

from targets import views

app_name = "targets"

urlpatterns = [
    path("plans/<slug:code>/targets/", views.target_list, name="target-list"),
]
