"""What changes a stored verdict (dashboards/verdicts.py), noted in the transaction that makes
the change. A draft's edits move nothing: only a record that is or was submitted or approved
counts for a verdict, a task's status or a unit's reporting record.

Code that writes in bulk, without saving each row (the demonstration data, the benchmark),
sends tasks.signals.plan_data_changed instead.
"""

import threading

from django.db import transaction
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from dashboards.jobs import refresh_verdicts
from dashboards.models import PendingChange, VerdictState
from dashboards.verdicts import PLAN, STANDING, TARGET, TASK
from reports.models import ProgressReport, TargetValue, WorkflowRecord
from targets.models import Target, TargetMilestone
from tasks.models import Plan, ReportingPeriod, TaskUnit, Unit
from tasks.signals import plan_data_changed

COUNTED = (WorkflowRecord.Status.SUBMITTED, WorkflowRecord.Status.APPROVED)
_FIELDS = ("status", "covers_to", "period_id", "unit_id", "target_id", "task_id")


_local = threading.local()


def _deleting() -> set[int]:
    """Plans being deleted in this thread: their parts' deletions note nothing."""
    if not hasattr(_local, "plans"):
        _local.plans = set()
    return _local.plans


def record_change(plan_id: int, kind: str, first=None, second=None, since=None) -> None:
    """Note, in the current transaction, a change that can move the plan's verdicts, raise
    the plan's data version, and have the refresh job queued once the transaction commits."""
    if plan_id in _deleting():
        return
    PendingChange.objects.create(plan_id=plan_id, kind=kind, first=first, second=second,
                                 since=since)  # fmt: skip
    if not VerdictState.objects.filter(plan_id=plan_id).update(version=F("version") + 1):
        VerdictState.objects.get_or_create(plan_id=plan_id, defaults={"version": 1})
    transaction.on_commit(lambda: refresh_verdicts.delay(plan_id))


def _before(sender, instance) -> dict | None:
    if instance.pk is None:
        return None
    names = [n for n in _FIELDS if hasattr(instance, n)]
    return sender.objects.filter(pk=instance.pk).values(*names).first()


@receiver(pre_save, sender=TargetValue)
@receiver(pre_save, sender=ProgressReport)
def _remember(sender, instance, raw=False, **kwargs):
    instance._verdict_before = None if raw else _before(sender, instance)


def _plan_of_period(period_id: int) -> int:
    return ReportingPeriod.objects.values_list("plan_id", flat=True).get(pk=period_id)


def _record_moved(instance, before: dict | None, deleted=False) -> None:
    """A report or a value: note its task or target, and its unit's standing in its period,
    for the state it had and the state it has."""
    states = [] if deleted else [instance.status]
    if before:
        states.append(before["status"])
    if not any(s in COUNTED for s in states):
        return  # a draft, before and after
    plan_id = _plan_of_period(instance.period_id)
    places = {(instance.period_id, instance.unit_id)}
    if before:
        places.add((before["period_id"], before["unit_id"]))
    for period_id, unit_id in places:
        record_change(plan_id, STANDING, period_id, unit_id)
    if isinstance(instance, TargetValue):
        days = [instance.covers_to] + ([before["covers_to"]] if before else [])
        since = min((d for d in days if d is not None), default=None)
        record_change(plan_id, TARGET, instance.target_id, since=since)
    else:
        for period_id, _ in places:
            record_change(plan_id, TASK, instance.task_id, period_id)


@receiver(post_save, sender=TargetValue)
@receiver(post_save, sender=ProgressReport)
def _record_saved(sender, instance, raw=False, **kwargs):
    _record_moved(instance, getattr(instance, "_verdict_before", None))


@receiver(post_delete, sender=TargetValue)
@receiver(post_delete, sender=ProgressReport)
def _record_deleted(sender, instance, **kwargs):
    if ReportingPeriod.objects.filter(pk=instance.period_id).exists():  # not a cascade
        _record_moved(instance, {n: getattr(instance, n, None) for n in _FIELDS}, deleted=True)


@receiver(post_save, sender=TargetMilestone)
@receiver(post_delete, sender=TargetMilestone)
def _milestone(sender, instance, **kwargs):
    target = Target.objects.filter(pk=instance.target_id).values_list("plan_id", flat=True)
    if target:
        record_change(target[0], TARGET, instance.target_id)


def _whole_plan(plan_id) -> None:
    if Plan.objects.filter(pk=plan_id).exists():
        record_change(plan_id, PLAN)


@receiver(post_save, sender=Target)
@receiver(post_delete, sender=Target)
@receiver(post_save, sender=ReportingPeriod)
@receiver(post_delete, sender=ReportingPeriod)
def _plan_part(sender, instance, **kwargs):
    """A target's goal, baseline, cadence or scope; a period's dates."""
    _whole_plan(instance.plan_id)


@receiver(post_save, sender=TaskUnit)
@receiver(post_delete, sender=TaskUnit)
def _assignment(sender, instance, **kwargs):
    plan = Plan.objects.filter(tasks__pk=instance.task_id).values_list("pk", flat=True).first()
    if plan:
        record_change(plan, PLAN)


@receiver(post_save, sender=Plan)
def _plan(sender, instance, **kwargs):
    record_change(instance.pk, PLAN)


@receiver(pre_delete, sender=Plan)
def _plan_going(sender, instance, **kwargs):
    _deleting().add(instance.pk)


@receiver(post_delete, sender=Plan)
def _plan_gone(sender, instance, **kwargs):
    _deleting().discard(instance.pk)


def _every_plan() -> None:
    for plan_id in Plan.objects.values_list("pk", flat=True):
        record_change(plan_id, PLAN)


@receiver(pre_save, sender=Unit)
def _unit_kind_before(sender, instance, raw=False, **kwargs):
    before = None if raw or instance.pk is None else _before_kind(instance.pk)
    instance._verdict_kind = before


def _before_kind(pk: int) -> str | None:
    return Unit.objects.filter(pk=pk).values_list("kind", flat=True).first()


@receiver(post_save, sender=Unit)
def _unit_saved(sender, instance, created=False, **kwargs):
    """A unit's kind decides whether it reports for itself (a collective does not): in every
    plan, who owes what. A new unit owes nothing until it is given tasks or members; a new
    name moves no verdict (the pages that show it are keyed by Plan.content_version)."""
    before = getattr(instance, "_verdict_kind", None)
    if not created and before is not None and before != instance.kind:
        _every_plan()


@receiver(m2m_changed, sender=Unit.members.through)
def _members(sender, action=None, **kwargs):
    """A collective's members: who owes the collective's tasks and targets, in every plan."""
    if action in ("post_add", "post_remove", "post_clear"):
        _every_plan()


@receiver(plan_data_changed)
def _bulk(sender, plan, **kwargs):
    record_change(plan.pk, PLAN)
