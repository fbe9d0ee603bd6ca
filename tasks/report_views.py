"""Pages of the quarterly reporting: the reporter's inbox, report and value forms, a record's
page and history, the reviewer's queue, attachments.

Every view loads what it touches through the access helpers at the top of this file, which
answer 404 for what the user may not read and 403 for what they may read but not change; the
write functions in tasks/workflow.py check again.
"""

from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_tables2 import RequestConfig

from targets.models import Target, TargetValue
from tasks import workflow
from tasks.access import Viewer, can_edit, can_review, scope_for
from tasks.duties import days_left, duties_for
from tasks.forms import ReportForm, ReturnForm, ValueForm
from tasks.history import changes
from tasks.models import (
    Attachment,
    Plan,
    ProgressReport,
    ReportingPeriod,
    Task,
    TaskUnit,
    Unit,
    WorkflowRecord,
)
from tasks.periods import open_period
from tasks.tables import QueueReportTable, QueueValueTable

KINDS = {"report": ProgressReport, "value": TargetValue}


# --- access helpers ---------------------------------------------------------------------


def _viewer(request) -> Viewer:
    return scope_for(request).viewer


def _reporter_unit(request) -> Unit:
    viewer = _viewer(request)
    if not viewer.is_reporter:
        raise PermissionDenied(_("只有填报员可以填报。"))
    return Unit.objects.get(pk=viewer.unit_id)


def _reviewer(request) -> Viewer:
    viewer = _viewer(request)
    if not can_review(viewer):
        raise PermissionDenied(_("只有审核员可以审核。"))
    return viewer


def _record_for_user(request, kind: str, pk: int):
    """The record, if the user may read it in its present state; else 404 (not even its
    existence shows)."""
    model = KINDS.get(kind)
    if model is None:
        raise Http404(_("没有这份报告。"))
    related = ["unit", "period__plan", "updated_by"]
    related.append("task" if model is ProgressReport else "target")
    record = get_object_or_404(model.objects.select_related(*related), pk=pk)
    if not scope_for(request).may_read(record):
        raise Http404(_("没有这份报告。"))
    return record


def _period(plan: Plan, pk: int) -> ReportingPeriod:
    return get_object_or_404(ReportingPeriod.objects.select_related("plan"), pk=pk, plan=plan)


def _kind_of(record) -> str:
    return "report" if isinstance(record, ProgressReport) else "value"


def _record_url(record) -> str:
    return reverse("tasks:record-detail", args=[_kind_of(record), record.pk])


# --- the reporter's inbox ---------------------------------------------------------------


@require_safe
def inbox(request):
    viewer = _viewer(request)
    if viewer.is_reviewer and not viewer.is_reporter:
        return redirect("tasks:review-queue")
    unit = _reporter_unit(request)
    plan = Plan.objects.default()
    if plan is None:
        raise Http404(_("尚未导入行动方案。"))
    today = timezone.localdate()
    periods = list(ReportingPeriod.objects.in_plan(plan).filter(starts_on__lte=today))
    chosen = request.GET.get("period", "")
    if chosen:
        if not chosen.isdecimal():
            raise Http404
        period = _period(plan, int(chosen))
    else:
        period = open_period(periods, today) or (periods[-1] if periods else None)
    if period is None:
        return render(request, "tasks/inbox.html", {"unit": unit, "plan": plan, "period": None})
    duties = duties_for(unit, period)
    done = sum(d.is_done for d in duties)
    left = days_left(period, today)
    return render(
        request,
        "tasks/inbox.html",
        {
            "unit": unit,
            "plan": plan,
            "period": period,
            "periods": periods,
            "duties": duties,
            "done": done,
            "owed": len(duties) - done,
            "days_left": left,
            "overdue": left < 0,
            "days_overdue": -left,
        },
    )


# --- forms --------------------------------------------------------------------------------


def _conflict_data(post, current) -> dict:
    """The user's own input, with the version moved on to what is stored now: after seeing the
    other person's text they can merge and save again without retyping."""
    data = post.copy()
    data["version"] = str(current.version)
    return data


@contextmanager
def _files_kept_only_on_commit(added: list):
    """An attachment's file is written before its row commits: when the transaction is rolled
    back (a refused submit after the upload), remove the files of the rows that are gone."""
    try:
        yield
    except BaseException:
        for attachment in added:
            default_storage.delete(attachment.file.name)
        raise


