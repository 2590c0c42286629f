from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from core.dates import months_before

from . import retention, services

# A temporary failure is tried again after 1, 2, 4 ... minutes, at most two
# hours apart, twelve attempts in all (about ten hours): long enough to ride
# out a relay's bad night, short enough that staff see a failure the same day.
# The retry is the row's next_attempt_at, picked up by the sweeper.
SEND_RETRY = services.RetryPolicy(
    first_delay=timedelta(minutes=1), max_delay=timedelta(hours=2), max_attempts=12
)
# A send takes seconds (EMAIL_TIMEOUT is 20); a row still "sending" after
# this had its worker die under it.
STUCK_AFTER = timedelta(minutes=5)
# A row handed to the broker and still queued after this was lost on the way
# (Redis restarted without saving); hand it over again.
LOST_AFTER = timedelta(minutes=10)


@shared_task(name="emails.send_email", ignore_result=True)
def task_send_email(*, email_id: int) -> None:
    email = services.claim_email(email_id)
    if email is None:
        return
    services.send_email(email, retry=SEND_RETRY)


@shared_task(name="emails.sweep_outbox", ignore_result=True)
def task_sweep_outbox() -> None:
    services.sweep_outbox(
        stuck_after=STUCK_AFTER, lost_after=LOST_AFTER, max_attempts=SEND_RETRY.max_attempts
    )


@shared_task(name="emails.erase_old_emails", ignore_result=True)
def task_erase_old_emails() -> None:
    retention.erase_emails_before(months_before(timezone.now(), settings.RETENTION_MONTHS))
