from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tasks"
    verbose_name = _("重点任务台账")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from nanyang_tracker.middleware import mark_login_time

        user_logged_in.connect(mark_login_time, dispatch_uid="mark_login_time")
