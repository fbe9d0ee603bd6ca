from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tasks"
    verbose_name = _("重点任务台账")

    def ready(self):
        from tasks import receivers  # noqa: F401  (connects the content version's receivers)
