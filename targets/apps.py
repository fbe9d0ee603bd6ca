from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TargetsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "targets"
    verbose_name = _("目标指标")

    def ready(self):
        from targets import receivers  # noqa: F401  (a target's change raises the content version)
