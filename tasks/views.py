from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from django_tables2 import RequestConfig

from targets.models import Target
from tasks.access import scope_for, viewer_for
from tasks.duties import compliance
from tasks.forms import LedgerFilterForm
from tasks.models import (
    Plan,
    ProgressReport,
    ReportingPeriod,
    Task,
    TaskUnit,
    Unit,
    WorkflowRecord,
)
from tasks.periods import open_period
from tasks.tables import LedgerTable


def _plan_by_code(code: str) -> Plan:
    return get_object_or_404(Plan.objects.defer("text"), code=code)


@require_safe
def home(request):
    plan = Plan.objects.default()
    context = {"plan": plan}
    if plan is not None:
        context.update(
            sections=plan.sections.annotate(
                task_count=Count("tasks", distinct=True),
                target_count=Count("targets", distinct=True),
            ),
            main_targets=Target.objects.in_plan(plan).filter(section__isnull=True),
            task_count=plan.tasks.count(),
            target_count=plan.targets.count(),
            unit_count=Unit.objects.countable().count(),
            other_plans=Plan.objects.exclude(pk=plan.pk),
        )
    return render(request, "tasks/home.html", context)


@require_safe
def ledger(request, code):
    plan = _plan_by_code(code)
    tasks = Task.objects.in_plan(plan).with_units()
    form = LedgerFilterForm(request.GET or None, plan=plan)
    if form.is_valid():
        if form.cleaned_data["unit"]:
            tasks = tasks.owned_by(form.cleaned_data["unit"])
        if form.cleaned_data["section"]:
            tasks = tasks.in_section(form.cleaned_data["section"])
    table = LedgerTable(tasks)
    RequestConfig(request, paginate={"per_page": 25}).configure(table)
    return render(request, "tasks/ledger.html", {"plan": plan, "table": table, "form": form})


@require_safe
def task_detail(request, pk):
    task = get_object_or_404(Task.objects.with_units(), pk=pk)
    targets = task.targets.with_related()
    return render(
        request,
        "tasks/task_detail.html",
        {
            "task": task,
            "plan": task.plan,
            "targets": targets,
            "reports": _latest_reports_for(request, task),
        },
    )


def _latest_reports_for(request, task: Task) -> list[ProgressReport]:
    """The units' submitted or approved reports of the latest quarter the user may read any of
    (tasks/access.py): everything for the plan office and leaders; for a reporter, the approved
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


@require_safe
def unit_list(request):
    units = Unit.objects.annotate(task_count=Count("tasks", distinct=True)).prefetch_related(
        "aliases", "members"
    )
    groups = [(label, [u for u in units if u.kind == kind]) for kind, label in Unit.Kind.choices]
    return render(request, "tasks/unit_list.html", {"groups": groups})


@require_safe
def unit_detail(request, pk):
    unit = get_object_or_404(
        Unit.objects.prefetch_related("aliases", "members", "collectives"), pk=pk
    )
    # A county owns what its collective (各县市区政府（管委会）) owns: show both, and say how.
    via = {unit.pk, *(c.pk for c in unit.collectives.all())}
    assignments = (
        TaskUnit.objects.filter(unit__in=via)
        .select_related("task__plan", "task__section", "unit")
        .order_by("task__plan", "task__number", "position")
    )
    targets = (
        Target.objects.for_unit(unit)
        .select_related("plan", "section")
        .prefetch_related(Prefetch("tasks", queryset=Task.objects.only("pk", "number", "title")))
    )
    return render(
        request,
        "tasks/unit_detail.html",
        {"unit": unit, "assignments": assignments, "targets": targets},
    )


@require_safe
def compliance_view(request):
    """报送情况: which units have reported for a period — for the plan office and leaders."""
    viewer = viewer_for(request.user)
    if not viewer.reads_everything:
        raise PermissionDenied(_("只有审核员、领导和管理员可以查看全市报送情况。"))
    plan = Plan.objects.default()
    if plan is None:
        raise Http404(_("尚未导入行动方案。"))
    today = timezone.localdate()
    periods = list(ReportingPeriod.objects.in_plan(plan).select_related("plan"))
    started = [p for p in periods if p.starts_on <= today]
    chosen = request.GET.get("period")
    if chosen and chosen.isdigit():
        period = get_object_or_404(
            ReportingPeriod.objects.select_related("plan"), pk=int(chosen), plan=plan
        )
    else:
        period = open_period(started, today) or (started[-1] if started else None)
    rows = compliance(period) if period else []
    rows.sort(key=lambda r: (-r.missing, -r.late, r.unit.sort_order))
    totals = {
        "owed": sum(r.owed for r in rows),
        "on_time": sum(r.on_time for r in rows),
        "late": sum(r.late for r in rows),
        "missing": sum(r.missing for r in rows),
    }
    return render(
        request,
        "tasks/compliance.html",
        {
            "period": period,
            "periods": periods,
            "rows": rows,
            "totals": totals,
            "overdue": period is not None and today > period.due_on,
        },
    )
