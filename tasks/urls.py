from django.urls import path

from tasks import views

app_name = "tasks"

urlpatterns = [
    path("", views.home, name="home"),
    path("plans/<slug:code>/ledger/", views.ledger, name="ledger"),
    path("tasks/<int:pk>/", views.task_detail, name="task-detail"),
    path("units/", views.unit_list, name="unit-list"),
    path("units/<int:pk>/", views.unit_detail, name="unit-detail"),
]
