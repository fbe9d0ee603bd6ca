from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe
from django_tables2 import RequestConfig

from targets.models import Target
from tasks.forms import LedgerFilterForm
from tasks.models import Plan, Task, TaskUnit, Unit
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
        {"task": task, "plan": task.plan, "targets": targets},
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