@dataclass
class FormOutcome:
    form: object
    record: object
    conflict: object = None
    response: object = None


def _post_record_form(request, form, record, *, create, rebuild, saved_url) -> FormOutcome:
    """Create or save the record from a posted form, attach its files and submit it when asked,
    all in one transaction: when any step is refused, nothing is saved and the user's input
    stays in the form beside the reason (and, on a conflict, the other person's text)."""
    if not form.is_valid():
        return FormOutcome(form, record)
    model = type(record) if record is not None else None
    added: list = []
    try:
        with _files_kept_only_on_commit(added), transaction.atomic():
            if record is None:
                record = create(form.content())
            else:
                version = form.cleaned_data["version"] or 0
                record = workflow.save_record(
                    record=record, user=request.user, content=form.content(), version=version
                )
            if form.cleaned_data.get("attachments"):
                added += workflow.add_attachments(
                    report=record, user=request.user, files=form.cleaned_data["attachments"]
                )
            if "submit" in request.POST:
                workflow.submit_record(
                    record=record,
                    user=request.user,
                    version=record.version,
                    late_ok=form.cleaned_data["late_ok"],
                )
    except workflow.StaleVersionError as error:
        form = rebuild(_conflict_data(request.POST, error.current))
        form.is_valid()
        form.add_error(None, str(error))
        return FormOutcome(form, error.current, conflict=error.current)
    except (workflow.WorkflowError, ValidationError) as error:
        # The transaction was rolled back: show the record as it is stored, if it exists.
        stored = model.objects.filter(pk=record.pk).first() if model else None
        if isinstance(error, ValidationError):
            _apply_model_errors(form, error)
        else:
            form.add_error(None, str(error))
        return FormOutcome(form, stored)
    if "submit" in request.POST:
        messages.success(request, _("已报送，等待审核。"))
        return FormOutcome(form, record, response=redirect(_record_url(record)))
    messages.success(request, _("草稿已保存。"))
    return FormOutcome(form, record, response=HttpResponseRedirect(saved_url))


