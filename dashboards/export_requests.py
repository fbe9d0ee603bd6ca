"""Asking for a 台账 export: who may ask for what, and recording the request, which queues the
job (dashboards/jobs.py) once it is committed."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from dashboards.excel import BRIEFING_TITLE, LEDGER_TITLE
from dashboards.jobs import export_ledger
from dashboards.models import ExportJob
from reports.access import Viewer, viewer_for
from tasks.models import Plan, ReportingPeriod, Unit


def can_export(viewer: Viewer, unit: Unit | None, kind: str = ExportJob.Kind.LEDGER) -> bool:
    """Admins, reviewers and leaders export everything; a reporter only their own unit's
    台账, never the 通报."""
    if viewer.reads_everything:
        return True
    if kind != ExportJob.Kind.LEDGER:
        return False
    return viewer.is_reporter and unit is not None and unit.pk == viewer.unit_id


def export_filename(
    period: ReportingPeriod,
    unit: Unit | None,
    kind: str = ExportJob.Kind.LEDGER,
    layout: str = ExportJob.Layout.A4,
) -> str:
    if kind == ExportJob.Kind.BRIEFING:
        return f"{BRIEFING_TITLE}（{period.label}）.docx"
    suffix = f"（{period.label}·{unit.name}）" if unit else f"（{period.label}）"
    shape = {ExportJob.Layout.A3: "·A3", ExportJob.Layout.SCREEN: "·屏幕版"}.get(layout, "")
    return f"{LEDGER_TITLE}{suffix}{shape}.xlsx"


@transaction.atomic
def start_export(
    *,
    user,
    plan: Plan,
    period: ReportingPeriod,
    unit: Unit | None,
    kind: str = ExportJob.Kind.LEDGER,
    layout: str = ExportJob.Layout.A4,
) -> ExportJob:
    """Record the request and queue the job once the request is committed."""
    if kind == ExportJob.Kind.BRIEFING:
        unit, layout = None, ""
    if not can_export(viewer_for(user), unit, kind):
        raise PermissionDenied("填报员只能导出本单位的台账。")
    if period.plan_id != plan.pk:
        raise PermissionDenied("填报期与行动方案不符。")
    job = ExportJob.objects.create(
        plan=plan,
        period=period,
        unit=unit,
        requested_by=user,
        kind=kind,
        layout=layout,
        filename=export_filename(period, unit, kind, layout),
    )
    export_ledger.delay_on_commit(job.pk)
    return job
