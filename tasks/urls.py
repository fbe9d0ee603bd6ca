from django.urls import path

from tasks import report_views, views

app_name = "tasks"

urlpatterns = [
    path("", views.home, name="home"),
    path("plans/<slug:code>/ledger/", views.ledger, name="ledger"),
    path("tasks/<int:pk>/", views.task_detail, name="task-detail"),
    path("units/", views.unit_list, name="unit-list"),
    path("units/<int:pk>/", views.unit_detail, name="unit-detail"),
    # Quarterly reporting
    path("reporting/", report_views.inbox, name="inbox"),
    path("reporting/<int:period_pk>/tasks/<int:task_pk>/", report_views.report_edit,
         name="report-edit"),
    path("reporting/<int:period_pk>/tasks/<int:task_pk>/no-change/",
         report_views.report_no_change, name="report-no-change"),
    path("reporting/<int:period_pk>/targets/<int:target_pk>/", report_views.value_edit,
         name="value-edit"),
    path("records/<str:kind>/<int:pk>/", report_views.record_detail, name="record-detail"),
    path("records/<str:kind>/<int:pk>/history/", report_views.record_history,
         name="record-history"),
    path("records/<str:kind>/<int:pk>/submit/", report_views.record_submit,
         name="record-submit"),
    path("records/<str:kind>/<int:pk>/return/", report_views.record_return,
         name="record-return"),
    path("records/<str:kind>/<int:pk>/approve/", report_views.record_approve,
         name="record-approve"),
    path("review/", report_views.review_queue, name="review-queue"),
    path("review/approve/", report_views.review_approve, name="review-approve"),
    path("compliance/", views.compliance_view, name="compliance"),
    path("attachments/<int:pk>/", report_views.attachment_download, name="attachment"),
    path("attachments/<int:pk>/delete/", report_views.attachment_delete,
         name="attachment-delete"),
]  # fmt: skip