def _apply_model_errors(form, error: ValidationError) -> None:
    if hasattr(error, "message_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@require_http_methods(["GET", "HEAD", "POST"])
def report_edit(request, period_pk, task_pk):
    unit = _reporter_unit(request)
    task = get_object_or_404(
        Task.objects.owned_by(unit).select_related("plan", "section"), pk=task_pk
    )
    period = _period(task.plan, period_pk)
    report = ProgressReport.objects.filter(task=task, unit=unit, period=period).first()
    if report and not report.is_editable:
        messages.info(request, _("这份报告已报送，不能再修改。"))
        return redirect(_record_url(report))
    attachments = list(report.attachments.all()) if report else []
    conflict = None
    if request.method == "POST":
        form = ReportForm(request.POST, request.FILES, existing_attachments=len(attachments))
        outcome = _post_record_form(
            request,
            form,
            report,
            create=lambda content: workflow.create_report(
                task=task, unit=unit, period=period, user=request.user, content=content
            ),
            rebuild=lambda data: ReportForm(data, existing_attachments=0),
            saved_url=reverse("tasks:report-edit", args=[period.pk, task.pk]),
        )
        if outcome.response:
            return outcome.response
        form, report, conflict = outcome.form, outcome.record, outcome.conflict
    else:
        form = ReportForm(initial=_report_initial(request, report, task, unit, period))
    return render(
        request,
        "tasks/report_form.html",
        {
            "form": form,
            "task": task,
            "unit": unit,
            "period": period,
            "report": report,
            "attachments": attachments,
            "conflict": conflict,
            "conflict_fields": _content_rows(conflict) if conflict else [],
            "co_reports": _co_unit_reports(request, task, unit, period),
            "late": period.is_closed or timezone.localdate() > period.due_on,
        },
    )


def _report_initial(request, report, task, unit, period) -> dict:
    if report is not None:
        initial = {name: getattr(report, name) for name in ProgressReport.CONTENT_FIELDS}
        return initial | {"version": report.version}
    if request.GET.get("prefill") == "previous":
        earlier = workflow.previous_report(task=task, unit=unit, period=period)
        if earlier is not None:
            return {name: getattr(earlier, name) for name in ProgressReport.CONTENT_FIELDS}
    return {"percent": 0, "completion": ProgressReport.Completion.IN_PROGRESS}


def _content_rows(record) -> list[tuple[str, object]]:
    rows = []
    for name in record.CONTENT_FIELDS:
        field = record._meta.get_field(name)
        value = getattr(record, f"get_{name}_display")() if field.choices else getattr(record, name)
        rows.append((field.verbose_name, value))
    return rows


def _co_unit_reports(request, task: Task, unit: Unit, period: ReportingPeriod):
    """The lead unit sees its co-units' reports on the task as far as it may read them
    (submitted and approved ones)."""
    is_lead = TaskUnit.objects.filter(task=task, unit=unit, role=TaskUnit.Role.LEAD).exists()
    if not is_lead:
        return None
    return (
        ProgressReport.objects.filter(task=task, period=period)
        .exclude(unit=unit)
        .filter(scope_for(request).reports_filter())
        .select_related("unit")
    )


@require_POST
def report_no_change(request, period_pk, task_pk):
    unit = _reporter_unit(request)
    task = get_object_or_404(Task.objects.owned_by(unit), pk=task_pk)
    period = _period(task.plan, period_pk)
    try:
        report = workflow.report_no_change(
            task=task,
            unit=unit,
            period=period,
            user=request.user,
            late_ok=request.POST.get("late_ok") == "1",
        )
    except (workflow.WorkflowError, ValidationError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect(f"{reverse('tasks:inbox')}?period={period.pk}")
    messages.success(request, _("已按上季度内容报送：%(task)s") % {"task": task.title})
    return redirect(_record_url(report))


@require_http_methods(["GET", "HEAD", "POST"])
def value_edit(request, period_pk, target_pk):
    unit = _reporter_unit(request)
    target = get_object_or_404(Target.objects.select_related("plan"), pk=target_pk)
    if not workflow.unit_reports_target(unit, target):
        raise Http404(_("本单位不填报这个指标。"))
    period = _period(target.plan, period_pk)
    series = request.GET.get("series", TargetValue.Series.ACTUAL)
    if series not in TargetValue.Series.values:
        raise Http404
    value = TargetValue.objects.filter(
        target=target, unit=unit, period=period, series=series
    ).first()
    if value and not value.is_editable:
        messages.info(request, _("这项数据已报送，不能再修改。"))
        return redirect(_record_url(value))
    conflict = None
    if request.method == "POST":
        form = ValueForm(request.POST, measure=target.value_measure)
        outcome = _post_record_form(
            request,
            form,
            value,
            create=lambda content: workflow.create_value(
                target=target,
                unit=unit,
                period=period,
                user=request.user,
                series=series,
                content=content,
            ),
            rebuild=lambda data: ValueForm(data, measure=target.value_measure),
            saved_url=request.get_full_path(),
        )
        if outcome.response:
            return outcome.response
        form, value, conflict = outcome.form, outcome.record, outcome.conflict
    else:
        initial = {"is_final": False}
        if value is not None:
            initial = {n: getattr(value, n) for n in TargetValue.CONTENT_FIELDS}
            initial["version"] = value.version
        form = ValueForm(initial=initial, measure=target.value_measure)
    return render(
        request,
        "tasks/value_form.html",
        {
            "form": form,
            "target": target,
            "unit": unit,
            "period": period,
            "value": value,
            "series": series,
            "series_label": TargetValue.Series(series).label,
            "conflict": conflict,
            "conflict_fields": _content_rows(conflict) if conflict else [],
            "late": period.is_closed or timezone.localdate() > period.due_on,
        },
    )


# --- a record, its history and its review -----------------------------------------------


@require_safe
def record_detail(request, kind, pk):
    record = _record_for_user(request, kind, pk)
    viewer = _viewer(request)
    return render(
        request,
        "tasks/record_detail.html",
        {
            "record": record,
            "kind": kind,
            "rows": _content_rows(record),
            "attachments": record.attachments.all() if kind == "report" else [],
            "events": scope_for(request).readable_events(
                record, list(record.events.select_related("actor"))
            ),
            "may_edit": can_edit(viewer, unit_id=record.unit_id, status=record.status),
            "may_review": can_review(viewer) and record.status == WorkflowRecord.Status.SUBMITTED,
            "return_form": ReturnForm(),
            "late": record.period.is_closed or timezone.localdate() > record.period.due_on,
        },
    )


@require_safe
def record_history(request, kind, pk):
    record = _record_for_user(request, kind, pk)
    labels = {n: record._meta.get_field(n).verbose_name for n in record.CONTENT_FIELDS}
    completion = dict(ProgressReport.Completion.choices)

    def display(name, value):
        if name == "completion":
            return completion.get(value, value)
        if name == "is_final":
            return _("正式数据") if value else _("快报数据")
        if name == "value" and value not in (None, ""):
            return format(Decimal(value).normalize(), "f")  # 402.00 → 402
        return value

    # Only the versions and steps the viewer may read, and the differences between those
    # versions only: an earlier draft's text is a draft's content for good (tasks/access.py).
    scope = scope_for(request)
    events = list(record.events.select_related("actor"))
    revisions = scope.readable_revisions(
        record, list(record.revisions.select_related("changed_by")), events
    )
    return render(
        request,
        "tasks/record_history.html",
        {
            "record": record,
            "kind": kind,
            "changes": list(reversed(changes(revisions, labels, display))),
            "events": scope.readable_events(record, events),
        },
    )


def _int_or_zero(raw) -> int:
    """A posted version; anything but a number is an old version (the submit is refused)."""
    return int(raw) if raw and raw.isdecimal() else 0


@require_POST
def record_submit(request, kind, pk):
    record = _record_for_user(request, kind, pk)
    try:
        workflow.submit_record(
            record=record,
            user=request.user,
            version=_int_or_zero(request.POST.get("version")),
            late_ok=request.POST.get("late_ok") == "1",
        )
    except workflow.WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("已报送，等待审核。"))
    return redirect(_record_url(record))


@require_POST
def record_return(request, kind, pk):
    _reviewer(request)
    record = _record_for_user(request, kind, pk)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("退回时必须填写退回意见。"))
        return redirect(_record_url(record))
    try:
        workflow.return_record(
            record=record, user=request.user, comment=form.cleaned_data["comment"]
        )
    except (workflow.WorkflowError, ValidationError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, _("已退回 %(unit)s。") % {"unit": record.unit.name})
    return redirect(_record_url(record))


