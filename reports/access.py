"""Who may read and change reports: the one read rule, and the scope it gives each viewer.

A reporter (填报员) belongs to one unit and sees everything of that unit; of another unit they
see approved reports on a task both units share, and, when their unit leads a task, its
co-units' reports once submitted. An approved target value is a published figure: the
dashboards show it to everyone with a role, so everyone with a role may read it. Drafts and
returned records of another unit are never visible. Reviewers (审核员), leaders (领导) and admins
(管理员) read everything; only reviewers return or approve; leaders change nothing. A user
without a role sees no report.

The rule is about a record *in a state*: a version of a record's content, a step of its history
or a figure derived from one record is shown only to someone who may read the record in a state
that content has been in. Content saved while a record was a draft and changed before it was
submitted stays a draft's content for good, even after the record is approved (see
`version_states`). Every page that shows a record's content asks `ReadScope`.
"""

from dataclasses import dataclass
from functools import cached_property

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from reports.models import Profile, ProgressReport, TargetValue, WorkflowRecord
from targets.models import Target
from tasks.models import Task, TaskUnit, Unit

Status = WorkflowRecord.Status
READ_ALL = {Profile.Role.REVIEWER, Profile.Role.LEADER, Profile.Role.ADMIN}


@dataclass(frozen=True)
class Viewer:
    user_id: int | None
    role: str | None
    unit_id: int | None

    @property
    def is_reporter(self) -> bool:
        return self.role == Profile.Role.REPORTER and self.unit_id is not None

    @property
    def reads_everything(self) -> bool:
        return self.role in READ_ALL

    @property
    def is_reviewer(self) -> bool:
        return self.role == Profile.Role.REVIEWER


def viewer_for(user) -> Viewer:
    """The viewer behind a request's user (reads the user's profile once)."""
    if not user.is_authenticated or not user.is_active:
        return Viewer(None, None, None)
    try:
        profile = user.profile  # kept on the user: the page's menu reads it too
    except Profile.DoesNotExist:
        profile = None
    if profile is None:
        return Viewer(user.pk, None, None)
    return Viewer(user.pk, profile.role, profile.unit_id)


def can_read(viewer: Viewer, *, unit_id: int, status: str, shares_subject: bool,
             leads_subject: bool, published: bool = False) -> bool:  # fmt: skip
    """May the viewer read a record of `unit_id` in `status`?

    shares_subject: the viewer's unit also owns the record's task or target.
    leads_subject: the viewer's unit is the lead unit (牵头单位) of the record's task, or the
    reporting unit of the record's target.
    published: the record is a target value, which once approved is a published figure.
    """
    if viewer.reads_everything:
        return True
    if not viewer.is_reporter:
        return False
    if viewer.unit_id == unit_id:
        return True
    if status == Status.APPROVED and (shares_subject or leads_subject or published):
        return True
    return status == Status.SUBMITTED and leads_subject


def can_edit(viewer: Viewer, *, unit_id: int, status: str) -> bool:
    """Only the record's own reporters change it, and only while it is a draft or returned."""
    return (
        viewer.is_reporter
        and viewer.unit_id == unit_id
        and status in (Status.DRAFT, Status.RETURNED)
    )


def can_create(viewer: Viewer, *, unit_id: int, owns_subject: bool) -> bool:
    """A reporter starts reports only for their own unit, on what that unit owns."""
    return viewer.is_reporter and viewer.unit_id == unit_id and owns_subject


def can_review(viewer: Viewer) -> bool:
    return viewer.is_reviewer


def version_states(versions: list[int], steps: list[tuple[int, str]]) -> dict[int, set[str]]:
    """The states the content of each kept version has been in.

    `versions`: the versions a revision was kept for (content changed), in any order.
    `steps`: (version, state after the step) for every workflow step (ReportEvent). Each step
    raises the record's version; content kept at version v stays the record's content through
    every step up to the next kept version, so it has been in each of those steps' states. A
    submission keeps no revision: the content it sent is the latest version kept before it.
    A version with no step at all (data written outside the workflow) counts as a draft.
    """
    ordered = sorted(set(versions))
    states: dict[int, set[str]] = {}
    for index, version in enumerate(ordered):
        upto = ordered[index + 1] if index + 1 < len(ordered) else None
        states[version] = {
            state for at, state in steps if at >= version and (upto is None or at < upto)
        } or {Status.DRAFT}
    return states


