"""Handing rows to the broker: one send task per batch of up to BATCH_SIZE
rows, on its lane's queue, so a worker takes every transactional email
before any bulk one."""

import logging
from collections import defaultdict
from collections.abc import Iterable

from django.utils import timezone

from core import redis_breaker

from ..lanes import queue_of
from ..models import EmailStatus, OutgoingEmail

logger = logging.getLogger(__name__)

# Rows per send task: a thousand alerts are twenty broker messages, and a
# worker claims and sends them over one connection (sending.send_emails).
BATCH_SIZE = 50


def enqueue_send(email_id: int) -> bool:
    """Hand one row to the broker; see enqueue_sends."""
    return enqueue_sends([email_id]) == 1


def enqueue_rows(rows: Iterable[OutgoingEmail]) -> int:
    """Hand new rows (written marked as handed over) to the broker, each to
    its lane's queue. Returns how many were handed over."""
    by_lane = defaultdict(list)
    for row in rows:
        by_lane[row.lane].append(row.pk)
    return sum(enqueue_sends(ids, lane=lane, mark=False) for lane, ids in by_lane.items())


def enqueue_sends(
    email_ids: Iterable[int],
    *,
    lane: str | None = None,
    mark: bool = True,
    queue: str | None = None,
) -> int:
    """Hand rows to the broker, on `lane`'s queue (looked up when not
    given), or on `queue` when given (a task handing back its batch). Never raises into a web request: when the broker is down or
    silent, stop at the first failure (one short timeout, not one per row),
    log it, and leave the rows to the sweeper. `mark` False: the rows were
    written marked as handed over (new rows are). Returns how many were
    handed over."""
    ids = list(email_ids)
    if lane is None:
        lanes = dict(OutgoingEmail.objects.filter(pk__in=ids).values_list("pk", "lane"))
        by_lane = defaultdict(list)
        for pk in ids:
            if pk in lanes:
                by_lane[lanes[pk]].append(pk)
        return sum(enqueue_sends(group, lane=name, mark=mark) for name, group in by_lane.items())
    if mark:
        # Marked before publishing: a worker may fail the row (and clear the
        # mark, so the sweeper retries it) before apply_async even returns.
        _pending(ids).update(enqueued_at=timezone.now())
    done = _publish(ids, lane=lane, queue=queue or queue_of(lane))
    if done < len(ids):
        _pending(ids[done:]).update(enqueued_at=None)
    return done


def _publish(ids: list[int], *, lane: str, queue: str) -> int:
    from ..tasks import task_send_emails

    if not redis_breaker.available():
        logger.warning("Redis skipped: %s email(s) left for the sweeper", len(ids))
        return 0
    done = 0
    try:
        # One producer for all of them: a pooled connection taken once, not
        # once per row (an event alert hands over a thousand at a time).
        with task_send_emails.app.producer_or_acquire() as producer:
            for start in range(0, len(ids), BATCH_SIZE):
                batch = ids[start : start + BATCH_SIZE]
                task_send_emails.apply_async(
                    kwargs={"email_ids": batch, "lane": lane},
                    queue=queue,
                    retry=False,
                    producer=producer,
                )
                done += len(batch)
    except Exception as error:  # noqa: BLE001 - the rows are committed; the sweeper sends them
        redis_breaker.trip(error)
        logger.warning(
            "Broker unavailable: %s email(s) left for the sweeper", len(ids) - done, exc_info=True
        )
    return done


def _pending(ids: list[int]):
    return OutgoingEmail.objects.filter(pk__in=ids, status=EmailStatus.QUEUED)
