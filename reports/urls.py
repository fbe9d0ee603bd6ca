from django.urls import path

from reports import import_views, record_views, review_views, task_views, views

app_name = "reports"

urlpatterns = [
    path("tasks/<int:pk>/", task_views.task_detail, name="task-detail"),
    # Quarterly reporting
    path("reporting/", views.inbox, name="inbox"),
    path("reporting/<int:period_pk>/tasks/<int:task_pk>/", views.report_edit,
         name="report-edit"),
    path("reporting/<int:period_pk>/tasks/<int:task_pk>/no-change/", views.report_no_change,
         name="report-no-change"),
    path("reporting/<int:period_pk>/targets/<int:target_pk>/", views.value_edit,
         name="value-edit"),
    path("reporting/template/", import_views.template_download, name="template"),
    path("reporting/import/", import_views.import_page, name="import"),
    # A record, its history and its review
    path("records/<str:kind>/<int:pk>/", record_views.record_detail, name="record-detail"),
    path("records/<str:kind>/<int:pk>/history/", record_views.record_history,
         name="record-history"),
    path("records/<str:kind>/<int:pk>/submit/", record_views.record_submit,
         name="record-submit"),
    path("records/<str:kind>/<int:pk>/return/", record_views.record_return,
         name="record-return"),
    path("records/<str:kind>/<int:pk>/approve/", record_views.record_approve,
         name="record-approve"),
    path("records/value/<int:pk>/correct/", record_views.value_correct, name="value-correct"),
    path("corrections/<int:pk>/approve/", record_views.correction_approve,
         name="correction-approve"),
    path("corrections/<int:pk>/reject/", record_views.correction_reject,
         name="correction-reject"),
    path("attachments/<int:pk>/", record_views.attachment_download, name="attachment"),
    path("attachments/<int:pk>/delete/", record_views.attachment_delete,
         name="attachment-delete"),
    # The plan office
    path("review/", review_views.review_queue, name="review-queue"),
    path("review/approve/", review_views.review_approve, name="review-approve"),
]  # fmt: skip
