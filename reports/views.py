"""The reporter's pages: what the unit owes this quarter (我的填报), and the report and value
forms with their one-step submission.

Every view loads what it touches through reports/access.py, which answers 404 for what the
user may not read and 403 for what they may read but not change; the write functions in
reports/workflow.py check again.
"""

from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from reports import workflow
from reports.access import (
    reporter_unit,
    scope_for,
    viewer_for,
    viewer_of,
)
from reports.duties import days_left, duties_across_plans, duties_for, earlier_tasks
from reports.forms import LoginForm, ReportForm, ValueForm
from reports.history import content_rows
from reports.models import ProgressReport, TargetValue
from targets.models import Target
from tasks import pages
from tasks.context_processors import current_plan, plans_of
from tasks.models import Plan, ReportingPeriod, Task, TaskUnit, Unit
from tasks.periods import open_period


def _period(plan: Plan, pk: int) -> ReportingPeriod:
    return get_object_or_404(ReportingPeriod.objects.select_related("plan"), pk=pk, plan=plan)


# --- where a user lands after signing in ----------------------------------------------------


def has_work_waiting(unit: Unit, today) -> bool:
    """Has the unit something to do in an active plan: a record the plan office returned (in
    any period of the plan), or something still owed in the period open today
    (reports/duties.py)?"""
    return any(d.has_work for d in duties_across_plans(unit, today))


class LoginView(auth_views.LoginView):
    """Django's login page; a reporter whose unit has something returned or owed lands on
    我的填报, everyone else where LOGIN_REDIRECT_URL says. A `next` parameter still wins, and is
    still only followed to this site (Django's own check, `get_redirect_url`)."""

    authentication_form = LoginForm

    def get_default_redirect_url(self):
        viewer = viewer_for(self.request.user)
        if viewer.is_reporter and has_work_waiting(
            Unit.objects.get(pk=viewer.unit_id), timezone.localdate()
        ):
            return reverse("reports:inbox")
        return super().get_default_redirect_url()


# --- the reporter's inbox ---------------------------------------------------------------


@require_safe
def inbox(request):
    viewer = viewer_of(request)
    if viewer.is_reviewer and not viewer.is_reporter:
        return redirect("reports:review-queue")
    unit = reporter_unit(request)
    plan = current_plan(request)
    if plan is None:
        raise Http404(_("尚未导入行动方案。"))
    today = timezone.localdate()
    periods = list(ReportingPeriod.objects.in_plan(plan).filter(starts_on__lte=today))
    for each in periods:
        each.plan = plan  # read once: the duties read the period's plan
    chosen = request.GET.get("period", "")
    if chosen:
        if not chosen.isdecimal():
            raise Http404
        period = _period(plan, int(chosen))
    else:
        period = open_period(periods, today) or (periods[-1] if periods else None)
    if period is None:
        return render(request, "reports/inbox.html", {"unit": unit, "plan": plan, "period": None})

    earlier = earlier_tasks(unit, period)
    # What the unit owes in the other active plans (read already for the menu, newest first).
    others = [p for p in plans_of(request) if p.pk != plan.pk]
    across = duties_across_plans(unit, today, others)

    def build():
        duties = duties_for(unit, period, set(earlier))
        done = sum(d.is_done for d in duties)
        left = days_left(period, today)
        return (
            _("我的填报"),
            "reports/inbox_body.html",
            {
                "unit": unit,
                "plan": plan,
                "period": period,
                "periods": periods,
                "duties": duties,
                "done": done,
                "owed": len(duties) - done,
                "days_left": left,
                "today": today,
                "overdue": left < 0,
                "days_overdue": -left,
                "across": across,
            },
        )

    key = _inbox_key(request, unit, plan, periods, period, today, earlier, across)
    return pages.cached_page(request, key, build)


