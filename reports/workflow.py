"""Writes of the reporting workflow: create, save, submit, return, approve.

Every function checks who is asking (reports/access.py) and the record's state, runs in one
transaction, locks the record row, records the step (ReportEvent) and keeps the content of
every version (ReportRevision). A save or submit that names an older version than the one
stored is refused with StaleVersionError, which carries what the other person saved, so two
people editing one report never overwrite each other.
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from reports.access import Viewer, can_create, can_edit, can_review, viewer_for
from reports.attachments import MAX_FILES_PER_REPORT
from reports.models import (
    Attachment,
    ProgressReport,
    ReportEvent,
    ReportRevision,
    TargetValue,
    WorkflowRecord,
)
from targets.models import Target
from tasks.models import Plan, ReportingPeriod, Task, Unit

Status = WorkflowRecord.Status
Action = ReportEvent.Action
Record = ProgressReport | TargetValue


class WorkflowError(Exception):
    """A move the workflow does not allow; the message is shown to the user as it is."""


class LateConfirmationRequired(WorkflowError):
    """A closed period's submission not confirmed as late: the forms show it beside their
    逾期补报 box."""


class StaleVersionError(WorkflowError):
    def __init__(self, current: Record):
        super().__init__(
            f"保存失败：{current.updated_by.first_name or current.updated_by.get_username()}"
            f"已于{timezone.localtime(current.updated_at):%Y-%m-%d %H:%M}修改了这份报告"
            "（见下方对方保存的内容）。您填写的内容仍在表单中，请核对后再保存。"
        )
        self.current = current


def content_of(record: Record) -> dict:
    """The reporter-written fields of a record as JSON-safe values. A number is written with
    its field's decimal places, so 402, 402.0 and 402.00 are the same content."""
    content = {}
    for name in record.CONTENT_FIELDS:
        value = getattr(record, name)
        if isinstance(value, Decimal):
            places = record._meta.get_field(name).decimal_places
            value = str(value.quantize(Decimal(1).scaleb(-places)))
        elif isinstance(value, dt.date):
            value = value.isoformat()
        content[name] = value
    return content


def _record_link(record: Record) -> dict:
    return {"report": record} if isinstance(record, ProgressReport) else {"target_value": record}


def log_step(record: Record, *, user, action: str, from_status: str, comment: str = "") -> None:
    ReportEvent.objects.create(
        **_record_link(record),
        action=action,
        actor=user,
        from_status=from_status,
        to_status=record.status,
        comment=comment,
        version=record.version,
    )


def keep_revision(record: Record, *, user) -> None:
    ReportRevision.objects.create(
        **_record_link(record),
        version=record.version,
        content=content_of(record),
        changed_by=user,
    )


def lock_record(record: Record) -> Record:
    # Lock the row alone, with no joins: when PostgreSQL re-reads a row another transaction
    # changed while we waited, it re-checks joined rows from the old snapshot, and a join on
    # updated_by (which that transaction changed) would lose the row altogether.
    return type(record).objects.select_for_update().get(pk=record.pk)


def _require_version(record: Record, version: int) -> None:
    if record.version != version:
        raise StaleVersionError(record)


def require_open_plan(period_id: int) -> None:
    """An archived plan is read-only: nothing of it is reported, changed or reviewed again."""
    if Plan.objects.filter(periods=period_id, archived_at__isnull=False).exists():
        raise WorkflowError(ARCHIVED_MESSAGE)


ARCHIVED_MESSAGE = "该行动方案已归档，只读：不能再填报、修改、审核或更正。"


# --- ownership -------------------------------------------------------------------------


def unit_owns_task(unit: Unit, task: Task) -> bool:
    return Task.objects.owned_by(unit).filter(pk=task.pk).exists()


def unit_reports_target(unit: Unit, target: Target) -> bool:
    """A city-wide target is reported by its reporting unit; a county target by each county."""
    if target.scope == Target.Scope.CITY:
        return target.reporting_unit_id == unit.pk
    return target.units.filter(Q(pk=unit.pk) | Q(members=unit)).exists() and not (
        unit.is_collective
    )


# --- creating ------------------------------------------------------------------------------


def _create(record: Record, *, viewer: Viewer, owns: bool, user) -> Record:
    require_open_plan(record.period_id)
    if not can_create(viewer, unit_id=record.unit_id, owns_subject=owns):
        raise PermissionDenied("只能为本单位负责的任务和指标填报。")
    if record.period.plan_id != _plan_id_of(record):
        raise WorkflowError("填报期与任务不属于同一行动方案。")
    record.created_by = record.updated_by = user
    record.status, record.version = Status.DRAFT, 1
    record.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError as error:
        existing = _existing_twin(record)
        if existing is None:
            raise
        raise StaleVersionError(existing) from error
    keep_revision(record, user=user)
    log_step(record, user=user, action=Action.CREATE, from_status="")
    return record


