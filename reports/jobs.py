"""Celery entry points of reporting: thin, they call the plain functions that do the work."""

from celery import shared_task
from django.utils import timezone

from reports.reminders import send_due_reminders


@shared_task
def send_reminders() -> int:
    return len(send_due_reminders(today=timezone.localdate()))
