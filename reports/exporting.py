"""Exporting the 台账 as a background job: who may ask for what, building the rows, running the
job, and deleting old files."""

import datetime as dt
import logging
import tempfile
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from reports.excel import LEDGER_TITLE, LedgerRow, TargetRow, write_workbook
from reports.models import ExportJob
from targets.measurements import assess_plan
from targets.models import Target
from tasks.access import Viewer, viewer_for
from tasks.models import Plan, ProgressReport, ReportingPeriod, Task, Unit, WorkflowRecord

logger = logging.getLogger(__name__)
DONE = (WorkflowRecord.Status.SUBMITTED, WorkflowRecord.Status.APPROVED)


def can_export(viewer: Viewer, unit: Unit | None) -> bool:
    """Admins, reviewers and leaders export everything; a reporter only their own unit."""
    if viewer.reads_everything:
        return True
    return viewer.is_reporter and unit is not None and unit.pk == viewer.unit_id


def export_filename(period: ReportingPeriod, unit: Unit | None) -> str:
    suffix = f"（{period.label}·{unit.name}）" if unit else f"（{period.label}）"
    return f"{LEDGER_TITLE}{suffix}.xlsx"


def ledger_rows(plan: Plan, period: ReportingPeriod, unit: Unit | None = None) -> list[LedgerRow]:
    """One row per task and reporting unit, in ledger order, with the unit's submitted or
    approved report for the period. A fixed number of queries."""
    members: dict[int, list[Unit]] = {}
    for collective in Unit.objects.filter(kind=Unit.Kind.COLLECTIVE).prefetch_related("members"):
        members[collective.pk] = sorted(
            collective.members.all(), key=lambda u: (u.sort_order, u.name)
        )
    reports = {
        (r.task_id, r.unit_id): r
        for r in ProgressReport.objects.filter(period=period, status__in=DONE)
    }
    rows = []
    for task in Task.objects.in_plan(plan).with_units().order_by("number"):
        units: list[Unit] = []
        for assignment in task.assignments.all():
            for owner in members.get(assignment.unit_id, [assignment.unit]):
                if owner not in units:
                    units.append(owner)
        if unit is not None:
            units = [u for u in units if u.pk == unit.pk]
        for owner in units:
            row = LedgerRow(
                task.number,
                task.title,
                task.units_text,
                task.measures,
                task.deadline_text,
                unit=owner.name,
            )
            report = reports.get((task.pk, owner.pk))
            if report is not None:
                row.progress, row.problems, row.next_steps = (
                    report.progress,
                    report.problems,
                    report.next_steps,
                )
                row.completion = report.get_completion_display()
                row.reported_at = f"{timezone.localtime(report.submitted_at):%Y-%m-%d %H:%M}"
            rows.append(row)
    return rows


def target_rows(plan: Plan, day: dt.date, unit: Unit | None = None) -> list[TargetRow]:
    rows = []
    for result in assess_plan(plan, day):
        target, progress = result.target, result.progress
        county = None
        if unit is not None:
            county = next((c for c in result.counties if c.unit.pk == unit.pk), None)
            if target.reporting_unit_id != unit.pk and county is None:
                continue
        if county is not None:
            progress = county.progress
        measure = "%" if target.accumulation == Target.Accumulation.GROWTH else target.value_measure
        label = f"{target.number}. {target.label}（{measure}）"
        if target.scope == Target.Scope.EACH_COUNTY and county is None:
            label = f"{target.number}. {target.label}（达标县市区数）"
        rate = None
        if progress.current is not None and progress.expected:
            base = (
                progress.expected
                if (
                    (target.scope == Target.Scope.EACH_COUNTY and county is None)
                    or target.accumulation == Target.Accumulation.BENCHMARK
                )
                else target.value
            )
            rate = (Decimal(progress.current) / Decimal(base)).quantize(Decimal("0.0001"))
        goal = (
            progress.expected
            if (target.scope == Target.Scope.EACH_COUNTY and county is None)
            else target.value
        )
        rows.append(
            TargetRow(
                label,
                goal,
                progress.current,
                progress.expected,
                rate,
                progress.label,
                target.source_text,
            )
        )
    return rows


@transaction.atomic
def start_export(*, user, plan: Plan, period: ReportingPeriod, unit: Unit | None) -> ExportJob:
    """Record the request and queue the job once the request is committed."""
    from reports.jobs import export_ledger  # reports.jobs imports this module

    if not can_export(viewer_for(user), unit):
        raise PermissionDenied("填报员只能导出本单位的台账。")
    if period.plan_id != plan.pk:
        raise PermissionDenied("填报期与行动方案不符。")
    job = ExportJob.objects.create(
        plan=plan,
        period=period,
        unit=unit,
        requested_by=user,
        filename=export_filename(period, unit),
    )
    export_ledger.delay_on_commit(job.pk)
    return job


def run_export(job_id: int) -> ExportJob | None:
    """Build the workbook of a pending job. A job claimed twice runs once; a failure is kept
    on the job with its reason, for the page to show."""
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.PENDING).update(
        status=ExportJob.Status.RUNNING
    )
    if not claimed:
        return None
    job = ExportJob.objects.select_related("plan", "period", "unit").get(pk=job_id)
    try:
        day = job.period.ends_on
        title = f"{LEDGER_TITLE}（{job.period.label}{'·' + job.unit.name if job.unit else ''}）"
        with tempfile.TemporaryFile() as handle:
            write_workbook(
                handle,
                title=title,
                ledger=ledger_rows(job.plan, job.period, job.unit),
                targets=target_rows(job.plan, day, job.unit),
                target_title=f"目标指标完成情况（截至{day:%Y年%-m月%-d日}）",
            )
            handle.seek(0)
            job.file.save(job.filename, File(handle), save=False)
        job.status, job.finished_at = ExportJob.Status.DONE, timezone.now()
        job.save(update_fields=["file", "status", "finished_at"])
    except Exception as error:  # the job keeps the reason; the page shows it
        logger.exception("export %s failed", job_id)
        ExportJob.objects.filter(pk=job_id).update(
            status=ExportJob.Status.FAILED,
            finished_at=timezone.now(),
            error=f"生成失败：{type(error).__name__}: {error}",
        )
        return ExportJob.objects.get(pk=job_id)
    return job


def remove_expired_exports(now: dt.datetime | None = None) -> int:
    """Delete exports (rows and files) older than EXPORT_KEEP_DAYS."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.EXPORT_KEEP_DAYS)
    removed = 0
    for job in ExportJob.objects.filter(created_at__lt=cutoff):
        if job.file:
            job.file.delete(save=False)
        job.delete()
        removed += 1
    return removed