def _plan_id_of(record: Record) -> int:
    return record.task.plan_id if isinstance(record, ProgressReport) else record.target.plan_id


def _existing_twin(record: Record) -> Record | None:
    """The record someone else created meanwhile for the same task/target, unit and period."""
    if isinstance(record, ProgressReport):
        twins = ProgressReport.objects.filter(
            task=record.task, unit=record.unit, period=record.period
        )
    else:
        twins = TargetValue.objects.filter(
            target=record.target, unit=record.unit, period=record.period, series=record.series
        )
    return twins.select_related("updated_by").first()


@transaction.atomic
def create_report(
    *, task: Task, unit: Unit, period: ReportingPeriod, user, content: dict
) -> ProgressReport:
    report = ProgressReport(task=task, unit=unit, period=period, **content)
    return _create(report, viewer=viewer_for(user), owns=unit_owns_task(unit, task), user=user)


@transaction.atomic
def create_value(
    *,
    target: Target,
    unit: Unit,
    period: ReportingPeriod,
    user,
    content: dict,
    series: str = TargetValue.Series.ACTUAL,
) -> TargetValue:
    if series == TargetValue.Series.BENCHMARK and target.accumulation != "benchmark":
        raise WorkflowError("只有对标类指标才填报基准值。")
    # A figure covers its quarter's end and comes in the target's usual form unless it says.
    content = {"covers_to": period.ends_on, "form": target.allowed_forms[0], **content}
    value = TargetValue(target=target, unit=unit, period=period, series=series, **content)
    return _create(
        value, viewer=viewer_for(user), owns=unit_reports_target(unit, target), user=user
    )


# --- changing ------------------------------------------------------------------------------


def _check_edit(record: Record, user) -> None:
    require_open_plan(record.period_id)
    viewer = viewer_for(user)
    if not can_edit(viewer, unit_id=record.unit_id, status=record.status):
        if viewer.unit_id == record.unit_id and record.status == Status.APPROVED:
            raise WorkflowError("报告已审核通过，不能再修改。")
        if viewer.unit_id == record.unit_id and record.status == Status.SUBMITTED:
            raise WorkflowError("报告已报送，等待审核期间不能修改；如需修改请联系审核员退回。")
        raise PermissionDenied("您无权修改这份报告。")


@transaction.atomic
def save_record(*, record: Record, user, content: dict, version: int) -> Record:
    """Save a draft or returned record with new content, if nobody saved it meanwhile."""
    record = lock_record(record)
    _check_edit(record, user)
    _require_version(record, version)
    for name, value in content.items():
        if name not in record.CONTENT_FIELDS:
            raise ValueError(f"{name} is not a content field of {type(record).__name__}")
        setattr(record, name, value)
    record.full_clean()
    if (
        content_of(record)
        == ReportRevision.objects.filter(**_record_link(record), version=record.version)
        .values_list("content", flat=True)
        .first()
    ):
        return record  # nothing changed: no new version
    record.version += 1
    record.updated_by, record.updated_at = user, timezone.now()
    record.save()
    keep_revision(record, user=user)
    log_step(record, user=user, action=Action.SAVE, from_status=record.status)
    return record


def due_date_of(record: Record) -> dt.date:
    """A report is due with its quarter; a target value when its target says (a yearly figure
    months after its year)."""
    if isinstance(record, TargetValue):
        return record.target.due_date(record.period)
    return record.period.due_on


@transaction.atomic
def submit_record(*, record: Record, user, version: int, late_ok: bool = False) -> Record:
    """Submit a draft or returned record for review.

    After the due date a submission is accepted and marked late (the mark stays). A closed
    period takes a submission only when the user confirms it as a late one (late_ok).
    """
    record = lock_record(record)
    _check_edit(record, user)
    _require_version(record, version)
    due = due_date_of(record)
    now = timezone.now()
    # A yearly figure is owed after its quarter has closed (统计公报 come months later): the
    # closing of the quarter only stops it once its own due date has passed.
    closed = record.period.is_closed and timezone.localtime(now).date() > due
    if closed and not late_ok:
        raise LateConfirmationRequired(f"{record.period.label}已关闭，请勾选“逾期补报”后再报送。")
    from_status = record.status
    if record.submitted_at is None:
        record.is_late = timezone.localtime(now).date() > due or closed
    record.status, record.submitted_at = Status.SUBMITTED, now
    record.version += 1
    record.updated_by, record.updated_at = user, now
    record.save()
    log_step(record, user=user, action=Action.SUBMIT, from_status=from_status)
    return record


def _check_review(record: Record, user) -> None:
    require_open_plan(record.period_id)
    if not can_review(viewer_for(user)):
        raise PermissionDenied("只有审核员可以审核报告。")
    if record.status != Status.SUBMITTED:
        raise WorkflowError(
            f"只能审核“已报送”的报告，这份报告的状态是“{record.get_status_display()}”。"
        )


