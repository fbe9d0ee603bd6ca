from django.apps import AppConfig


class ProjectConfig(AppConfig):
    """The project's own wiring that belongs to no app: the session's login time (for the idle
    timeout in nanyang_tracker/middleware.py)."""

    name = "nanyang_tracker"
    verbose_name = "nanyang_tracker"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from nanyang_tracker.middleware import mark_login_time

        user_logged_in.connect(mark_login_time, dispatch_uid="mark_login_time")
