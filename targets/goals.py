"""What the progress rules need to know about a target (targets/progress.py Goal), and the
thresholds of 正常 and 预警 (settings PROGRESS_ON_TRACK_RATIO, PROGRESS_WARNING_RATIO)."""

from decimal import Decimal

from django.conf import settings

from targets import progress
from targets.models import Target
from tasks.models import Plan


def thresholds() -> tuple[Decimal, Decimal]:
    return settings.PROGRESS_ON_TRACK_RATIO, settings.PROGRESS_WARNING_RATIO


def goal_for(target: Target, plan: Plan, milestones=(), reporting_start=None) -> progress.Goal:
    return progress.Goal(
        accumulation=target.accumulation,
        comparator=target.comparator,
        value=target.value,
        start=plan.period_start,
        end=plan.period_end,
        value_high=target.value_high,
        tolerance=target.tolerance,
        baseline=target.baseline_value,
        baseline_on=target.baseline_on,
        milestones=tuple(progress.Point(m.on, m.value) for m in milestones),
        reporting_start=reporting_start,
        cadence=target.cadence,
        due_months=target.due_months,
        start_stock=target.start_stock,
    )
