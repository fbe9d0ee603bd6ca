"""Pages of the plan as data: the 台账 and the list of units."""

from django.db.models import Count
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from django_tables2 import RequestConfig

from tasks import pages
from tasks.forms import LedgerFilterForm
from tasks.models import Plan, Task, Unit
from tasks.tables import LedgerTable


def _plan_by_code(code: str) -> Plan:
    return get_object_or_404(Plan.objects.defer("text"), code=code)


@require_safe
def ledger(request, code):
    """The 台账, drawn once for each content version of the plan and each filter, sort and page
    asked for, then served from the cache (tasks/pages.py): it shows the plan's data only."""
    plan = _plan_by_code(code)
    asked = sorted((name, request.GET.getlist(name)) for name in request.GET)
    key = pages.page_key("ledger", [plan.pk, plan.content_version, asked])
    return pages.cached_page(request, key, lambda: _ledger(request, plan))


def _ledger(request, plan: Plan) -> tuple:
    tasks = Task.objects.in_plan(plan).with_units()
    form = LedgerFilterForm(request.GET or None, plan=plan)
    if form.is_valid():
        if form.cleaned_data["unit"]:
            tasks = tasks.owned_by(form.cleaned_data["unit"])
        if form.cleaned_data["section"]:
            tasks = tasks.in_section(form.cleaned_data["section"])
    table = LedgerTable(tasks)
    RequestConfig(request, paginate={"per_page": 25}).configure(table)
    title = _("重点任务分工台账")
    return title, "tasks/ledger.html", {"plan": plan, "table": table, "form": form}


@require_safe
def unit_list(request):
    units = Unit.objects.annotate(task_count=Count("tasks", distinct=True)).prefetch_related(
        "aliases", "members"
    )
    groups = [(label, [u for u in units if u.kind == kind]) for kind, label in Unit.Kind.choices]
    return render(request, "tasks/unit_list.html", {"groups": groups})
