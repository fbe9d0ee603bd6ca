"""The plan's content version (Plan.content_version): raised in the transaction of every change
to what the 台账 shows, so that a page kept by it (tasks/pages.py) is drawn again. Code that
writes tasks or units in bulk, without saving each row, sends tasks.signals.plan_data_changed.
"""

from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from tasks.models import Plan, Section, Task, TaskUnit, Unit, UnitAlias
from tasks.signals import plan_data_changed


def touch(plan_id: int | None = None) -> None:
    """Raise the content version of one plan, or of every plan."""
    plans = Plan.objects.all() if plan_id is None else Plan.objects.filter(pk=plan_id)
    plans.update(content_version=F("content_version") + 1)


@receiver(post_save, sender=Task)
@receiver(post_delete, sender=Task)
@receiver(post_save, sender=Section)
@receiver(post_delete, sender=Section)
def _part(sender, instance, **kwargs):
    touch(instance.plan_id)


@receiver(post_save, sender=TaskUnit)
@receiver(post_delete, sender=TaskUnit)
def _assignment(sender, instance, **kwargs):
    plan_id = Task.objects.filter(pk=instance.task_id).values_list("plan_id", flat=True).first()
    if plan_id:
        touch(plan_id)


@receiver(post_save, sender=Unit)
@receiver(post_delete, sender=Unit)
@receiver(post_save, sender=UnitAlias)
@receiver(post_delete, sender=UnitAlias)
def _unit(sender, **kwargs):
    touch()


@receiver(m2m_changed, sender=Unit.members.through)
def _members(sender, action=None, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        touch()


@receiver(post_save, sender=Plan)
def _plan(sender, instance, raw=False, **kwargs):
    if not raw:
        touch(instance.pk)


@receiver(plan_data_changed)
def _bulk(sender, plan, **kwargs):
    touch(plan.pk)
