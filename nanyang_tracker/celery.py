"""The Celery app. Jobs live in `jobs.py` modules (an app is called `tasks`)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nanyang_tracker.settings")

app = Celery("nanyang_tracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(related_name="jobs")
