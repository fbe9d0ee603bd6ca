"""Pages of the plan as data: the 台账 and the list of units."""

import re

from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from django_tables2 import RequestConfig

from tasks import pages
from tasks.context_processors import plan_by_code, use_plan
from tasks.forms import LedgerFilterForm
from tasks.models import Plan, Task, Unit
from tasks.tables import LedgerTable

# Pages that show the current plan as a whole: switching plans keeps the reader on the page.
# Any other page (a task, a record, a target) belongs to one plan: switching leads home.
_PLAN_PAGES = re.compile(
    r"^/(dashboard/|dashboard/scoreboard/|compliance/|exports/|reporting/|review/"
    r"|reporting/import/|plans/)?$"
)
_PLAN_ADDRESS = re.compile(r"^/plans/[^/]+/(ledger|targets)/$")


@require_safe
def plan_switch(request):
    """Switch the plans the pages show (the menu's 切换方案): to `plan`, back to `next`."""
    plan = get_object_or_404(Plan.objects.defer("text"), code=request.GET.get("plan", ""))
    use_plan(request, plan)
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = ""
    path = target.split("?", 1)[0]
    if _PLAN_ADDRESS.match(path):
        return redirect(re.sub(r"^/plans/[^/]+/", f"/plans/{plan.code}/", path))
    return redirect(path if _PLAN_PAGES.match(path) else "targets:home")


@require_safe
def ledger(request, code):
    """The 台账, drawn once for each content version of the plan and each filter, sort and page
    asked for, then served from the cache (tasks/pages.py): it shows the plan's data only."""
    plan = plan_by_code(request, code)
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
