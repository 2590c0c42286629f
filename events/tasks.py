from celery import shared_task
from django.conf import settings
from django.utils import timezone

from core.dates import months_before

from . import reminders, retention


@shared_task(name="events.queue_due_reminders", ignore_result=True)
def task_queue_due_reminders() -> None:
    reminders.queue_due_reminders()


@shared_task(name="events.anonymise_past_registrations", ignore_result=True)
def task_anonymise_past_registrations() -> None:
    cutoff = months_before(timezone.now(), settings.RETENTION_MONTHS)
    retention.anonymise_registrations_before(cutoff)
