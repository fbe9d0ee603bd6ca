"""A ledger task's page: its units, notes and targets, and its latest reports as far as the
viewer may read them."""

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from reports.access import scope_for
from reports.models import ProgressReport, WorkflowRecord
from tasks.models import Task


@require_safe
def task_detail(request, pk):
    task = get_object_or_404(Task.objects.with_units(), pk=pk)
    targets = task.targets.with_related()
    return render(
        request,
        "reports/task_detail.html",
        {
            "task": task,
            "plan": task.plan,
            "targets": targets,
            "reports": _latest_reports_for(request, task),
        },
    )


def _latest_reports_for(request, task: Task) -> list[ProgressReport]:
    """The units' submitted or approved reports of the latest quarter the user may read any of
    (reports/access.py): everything for the plan office and leaders; for a reporter, the approved
    reports when their unit shares the task, and submitted ones too when it leads it."""
    done = [WorkflowRecord.Status.SUBMITTED, WorkflowRecord.Status.APPROVED]
    readable = ProgressReport.objects.filter(task=task, status__in=done).filter(
        scope_for(request).reports_filter()
    )
    latest = readable.order_by("-period__starts_on").values_list("period_id", flat=True).first()
    if latest is None:
        return []
    return list(
        readable.filter(period_id=latest)
        .select_related("unit", "period")
        .order_by("unit__sort_order")
    )
