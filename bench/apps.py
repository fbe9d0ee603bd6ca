from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The benchmark and load-test harness: `manage.py bench`, bench/load_test.py."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "bench"
    verbose_name = "bench"
