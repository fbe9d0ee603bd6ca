"""Celery entry points of the read side. Each takes ids, loads what it needs and calls a plain
function, so the same work runs from a management command or a test without a worker."""

from celery import shared_task

from dashboards.exporting import remove_expired_exports, run_export


@shared_task
def export_ledger(job_id: int) -> None:
    run_export(job_id)


@shared_task
def delete_old_exports() -> int:
    return remove_expired_exports()
