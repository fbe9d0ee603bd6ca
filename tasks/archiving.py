"""Ending a plan: once its period is over, an admin archives it. An archived plan is
read-only (reports/workflow.py require_open_plan refuses every report, change, review and
correction; the template import refuses too), its quarters are closed so no reminder goes out,
and its pages keep showing its final verdicts, drawn from data that can no longer change.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tasks.models import Plan, ReportingPeriod


@transaction.atomic
def archive_plan(*, plan: Plan, today: dt.date) -> Plan:
    """Archive a plan whose period has ended; its open quarters are closed with it."""
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.is_archived:
        raise ValidationError("该行动方案已归档。")
    if today <= plan.period_end:
        end = plan.period_end
        raise ValidationError(f"实施期至 {end.year}年{end.month}月{end.day}日，结束后才能归档。")
    now = timezone.now()
    plan.archived_at = now
    plan.save(update_fields=["archived_at"])
    ReportingPeriod.objects.filter(plan=plan, closed_at__isnull=True).update(closed_at=now)
    return plan
