from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dashboards"
    verbose_name = _("报表与统计")

    def ready(self):
        from dashboards import signals  # noqa: F401 - connects the receivers
