from celery import shared_task

from . import reminders


@shared_task(name="events.queue_due_reminders", ignore_result=True)
def task_queue_due_reminders() -> None:
    reminders.queue_due_reminders()
