from django.urls import path

from tasks import views

app_name = "tasks"

urlpatterns = [
    path("plans/switch/", views.plan_switch, name="plan-switch"),
    path("plans/<slug:code>/ledger/", views.ledger, name="ledger"),
    path("units/", views.unit_list, name="unit-list"),
]
