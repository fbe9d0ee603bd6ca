"""A record's page, its history, the steps on it (submit, return, approve) and its attachments.

Content is shown only as far as the viewer may read it (reports/access.py): a history lists
only the versions and steps the viewer may read.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from reports import corrections, workflow
from reports.access import (
    can_edit,
    can_review,
    record_for_user,
    require_reviewer,
    scope_for,
    viewer_of,
)
from reports.forms import CorrectionForm, RejectCorrectionForm, ReturnForm
from reports.history import changes, content_rows
from reports.models import (
    Attachment,
    ProgressReport,
    ReportEvent,
    TargetValue,
    ValueCorrection,
    WorkflowRecord,
)
from reports.review_views import queue_after
from targets.models import Target

# --- a record, its history and its review -----------------------------------------------


def _corrections(request, record) -> list[ValueCorrection]:
    """The corrections of a figure the viewer may read (a pending one is like a submitted
    figure, a rejected one like a returned one: reports/access.py)."""
    if not isinstance(record, TargetValue):
        return []
    scope = scope_for(request)
    return [
        c
        for c in record.corrections.select_related("proposed_by", "reviewed_by")
        if scope.may_read(record, c.record_state)
    ]


def _labels(record) -> dict[str, str]:
    return {n: record._meta.get_field(n).verbose_name for n in record.CONTENT_FIELDS}


_CHOICES = {
    "completion": dict(ProgressReport.Completion.choices),
    "form": dict(Target.Form.choices),
    "quality": dict(TargetValue.Quality.choices),
}


def _display(name, value):
    """A kept value as a person reads it (reports/history.py `changes`)."""
    if name in _CHOICES:
        return _CHOICES[name].get(value, value)
    if name == "is_final":  # versions kept before figures had a quality
        return _("正式") if value else _("快报")
    if name == "value" and value not in (None, ""):
        return format(Decimal(value).normalize(), "f")  # 402.00 → 402
    return value


@dataclass
class SinceReturn:
    """What a unit changed after the plan office returned its record, for the reviewer."""

    returned: object  # the return step (ReportEvent), with its comment
    fields: list  # (label, as returned, as submitted again)


def _since_return(request, record, events: list) -> SinceReturn | None:
    """The record's content as last returned against its content now, when it was returned
    and submitted again. Both versions must be readable by the viewer (reports/access.py): the
    returned one has been a returned record's content, the present one is the record's now."""
    returns = [e for e in events if e.action == ReportEvent.Action.RETURN]
    if not returns:
        return None
    returned_at = returns[-1].version
    kept = list(record.revisions.select_related("changed_by"))
    readable = scope_for(request).readable_revisions(record, kept, events)
    as_returned = [r for r in kept if r.version <= returned_at][-1:]
    before = [r for r in readable if r.version <= returned_at][-1:]
    if not before or before != as_returned or readable[-1:] != kept[-1:]:
        return None  # a version the viewer may not read is not shown, not even as a diff
    if readable[-1] is before[-1]:  # submitted again unchanged
        return SinceReturn(returns[-1], [])
    fields = changes([before[-1], readable[-1]], _labels(record), _display)[1].fields
    return SinceReturn(returns[-1], fields)


def _detail(request, record, kind, *, return_form=None, reject_form=None, late_error=None):
    viewer = viewer_of(request)
    readable = _corrections(request, record)
    pending = next((c for c in readable if c.status == ValueCorrection.Status.SUBMITTED), None)
    events = list(record.events.select_related("actor"))
    may_review = can_review(viewer) and record.status == WorkflowRecord.Status.SUBMITTED
    return render(
        request,
        "reports/record_detail.html",
        {
            "corrections": readable,
            "pending_correction": pending,
            "may_correct": kind == "value"
            and record.status == WorkflowRecord.Status.APPROVED
            and viewer.is_reporter
            and viewer.unit_id == record.unit_id
            and pending is None,
            "may_review_correction": pending is not None and can_review(viewer),
            "record": record,
            "kind": kind,
            "rows": content_rows(record),
            "attachments": record.attachments.all() if kind == "report" else [],
            "events": scope_for(request).readable_events(record, events),
            "may_edit": can_edit(viewer, unit_id=record.unit_id, status=record.status),
            "may_review": may_review,
            # A report submitted again after a return: the reviewer sees what was changed.
            "since_return": _since_return(request, record, events) if may_review else None,
            "return_form": return_form or ReturnForm(),
            "reject_form": reject_form or RejectCorrectionForm(),
            "late_error": late_error,  # a closed period's submit, its 逾期补报 box not ticked
            "late": record.period.is_closed or timezone.localdate() > record.period.due_on,
        },
    )


@require_safe
def record_detail(request, kind, pk):
    return _detail(request, record_for_user(request, kind, pk), kind)


@require_safe
def record_history(request, kind, pk):
    record = record_for_user(request, kind, pk)
    # Only the versions and steps the viewer may read, and the differences between those
    # versions only: an earlier draft's text is a draft's content for good (reports/access.py).
    scope = scope_for(request)
    events = list(record.events.select_related("actor"))
    revisions = scope.readable_revisions(
        record, list(record.revisions.select_related("changed_by")), events
    )
    return render(
        request,
        "reports/record_history.html",
        {
            "record": record,
            "kind": kind,
            "changes": list(reversed(changes(revisions, _labels(record), _display))),
            "events": scope.readable_events(record, events),
        },
    )


def _after_review(request, record, done: str):
    """After a return or an approval the reviewer goes on to the next record of the queue
    (reports/review_views.py `queue_after`), or back to the queue once it is empty."""
    following = queue_after(record)
    if following is None:
        messages.success(request, done + _("待审核的报告已全部审核完毕。"))
        return redirect("reports:review-queue")
    messages.success(request, done + _("下面是待审核的下一份：%(next)s。") % {"next": following})
    return redirect(following.get_absolute_url())


def _int_or_zero(raw) -> int:
    """A posted version; anything but a number is an old version (the submit is refused)."""
    return int(raw) if raw and raw.isdecimal() else 0


@require_POST
def record_submit(request, kind, pk):
    record = record_for_user(request, kind, pk)
    try:
        workflow.submit_record(
            record=record,
            user=request.user,
            version=_int_or_zero(request.POST.get("version")),
            late_ok=request.POST.get("late_ok") == "1",
        )
    except workflow.LateConfirmationRequired as error:
        # The page again, the reason beside the box to tick; nothing was submitted.
        return _detail(request, record, kind, late_error=str(error))
    except workflow.WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("已报送，等待审核。"))
    return redirect(record.get_absolute_url())


@require_POST
def record_return(request, kind, pk):
    require_reviewer(request)
    record = record_for_user(request, kind, pk)
    form = ReturnForm(request.POST)
    if not form.is_valid() and record.status == WorkflowRecord.Status.SUBMITTED:
        # The page again, the error beside the 退回意见 box; nothing was changed. (A record
        # no longer submitted shows no such box: the workflow's refusal is shown instead.)
        return _detail(request, record, kind, return_form=form)
    try:
        workflow.return_record(
            record=record, user=request.user, comment=form.cleaned_data.get("comment", "")
        )
    except (workflow.WorkflowError, ValidationError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect(record.get_absolute_url())
    return _after_review(request, record, _("已退回 %(unit)s。") % {"unit": record.unit.name})


@require_POST
def record_approve(request, kind, pk):
    require_reviewer(request)
    record = record_for_user(request, kind, pk)
    try:
        workflow.approve_record(record=record, user=request.user)
    except workflow.WorkflowError as error:
        messages.error(request, str(error))
        return redirect(record.get_absolute_url())
    return _after_review(request, record, _("已审核通过。"))


# --- attachments --------------------------------------------------------------------------


@require_safe
def attachment_download(request, pk):
    attachment = get_object_or_404(Attachment, pk=pk)
    record_for_user(request, "report", attachment.report_id)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
def attachment_delete(request, pk):
    attachment = get_object_or_404(Attachment.objects.select_related("report"), pk=pk)
    report = record_for_user(request, "report", attachment.report_id)
    try:
        workflow.delete_attachment(attachment=attachment, user=request.user)
    except workflow.WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("附件已删除。"))
    return redirect("reports:report-edit", period_pk=report.period_id, task_pk=report.task_id)


# --- correcting an approved figure ------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def value_correct(request, pk):
    """更正: the unit proposes a correction of its approved figure, with the reason."""
    value = record_for_user(request, "value", pk)
    viewer = viewer_of(request)
    if not (viewer.is_reporter and viewer.unit_id == value.unit_id):
        raise PermissionDenied(_("只有本单位的填报员可以更正本单位的数据。"))
    if request.method == "POST":
        form = CorrectionForm(request.POST, target=value.target)
        if form.is_valid():
            try:
                corrections.propose_correction(value=value, user=request.user,
                                            content=form.content(),
                                            reason=form.cleaned_data["reason"])  # fmt: skip
            except ValidationError as error:
                for name, errors in error.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            except workflow.WorkflowError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("更正已提交，审核通过后生效；在此之前仍以原数据为准。"))
                return redirect(value.get_absolute_url())
    else:
        initial = {n: getattr(value, n) for n in TargetValue.CONTENT_FIELDS}
        form = CorrectionForm(initial=initial, target=value.target)
    return render(request, "reports/correction_form.html", {"form": form, "value": value})


def _correction_for_reviewer(request, pk) -> ValueCorrection:
    require_reviewer(request)
    return get_object_or_404(ValueCorrection.objects.select_related("target_value"), pk=pk)


@require_POST
def correction_approve(request, pk):
    correction = _correction_for_reviewer(request, pk)
    try:
        corrections.approve_correction(correction=correction, user=request.user)
    except workflow.WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("更正已审核通过，数据已更新。"))
    return redirect(correction.get_absolute_url())


@require_POST
def correction_reject(request, pk):
    correction = _correction_for_reviewer(request, pk)
    form = RejectCorrectionForm(request.POST)
    if not form.is_valid() and correction.status == ValueCorrection.Status.SUBMITTED:
        # The figure's page again, the error beside the box; the correction is still pending.
        value = record_for_user(request, "value", correction.target_value_id)
        return _detail(request, value, "value", reject_form=form)
    try:
        corrections.reject_correction(
            correction=correction, user=request.user, comment=form.cleaned_data.get("comment", "")
        )
    except (workflow.WorkflowError, ValidationError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, _("已不采纳这份更正，原数据不变。"))
    return redirect(correction.get_absolute_url())
