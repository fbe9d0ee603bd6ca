from itertools import groupby

from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from targets.models import Target
from tasks.models import Plan


@require_safe
def target_list(request, code):
    plan = get_object_or_404(Plan.objects.defer("text"), code=code)
    targets = Target.objects.in_plan(plan).with_related().order_by("number")
    groups = [
        (section, list(items)) for section, items in groupby(targets, key=lambda t: t.section)
    ]
    return render(
        request,
        "targets/target_list.html",
        {"plan": plan, "groups": groups, "main_label": _("二、主要目标"), "count": len(targets)},
    )
