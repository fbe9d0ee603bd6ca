from itertools import groupby

from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from targets.models import Target
from tasks.context_processors import current_plan, plan_by_code
from tasks.models import Plan, Task, TaskUnit, Unit


@require_safe
def target_list(request, code):
    plan = plan_by_code(request, code)
    targets = Target.objects.in_plan(plan).with_related().order_by("number")
    groups = [
        (section, list(items)) for section, items in groupby(targets, key=lambda t: t.section)
    ]
    return render(
        request,
        "targets/target_list.html",
        {"plan": plan, "groups": groups, "main_label": _("二、主要目标"), "count": len(targets)},
    )


@require_safe
def home(request):
    plan = current_plan(request)
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
    return render(request, "targets/home.html", context)


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
        "targets/unit_detail.html",
        {"unit": unit, "assignments": assignments, "targets": targets},
    )
