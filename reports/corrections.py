"""Correcting an approved figure (快报 → 正式, a revised benchmark, a typo): the unit proposes
the correction with its reason, a reviewer approves or rejects it. The approved figure is what
every page uses until then; an approved correction becomes the figure's next version, kept in
its history with the step 更正 and the reason (reports/workflow.py keeps versions and steps)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from reports.access import can_review, viewer_for
from reports.models import ReportEvent, TargetValue, ValueCorrection, WorkflowRecord
from reports.workflow import (
    WorkflowError,
    keep_revision,
    lock_record,
    log_step,
    require_open_plan,
)

Status = WorkflowRecord.Status


@transaction.atomic
def propose_correction(*, value: TargetValue, user, content: dict, reason: str) -> ValueCorrection:
    """The unit proposes to correct an approved figure (快报 → 正式, a revised figure, a typo),
    with its reason. The approved figure stays what the dashboards use until a reviewer
    approves the correction."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请说明更正原因，如“统计公报正式数据”“修正录入错误”。"})
    value = lock_record(value)
    require_open_plan(value.period_id)
    viewer = viewer_for(user)
    if not (viewer.is_reporter and viewer.unit_id == value.unit_id):
        raise PermissionDenied("只有本单位的填报员可以更正本单位的数据。")
    if value.status != Status.APPROVED:
        raise WorkflowError("只有已审核通过的数据需要更正；未审核的数据请直接修改。")
    if value.corrections.filter(status=ValueCorrection.Status.SUBMITTED).exists():
        raise WorkflowError("这项数据已有一份更正等待审核，请等审核后再提出。")
    correction = ValueCorrection(target_value=value, reason=reason, proposed_by=user, **content)
    correction.full_clean(validate_constraints=False)
    if all(getattr(correction, n) == getattr(value, n) for n in TargetValue.CONTENT_FIELDS):
        raise WorkflowError("更正后的内容与现有数据相同，无需更正。")
    correction.save()
    return correction


def _pending(correction: ValueCorrection, user) -> ValueCorrection:
    if not can_review(viewer_for(user)):
        raise PermissionDenied("只有审核员可以审核更正。")
    correction = ValueCorrection.objects.select_for_update().get(pk=correction.pk)
    require_open_plan(
        TargetValue.objects.values_list("period_id", flat=True).get(pk=correction.target_value_id)
    )
    if correction.status != ValueCorrection.Status.SUBMITTED:
        raise WorkflowError(f"这份更正已{correction.get_status_display()}。")
    return correction


@transaction.atomic
def approve_correction(*, correction: ValueCorrection, user) -> TargetValue:
    """The corrected content becomes the figure's new version; the history keeps the old one,
    and the step says why (更正, with the reason)."""
    correction = _pending(correction, user)
    value = lock_record(correction.target_value)
    for name in TargetValue.CONTENT_FIELDS:
        setattr(value, name, getattr(correction, name))
    value.full_clean()
    now = timezone.now()
    value.version += 1
    value.updated_by, value.updated_at, value.reviewed_at = user, now, now
    value.save()
    keep_revision(value, user=correction.proposed_by)
    log_step(value, user=user, action=ReportEvent.Action.CORRECT, from_status=Status.APPROVED,
         comment=correction.reason)  # fmt: skip
    correction.status, correction.reviewed_by, correction.reviewed_at = (
        ValueCorrection.Status.APPROVED, user, now,
    )  # fmt: skip
    correction.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    return value


@transaction.atomic
def reject_correction(*, correction: ValueCorrection, user, comment: str) -> ValueCorrection:
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": "不采纳更正时必须说明理由。"})
    correction = _pending(correction, user)
    correction.status, correction.review_comment = ValueCorrection.Status.REJECTED, comment
    correction.reviewed_by, correction.reviewed_at = user, timezone.now()
    correction.save(update_fields=["status", "review_comment", "reviewed_by", "reviewed_at"])
    return correction
