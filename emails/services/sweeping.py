"""What beat runs every minute: rows a dead worker left "sending" go back to
the queue, and due rows the broker has not got are handed over again,
transactional ones first."""

import logging
from datetime import datetime, timedelta

from django.utils import timezone

from ..lanes import Lane
from ..models import EmailStatus, OutgoingEmail
from .broker import enqueue_sends

logger = logging.getLogger(__name__)

WORKER_LOST = "The worker stopped while sending this email."


def release_stuck_emails(*, now: datetime, stuck_after: timedelta, max_attempts: int) -> int:
    """Queue again the rows a worker claimed and never finished (it died, or
    lost the database). If the SMTP server had accepted the message, the
    retry repeats it with the same Message-ID. A row that keeps killing its
    worker fails after `max_attempts`. Returns how many were released."""
    stuck = OutgoingEmail.objects.stuck(now=now, stuck_after=stuck_after)
    failed = stuck.filter(attempts__gte=max_attempts).update(
        status=EmailStatus.FAILED, last_error=f"{WORKER_LOST} Gave up.", updated_at=now
    )
    released = stuck.update(
        status=EmailStatus.QUEUED,
        next_attempt_at=now,
        enqueued_at=None,
        last_error=WORKER_LOST,
        updated_at=now,
    )
    if failed or released:
        logger.warning("Outbox: %s stuck email(s) queued again, %s failed", released, failed)
    return released


def sweep_outbox(
    *,
    now: datetime | None = None,
    stuck_after: timedelta,
    lost_after: timedelta,
    max_attempts: int,
    batch_size: int = 500,
) -> int:
    """Release stuck rows, then hand the broker the due rows it has not got
    (never handed over, lost, or retries), transactional before bulk and the
    longest waiting first in each, up to `batch_size` of each lane. Stops at
    the first lane the broker refuses (it is down: the next sweep tries
    again). Returns how many were handed over."""
    now = now or timezone.now()
    release_stuck_emails(now=now, stuck_after=stuck_after, max_attempts=max_attempts)
    handed = 0
    for lane in (Lane.TRANSACTIONAL, Lane.BULK):
        due = list(
            OutgoingEmail.objects.to_enqueue(now=now, lost_after=lost_after)
            .filter(lane=lane)
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        done = enqueue_sends(due, lane=lane)
        handed += done
        if done < len(due):
            break
    return handed