@transaction.atomic
def return_record(*, record: Record, user, comment: str) -> Record:
    """Send a submitted record back to its unit; the comment says what to fix."""
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": "退回时必须填写退回意见。"})
    record = lock_record(record)
    _check_review(record, user)
    record.status, record.review_comment, record.reviewed_at = (
        Status.RETURNED,
        comment,
        timezone.now(),
    )
    record.version += 1
    record.updated_by, record.updated_at = user, timezone.now()
    record.save()
    log_step(record, user=user, action=Action.RETURN, from_status=Status.SUBMITTED, comment=comment)
    return record


@transaction.atomic
def approve_records(*, records: list[Record], user) -> list[Record]:
    """Approve submitted records, all or none: one that cannot be approved stops the batch.

    A record another reviewer approved meanwhile is no obstacle: it is left as it is and not
    returned, so two reviewers working down the same queue do not refuse each other's batches.
    """
    if not records:
        raise WorkflowError("请至少选择一份报告。")
    if not can_review(viewer_for(user)):
        raise PermissionDenied("只有审核员可以审核报告。")
    locked = [lock_record(record) for record in records]
    pending = [record for record in locked if record.status != Status.APPROVED]
    problems = []
    for record in pending:
        try:
            _check_review(record, user)
        except WorkflowError as error:
            problems.append(f"{record}：{error}")
    if problems:
        raise WorkflowError("没有审核任何报告。" + "；".join(problems))
    now = timezone.now()
    for record in pending:
        record.status, record.reviewed_at, record.review_comment = Status.APPROVED, now, ""
        record.version += 1
        record.updated_by, record.updated_at = user, now
        record.save()
        log_step(record, user=user, action=Action.APPROVE, from_status=Status.SUBMITTED)
    return pending


@transaction.atomic
def approve_record(*, record: Record, user) -> Record:
    """Approve one submitted record; approving one that is already approved is refused."""
    record = lock_record(record)
    _check_review(record, user)
    return approve_records(records=[record], user=user)[0]


# --- reporting once, not twice ------------------------------------------------------------


def previous_report(*, task: Task, unit: Unit, period: ReportingPeriod) -> ProgressReport | None:
    """The unit's report on the task for the latest earlier quarter that has one."""
    return (
        ProgressReport.objects.filter(
            task=task, unit=unit, period__plan=period.plan, period__starts_on__lt=period.starts_on
        )
        .order_by("-period__starts_on")
        .first()
    )


@transaction.atomic
def report_no_change(
    *, task: Task, unit: Unit, period: ReportingPeriod, user, late_ok: bool = False
) -> ProgressReport:
    """“与上季度相同”: report last quarter's content again and submit it, in one step."""
    earlier = previous_report(task=task, unit=unit, period=period)
    if earlier is None:
        raise WorkflowError("上季度没有本任务的报告，请直接填报。")
    content = {name: getattr(earlier, name) for name in ProgressReport.CONTENT_FIELDS}
    existing = ProgressReport.objects.filter(task=task, unit=unit, period=period).first()
    if existing is None:
        report = create_report(task=task, unit=unit, period=period, user=user, content=content)
    else:
        report = save_record(record=existing, user=user, content=content, version=existing.version)
    return submit_record(record=report, user=user, version=report.version, late_ok=late_ok)


# --- attachments ---------------------------------------------------------------------------


@transaction.atomic
def add_attachments(*, report: ProgressReport, user, files: list) -> list[Attachment]:
    """Attach checked files (reports/attachments.py) to a report its unit may still edit.

    If anything fails, the files already written are removed again, so nothing is half-saved.
    Call it last in a transaction: a file is kept only with its row.
    """
    report = lock_record(report)
    _check_edit(report, user)
    if report.attachments.count() + len(files) > MAX_FILES_PER_REPORT:
        raise WorkflowError(f"每份报告最多 {MAX_FILES_PER_REPORT} 个附件。")
    saved: list[Attachment] = []
    try:
        for checked, data in files:
            attachment = Attachment(
                report=report,
                original_name=checked.name,
                content_type=checked.content_type,
                size=checked.size,
                uploaded_by=user,
            )
            attachment.file.save(checked.name, ContentFile(data), save=False)
            saved.append(attachment)
            attachment.save()
    except Exception:
        for attachment in saved:
            default_storage.delete(attachment.file.name)
        raise
    return saved


@transaction.atomic
def delete_attachment(*, attachment: Attachment, user) -> None:
    report = lock_record(attachment.report)
    _check_edit(report, user)
    name = attachment.file.name
    attachment.delete()
    transaction.on_commit(lambda: default_storage.delete(name))
