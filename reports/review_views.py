"""The plan office's pages: the review queue with its batch approval, and 报送情况."""

from django.contrib import messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from django_tables2 import RequestConfig

from reports import workflow
from reports.access import require_reviewer
from reports.models import ProgressReport, TargetValue, ValueCorrection, WorkflowRecord
from reports.tables import QueueReportTable, QueueValueTable
from tasks.context_processors import current_plan
from tasks.models import ReportingPeriod, Task, Unit

# --- the reviewer's queue -----------------------------------------------------------------

MAX_ID = 2**63 - 1  # the largest id a BigAutoField holds; SQLite fails on larger numbers


# The queue's order: progress reports first, then target values, each oldest submission first.
QUEUE_ORDER = ("submitted_at", "pk")


def queue_after(record) -> ProgressReport | TargetValue | None:
    """The record a reviewer takes up after reviewing `record`: the next submitted one in the
    queue's order after it, or, once the end is reached, the first of those passed over (the
    queue starts again from the top); None when nothing in the record's plan awaits review.
    `record` itself is never the answer: it has just been approved or returned."""
    status = WorkflowRecord.Status.SUBMITTED
    plan_id = record.period.plan_id
    reports = ProgressReport.objects.filter(status=status, period__plan_id=plan_id)
    values = TargetValue.objects.filter(status=status, period__plan_id=plan_id)
    own = reports if isinstance(record, ProgressReport) else values
    own = own.exclude(pk=record.pk).order_by(*QUEUE_ORDER)
    at = record.submitted_at
    later = Q(submitted_at__gt=at) | Q(submitted_at=at, pk__gt=record.pk) if at else Q()
    if isinstance(record, ProgressReport):
        order = [own.filter(later), values.order_by(*QUEUE_ORDER), own]
    else:
        order = [own.filter(later), reports.order_by(*QUEUE_ORDER), own]
    return next((found for qs in order if (found := qs.first()) is not None), None)


def _as_id(raw) -> int | None:
    """An id from a query string or a form; None for anything else (text, ², 10**30)."""
    if raw and raw.isdecimal() and int(raw) <= MAX_ID:
        return int(raw)
    return None


@require_safe
def review_queue(request):
    require_reviewer(request)
    plan = current_plan(request)
    if plan is None:
        raise Http404(_("尚未导入行动方案。"))
    periods = list(ReportingPeriod.objects.in_plan(plan))
    units = Unit.objects.countable()
    status = request.GET.get("status") or WorkflowRecord.Status.SUBMITTED
    filters = Q(status=status) if status in WorkflowRecord.Status.values else Q()
    chosen = {}
    for name in ("unit", "period"):
        pk = _as_id(request.GET.get(name))
        if pk is not None:
            chosen[name] = pk
            filters &= Q(**{f"{name}_id": pk})
    task_id = _as_id(request.GET.get("task"))
    reports = ProgressReport.objects.filter(filters, period__plan=plan)
    values = TargetValue.objects.filter(filters, period__plan=plan)
    if task_id is not None:
        chosen["task"] = task_id
        reports = reports.filter(task_id=task_id)
        values = values.filter(target__tasks__id=task_id)
    report_table = QueueReportTable(
        reports.select_related("task", "unit", "period").order_by(*QUEUE_ORDER),
        prefix="r-",
    )
    value_table = QueueValueTable(
        values.select_related("target", "unit", "period").order_by(*QUEUE_ORDER),
        prefix="v-",
    )
    config = RequestConfig(request, paginate={"per_page": 25})
    config.configure(report_table)
    config.configure(value_table)
    return render(
        request,
        "reports/review_queue.html",
        {
            "report_table": report_table,
            "value_table": value_table,
            # Corrections of approved figures waiting for the plan office (快报 → 正式 …).
            "corrections": ValueCorrection.objects.filter(
                status=ValueCorrection.Status.SUBMITTED, target_value__period__plan=plan
            ).select_related("target_value__target", "target_value__unit", "target_value__period"),
            "periods": periods,
            "units": units,
            "tasks": Task.objects.in_plan(plan).order_by("number"),
            "statuses": WorkflowRecord.Status.choices,
            "status": status,
            "chosen": chosen,
        },
    )


@require_POST
def review_approve(request):
    require_reviewer(request)
    # A number that cannot be an id (10**30) counts as a record that does not exist.
    report_ids = [_as_id(i) for i in request.POST.getlist("reports") if i.isdecimal()]
    value_ids = [_as_id(i) for i in request.POST.getlist("values") if i.isdecimal()]
    records = list(ProgressReport.objects.filter(pk__in=[i for i in report_ids if i])) + list(
        TargetValue.objects.filter(pk__in=[i for i in value_ids if i])
    )
    if len(records) != len(report_ids) + len(value_ids):
        messages.error(request, _("所选报告中有不存在的记录，没有审核任何报告。"))
    else:
        try:
            approved = workflow.approve_records(records=records, user=request.user)
        except workflow.WorkflowError as error:
            messages.error(request, str(error))
        else:
            message = _("已审核通过 %(n)s 份。") % {"n": len(approved)}
            skipped = [r for r in records if r not in approved]
            if skipped:
                # Name them: the reviewer wants to see which ones another reviewer took.
                message += _("另有 %(n)s 份已由其他审核员审核通过，未重复审核：%(names)s。") % {
                    "n": len(skipped),
                    "names": "；".join(str(r) for r in skipped),
                }
            messages.success(request, message)
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("reports:review-queue")  # never send a reviewer to another site
    return redirect(next_url)