@require_POST
def record_approve(request, kind, pk):
    _reviewer(request)
    record = _record_for_user(request, kind, pk)
    try:
        workflow.approve_record(record=record, user=request.user)
    except workflow.WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("已审核通过。"))
    return redirect(_record_url(record))


# --- the reviewer's queue -----------------------------------------------------------------

MAX_ID = 2**63 - 1  # the largest id a BigAutoField holds; SQLite fails on larger numbers


def _as_id(raw) -> int | None:
    """An id from a query string or a form; None for anything else (text, ², 10**30)."""
    if raw and raw.isdecimal() and int(raw) <= MAX_ID:
        return int(raw)
    return None


@require_safe
def review_queue(request):
    _reviewer(request)
    plan = Plan.objects.default()
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
        reports.select_related("task", "unit", "period").order_by("submitted_at", "pk"),
        prefix="r-",
    )
    value_table = QueueValueTable(
        values.select_related("target", "unit", "period").order_by("submitted_at", "pk"),
        prefix="v-",
    )
    config = RequestConfig(request, paginate={"per_page": 25})
    config.configure(report_table)
    config.configure(value_table)
    return render(
        request,
        "tasks/review_queue.html",
        {
            "report_table": report_table,
            "value_table": value_table,
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
    _reviewer(request)
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
        next_url = reverse("tasks:review-queue")  # never send a reviewer to another site
    return redirect(next_url)


# --- attachments --------------------------------------------------------------------------


@require_safe
def attachment_download(request, pk):
    attachment = get_object_or_404(Attachment, pk=pk)
    _record_for_user(request, "report", attachment.report_id)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
def attachment_delete(request, pk):
    attachment = get_object_or_404(Attachment.objects.select_related("report"), pk=pk)
    report = _record_for_user(request, "report", attachment.report_id)
    try:
        workflow.delete_attachment(attachment=attachment, user=request.user)
    except workflow.WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("附件已删除。"))
    return redirect("tasks:report-edit", period_pk=report.period_id, task_pk=report.task_id)