class ReadScope:
    """What one viewer may read. Built once per request; it asks the database at most twice,
    for the tasks and targets the viewer's unit shares and leads, and only when needed."""

    def __init__(self, viewer: Viewer):
        self.viewer = viewer

    @cached_property
    def _tasks(self) -> tuple[frozenset[int], frozenset[int]]:
        unit = self.viewer.unit_id
        shared = Task.objects.filter(Q(units__pk=unit) | Q(units__members__pk=unit))
        led = TaskUnit.objects.filter(unit_id=unit, role=TaskUnit.Role.LEAD)
        return (
            frozenset(shared.values_list("pk", flat=True)),
            frozenset(led.values_list("task_id", flat=True)),
        )

    @cached_property
    def _targets(self) -> tuple[frozenset[int], frozenset[int]]:
        unit = self.viewer.unit_id
        shared = Target.objects.filter(Q(units__pk=unit) | Q(units__members__pk=unit))
        led = Target.objects.filter(reporting_unit_id=unit)
        return (
            frozenset(shared.values_list("pk", flat=True)),
            frozenset(led.values_list("pk", flat=True)),
        )

    def _facts(self, record) -> tuple[bool, bool, bool]:
        """(shares, leads, published) of a record for this viewer."""
        if isinstance(record, ProgressReport):
            shared, led = self._tasks
            return record.task_id in shared, record.task_id in led, False
        shared, led = self._targets
        return record.target_id in shared, record.target_id in led, True

    def _needs_facts(self, record) -> bool:
        viewer = self.viewer
        return viewer.is_reporter and viewer.unit_id != record.unit_id

    def may_read(self, record, status: str | None = None) -> bool:
        """May the viewer read the record in `status` (by default, the state it is in now)?"""
        status = status or record.status
        if not self._needs_facts(record):
            return can_read(self.viewer, unit_id=record.unit_id, status=status,
                            shares_subject=False, leads_subject=False)  # fmt: skip
        shares, leads, published = self._facts(record)
        return can_read(self.viewer, unit_id=record.unit_id, status=status,
                        shares_subject=shares, leads_subject=leads,
                        published=published)  # fmt: skip

    def may_read_any(self, record, states) -> bool:
        return any(self.may_read(record, state) for state in states)

    def readable_revisions(self, record, revisions: list, events: list) -> list:
        """The kept versions of the record's content this viewer may read: those that have been
        in a state the viewer may read the record in."""
        states = version_states(
            [r.version for r in revisions], [(e.version, e.to_status) for e in events]
        )
        return [r for r in revisions if self.may_read_any(record, states[r.version])]

    def readable_events(self, record, events: list) -> list:
        """The workflow steps this viewer may see: those that left the record in a state the
        viewer may read it in (a return and its comment belong to the returned record)."""
        return [e for e in events if self.may_read(record, e.to_status)]

    def reports_filter(self) -> Q:
        """The progress reports this viewer may read, as a filter for a query."""
        viewer = self.viewer
        if viewer.reads_everything:
            return Q()
        if not viewer.is_reporter:
            return Q(pk__in=[])
        shared, led = self._tasks
        return (
            Q(unit_id=viewer.unit_id)
            | Q(status=Status.APPROVED, task_id__in=shared | led)
            | Q(status=Status.SUBMITTED, task_id__in=led)
        )

    def values_filter(self) -> Q:
        """The target values this viewer may read, as a filter for a query."""
        viewer = self.viewer
        if viewer.reads_everything:
            return Q()
        if not viewer.is_reporter:
            return Q(pk__in=[])
        _, led = self._targets
        return (
            Q(unit_id=viewer.unit_id)
            | Q(status=Status.APPROVED)
            | Q(status=Status.SUBMITTED, target_id__in=led)
        )


def scope_for(request) -> ReadScope:
    """The read scope of a request's user, made once per request."""
    if not hasattr(request, "_read_scope"):
        request._read_scope = ReadScope(viewer_for(request.user))
    return request._read_scope


# --- a request's viewer, and the records it loads -------------------------------------------


def viewer_of(request) -> Viewer:
    return scope_for(request).viewer


def reporter_unit(request) -> Unit:
    """The reporter's own unit; 403 for anyone who is not a reporter."""
    viewer = viewer_of(request)
    if not viewer.is_reporter:
        raise PermissionDenied(_("只有填报员可以填报。"))
    return request.user.profile.unit  # kept on the profile: the page's menu shows its name


def require_reviewer(request) -> Viewer:
    viewer = viewer_of(request)
    if not can_review(viewer):
        raise PermissionDenied(_("只有审核员可以审核。"))
    return viewer


RECORD_KINDS = {ProgressReport.KIND: ProgressReport, TargetValue.KIND: TargetValue}


def record_for_user(request, kind: str, pk: int):
    """The record, if the user may read it in its present state; else 404 (not even its
    existence shows)."""
    model = RECORD_KINDS.get(kind)
    if model is None:
        raise Http404(_("没有这份报告。"))
    related = ["unit", "period__plan", "updated_by"]
    related.append("task" if model is ProgressReport else "target")
    record = get_object_or_404(model.objects.select_related(*related), pk=pk)
    if not scope_for(request).may_read(record):
        raise Http404(_("没有这份报告。"))
    return record
