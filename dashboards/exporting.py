"""Exporting the 台账: building its rows and the targets', running a job (dashboards/jobs.py),
and deleting old files. Asking for an export: dashboards/export_requests.py."""

import datetime as dt
import logging
import tempfile
from decimal import ROUND_DOWN, Decimal

from django.apps import apps
from django.conf import settings
from django.core.files import File
from django.utils import timezone

from dashboards.assessment import basis_text
from dashboards.briefing import gather_briefing
from dashboards.briefing_docx import write_briefing
from dashboards.excel import LEDGER_TITLE, LedgerRow, TargetRow, write_workbook
from dashboards.ledger_pages import A4, LAYOUTS
from dashboards.models import ExportJob
from dashboards.verdicts import state_for, stored_results
from reports.models import ProgressReport, WorkflowRecord
from targets.models import Target
from tasks.models import Plan, ReportingPeriod, Task, TaskUnit, Unit

logger = logging.getLogger(__name__)
DONE = (WorkflowRecord.Status.SUBMITTED, WorkflowRecord.Status.APPROVED)


def ledger_rows(plan: Plan, period: ReportingPeriod, unit: Unit | None = None) -> list[LedgerRow]:
    """One row per task and reporting unit, in ledger order, with the unit's submitted or
    approved report for the period. A fixed number of queries, reading values rather than
    model instances: a whole quarter is thousands of rows."""
    members: dict[int, list[tuple[int, str]]] = {
        pk: [] for pk in Unit.objects.filter(kind=Unit.Kind.COLLECTIVE).values_list("pk", flat=True)
    }
    listed = Unit.members.through.objects.filter(from_unit__in=list(members)).values_list(
        "from_unit_id", "to_unit__sort_order", "to_unit__name", "to_unit_id"
    )
    for collective, _order, name, member in sorted(listed):  # in the units' (sort_order, name)
        members[collective].append((member, name))
    assignments: dict[int, list[tuple[int, str]]] = {}
    for task_id, unit_id, name in (
        TaskUnit.objects.filter(task__plan=plan)
        .order_by("position")
        .values_list("task_id", "unit_id", "unit__name")
    ):
        assignments.setdefault(task_id, []).append((unit_id, name))
    completions = {
        value: str(label)
        for value, label in ProgressReport._meta.get_field("completion").flatchoices
    }
    zone = timezone.get_current_timezone()
    reports = {
        (task_id, unit_id): content
        for task_id, unit_id, *content in ProgressReport.objects.filter(
            period=period, status__in=DONE
        ).values_list(
            "task_id", "unit_id", "progress", "problems", "next_steps", "completion",
            "submitted_at",
        )
    }  # fmt: skip
    rows = []
    for task_id, number, title, units_text, measures, deadline in (
        Task.objects.in_plan(plan)
        .order_by("number")
        .values_list("pk", "number", "title", "units_text", "measures", "deadline_text")
    ):
        owners: dict[int, str] = {}  # in ledger order, each unit once
        for unit_id, name in assignments.get(task_id, ()):
            for owner in members.get(unit_id, ((unit_id, name),)):
                owners.setdefault(*owner)
        for owner_id, name in owners.items():
            if unit is not None and owner_id != unit.pk:
                continue
            row = LedgerRow(number, title, units_text, measures, deadline, unit=name)
            report = reports.get((task_id, owner_id))
            if report is not None:
                row.progress, row.problems, row.next_steps, completion, submitted_at = report
                row.completion = completions.get(completion, completion)
                row.reported_at = f"{timezone.localtime(submitted_at, zone):%Y-%m-%d %H:%M}"
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
            # as pct() shows it: to a tenth of a per cent, rounded down
            rate = (Decimal(progress.current) / Decimal(base)).quantize(
                Decimal("0.001"), rounding=ROUND_DOWN
            )
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
        with tempfile.TemporaryFile() as handle:
            write_export(job, handle)
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


def judged_on(period: ReportingPeriod, today: dt.date) -> dt.date:
    """The day an export reads the verdicts of: the period's last day (stored once the period
    has started), else today."""
    return period.ends_on if period.starts_on <= today else today


def write_export(job: ExportJob, stream) -> None:
    """Write the job's file to `stream`: the 通报 or the 台账."""
    day = judged_on(job.period, job.plan.judged_on(timezone.localdate()))
    if job.kind == ExportJob.Kind.BRIEFING:
        briefing = gather_briefing(job.plan, job.period, day)
        write_briefing(stream, briefing, demo=demo_data_present())
        return
    title = f"{LEDGER_TITLE}（{job.period.label}{'·' + job.unit.name if job.unit else ''}）"
    write_workbook(
        stream,
        title=title,
        ledger=ledger_rows(job.plan, job.period, job.unit),
        targets=target_rows(job.plan, day, job.unit),
        target_title=f"目标指标完成情况（截至{day:%Y年%-m月%-d日}）",
        layout=LAYOUTS.get(job.layout, A4),
        header=f"{job.period.label}　数据截至{day:%Y年%-m月%-d日}",
        demo=demo_data_present(),
    )


def demo_data_present() -> bool:
    """Whether the database holds demonstration data (the demo app, when it is installed,
    records it): exports then say 演示数据 on every page. Looked up by name, so that the read
    side does not import the demo app."""
    if not apps.is_installed("demo"):
        return False
    return apps.get_model("demo", "DemoDataset").objects.exists()


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