def _inbox_key(request, unit: Unit, plan: Plan, periods, period, today, earlier, across) -> str:
    """我的填报 as it stands: the page is drawn again when anything it shows changes — the
    unit's records of the period (status, version, late mark), the tasks it reported before
    (以上季度为底稿), the plan's tasks, targets and units (Plan.content_version:
    tasks/receivers.py, targets/receivers.py), the periods and their dates, the day (days
    left) — and it is kept per user and CSRF secret, for the forms it holds."""
    reports = ProgressReport.objects.filter(unit=unit, period=period).order_by("pk")
    values = TargetValue.objects.filter(unit=unit, period=period).order_by("pk")
    shown = [period, *periods]
    get_token(request)  # makes the CSRF secret of a request that came without one
    return pages.page_key(
        "inbox",
        [
            request.user.pk,
            request.META["CSRF_COOKIE"],
            unit.pk,
            plan.pk,
            plan.content_version,
            today,
            [(p.pk, p.starts_on, p.ends_on, p.due_on, p.closed_at) for p in shown],
            list(reports.values_list("pk", "task_id", "status", "version", "is_late")),
            list(values.values_list("pk", "target_id", "series", "status", "version", "is_late")),
            earlier,
            [(d.plan.pk, d.period.pk if d.period else None, d.done, d.owed, d.returned)
             for d in across],
        ],
    )  # fmt: skip


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
        elif isinstance(error, workflow.LateConfirmationRequired):
            form.add_error("late_ok", str(error))  # beside the box to tick
        else:
            form.add_error(None, str(error))
        return FormOutcome(form, stored)
    if "submit" in request.POST:
        messages.success(request, _("已报送，等待审核。"))
        return FormOutcome(form, record, response=redirect(record.get_absolute_url()))
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
    unit = reporter_unit(request)
    task = get_object_or_404(
        Task.objects.owned_by(unit).select_related("plan", "section"), pk=task_pk
    )
    period = _period(task.plan, period_pk)
    report = ProgressReport.objects.filter(task=task, unit=unit, period=period).first()
    if report and not report.is_editable:
        messages.info(request, _("这份报告已报送，不能再修改。"))
        return redirect(report.get_absolute_url())
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
            saved_url=reverse("reports:report-edit", args=[period.pk, task.pk]),
        )
        if outcome.response:
            return outcome.response
        form, report, conflict = outcome.form, outcome.record, outcome.conflict
    else:
        form = ReportForm(initial=_report_initial(request, report, task, unit, period))
    return render(
        request,
        "reports/report_form.html",
        {
            "form": form,
            "task": task,
            "unit": unit,
            "period": period,
            "report": report,
            "attachments": attachments,
            "conflict": conflict,
            "conflict_fields": content_rows(conflict) if conflict else [],
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
    unit = reporter_unit(request)
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
        return redirect(f"{reverse('reports:inbox')}?period={period.pk}")
    messages.success(request, _("已按上季度内容报送：%(task)s") % {"task": task.title})
    return redirect(report.get_absolute_url())


@require_http_methods(["GET", "HEAD", "POST"])
def value_edit(request, period_pk, target_pk):
    unit = reporter_unit(request)
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
        return redirect(value.get_absolute_url())
    conflict = None
    if request.method == "POST":
        form = ValueForm(request.POST, target=target)
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
            rebuild=lambda data: ValueForm(data, target=target),
            saved_url=request.get_full_path(),
        )
        if outcome.response:
            return outcome.response
        form, value, conflict = outcome.form, outcome.record, outcome.conflict
    else:
        initial = {
            "quality": TargetValue.Quality.PRELIMINARY,
            "covers_to": period.ends_on,
            "form": target.allowed_forms[0],
        }
        if value is not None:
            initial = {n: getattr(value, n) for n in TargetValue.CONTENT_FIELDS}
            initial["version"] = value.version
        form = ValueForm(initial=initial, target=target)
    return render(
        request,
        "reports/value_form.html",
        {
            "form": form,
            "target": target,
            "unit": unit,
            "period": period,
            "value": value,
            "series": series,
            "series_label": TargetValue.Series(series).label,
            "conflict": conflict,
            "conflict_fields": content_rows(conflict) if conflict else [],
            "due_on": target.due_date(period),
            "late": timezone.localdate() > target.due_date(period),
        },
    )
