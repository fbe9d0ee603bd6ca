"""Celery entry points of the read side. Each takes ids, loads what it needs and calls a plain
function, so the same work runs from a management command or a test without a worker."""

from celery import shared_task
from django.conf import settings
from django.utils import translation

from dashboards.exporting import remove_expired_exports, run_export
from dashboards.verdicts import refresh
from tasks.models import Plan


@shared_task
def export_ledger(job_id: int) -> None:
    # The 台账 is an official document in Chinese, whatever language the page that asked for it
    # reads (jobs run in that request's process without Redis).
    with translation.override(settings.LANGUAGE_CODE):
        run_export(job_id)


@shared_task
def delete_old_exports() -> int:
    return remove_expired_exports()


@shared_task
def refresh_verdicts(plan_id: int) -> None:
    """Recompute what the plan's pending changes touch (queued when a change commits)."""
    plan = Plan.objects.filter(pk=plan_id).first()
    if plan is not None:
        refresh(plan)


@shared_task
def refresh_all_verdicts() -> int:
    """Nightly: judge every plan on the new day, and take any change whose job was lost."""
    plans = list(Plan.objects.all())
    for plan in plans:
        refresh(plan)
    return len(plans)
