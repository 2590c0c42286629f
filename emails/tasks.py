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
# A send task stops after about this long and hands the rest of its batch
# back to the broker, so that transactional email waiting behind a bulk
# batch (or a batch slowed by EMAIL_RATE) waits about a second at most.
SEND_BUDGET_SECONDS = 1.0
# A send takes seconds (EMAIL_TIMEOUT is 20); a row still "sending" after
# this had its worker die under it.
STUCK_AFTER = timedelta(minutes=5)
# A row handed to the broker and still queued after this was lost on the way
# (Redis restarted without saving); hand it over again.
LOST_AFTER = timedelta(minutes=10)


@shared_task(name="emails.send_emails", ignore_result=True, bind=True)
def task_send_emails(self, *, email_ids: list[int], lane: str) -> None:
    left = services.send_emails(email_ids, retry=SEND_RETRY, budget=SEND_BUDGET_SECONDS)
    if left:
        # Back to the end of the queue it came from.
        queue = (self.request.delivery_info or {}).get("routing_key")
        services.enqueue_sends(left, lane=lane, queue=queue)


@shared_task(name="emails.send_email", ignore_result=True)
def task_send_email(*, email_id: int) -> None:
    """One row: what the broker held before batches (kept for messages
    queued by an older release), and what a test sends by hand."""
    services.send_emails([email_id], retry=SEND_RETRY, budget=SEND_BUDGET_SECONDS)


@shared_task(name="emails.sweep_outbox", ignore_result=True)
def task_sweep_outbox() -> None:
    services.sweep_outbox(
        stuck_after=STUCK_AFTER, lost_after=LOST_AFTER, max_attempts=SEND_RETRY.max_attempts
    )


@shared_task(name="emails.erase_old_emails", ignore_result=True)
def task_erase_old_emails() -> None:
    retention.erase_emails_before(months_before(timezone.now(), settings.RETENTION_MONTHS))
