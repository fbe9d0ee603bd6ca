"""Exporting the 台账: building its rows and the targets', running a job (dashboards/jobs.py),
and deleting old files. Asking for an export: dashboards/export_requests.py."""

import datetime as dt
import logging
import tempfile
from decimal import Decimal

from django.conf import settings
from django.core.files import File
from django.utils import timezone

from dashboards.assessment import basis_text
from dashboards.excel import LEDGER_TITLE, LedgerRow, TargetRow, write_workbook
from dashboards.models import ExportJob
from dashboards.verdicts import state_for, stored_results
from reports.models import ProgressReport, WorkflowRecord
from targets.models import Target
from tasks.models import Plan, ReportingPeriod, Task, Unit

logger = logging.getLogger(__name__)
DONE = (WorkflowRecord.Status.SUBMITTED, WorkflowRecord.Status.APPROVED)


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
        units: dict[int, Unit] = {}  # in ledger order, each unit once
        for assignment in task.assignments.all():
            for owner in members.get(assignment.unit_id, [assignment.unit]):
                units.setdefault(owner.pk, owner)
        owners = [u for u in units.values() if unit is None or u.pk == unit.pk]
        for owner in owners:
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
    """The targets' stored verdicts on `day` (a quarter's last day that has passed, or today),
    as the dashboards show them."""
    state_for(plan, timezone.localdate())
    rows = []
    for result in stored_results(plan, day):
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
                basis_text(progress),
            )
        )
    return rows


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
        # Judged on the period's last day (stored once the period has started), else today.
        today = timezone.localdate()
        day = job.period.ends_on if job.period.starts_on <= today else today
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
