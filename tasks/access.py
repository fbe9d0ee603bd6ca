"""Who may read and change reports: plain functions over facts the caller has loaded.

A reporter (填报员) belongs to one unit and sees everything of that unit; of another unit they
see only approved reports on a task or target both units share, and, when their unit leads a
task, its co-units' reports once submitted. Drafts and returned reports of another unit are never
visible. Reviewers (审核员), leaders (领导) and admins (管理员) read everything; only reviewers
return or approve; leaders change nothing. A user without a role sees no report.
"""

from dataclasses import dataclass

from tasks.models import Profile, WorkflowRecord

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
    profile = Profile.objects.filter(user=user).first()
    if profile is None:
        return Viewer(user.pk, None, None)
    return Viewer(user.pk, profile.role, profile.unit_id)


def can_read(viewer: Viewer, *, unit_id: int, status: str, shares_subject: bool,
             leads_subject: bool) -> bool:  # fmt: skip
    """May the viewer read a record of `unit_id` in `status`?

    shares_subject: the viewer's unit also owns the record's task or target.
    leads_subject: the viewer's unit is the lead unit (牵头单位) of the record's task.
    """
    if viewer.reads_everything:
        return True
    if not viewer.is_reporter:
        return False
    if viewer.unit_id == unit_id:
        return True
    if status == Status.APPROVED and (shares_subject or leads_subject):
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
