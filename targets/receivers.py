"""A target's wording and who reports it are part of the plan's content: a change to a target
raises the plan's content version (tasks/receivers.py), so that a page kept by it (我的填报,
reports/views.py) is drawn again."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from targets.models import Target
from tasks.receivers import touch


@receiver(post_save, sender=Target)
@receiver(post_delete, sender=Target)
def _target(sender, instance, raw=False, **kwargs):
    if not raw:
        touch(instance.plan_id)


@receiver(m2m_changed, sender=Target.units.through)
def _units(sender, instance, action=None, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        touch(instance.plan_id if isinstance(instance, Target) else None)
