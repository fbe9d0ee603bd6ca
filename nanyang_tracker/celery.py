"""The Celery app. Jobs live in `jobs.py` modules (an app is called `tasks`)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nanyang_tracker.settings")

# DjangoTask adds delay_on_commit: a job is queued only once the transaction that made its
# rows has committed, so the worker never looks for a row that is not there yet.
app = Celery("nanyang_tracker", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(related_name="jobs")
