"""Reminders before an event, at the hours in the event's `reminder_hours`
(by default two days and two hours before the start).

Beat runs queue_due_reminders every minute; it queues what has come due, and
the outbox's dedupe keys make every later run a no-op for it. Never a Celery
ETA or countdown: Redis redelivers a message held past its visibility
timeout and forgets it if it restarts. The key carries the event's
`sequence`, so moving the event times its reminders again."""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models.functions import Coalesce
from django.utils import timezone

from emails.queries import queued_keys

from .models import Event, EventStatus, Registration, RegistrationStatus
from .services import lock_event, queue_registration_emails

BATCH_SIZE = 200


def queue_due_reminders(*, now: datetime | None = None) -> int:
    """Queue every reminder that has come due. Returns how many were queued."""
    now = now or timezone.now()
    return sum(_queue_reminders(event, hours=hours) for event, hours in due_reminders(now=now))


def due_reminders(*, now: datetime) -> list[tuple[Event, float]]:
    """For each published event that has not started, the latest reminder
    whose time has come. Only the latest: after beat was down for a day, one
    reminder goes, not the two-day and the two-hour one together."""
    due = []
    upcoming = Event.objects.published().filter(starts_at__gt=now)
    for event in upcoming.only("pk", "starts_at", "reminder_hours", "sequence"):
        passed = [
            hours
            for hours in reminder_offsets(event)
            if event.starts_at - timedelta(hours=hours) <= now
        ]
        if passed:
            due.append((event, min(passed)))
    return due


def reminder_offsets(event: Event) -> list[float]:
    """Staff type reminder_hours as JSON in the admin: positive numbers count,
    anything else is ignored rather than stopping every event's reminders."""
    hours = event.reminder_hours if isinstance(event.reminder_hours, list) else []
    return [h for h in hours if isinstance(h, int | float) and not isinstance(h, bool) and h > 0]


def reminder_key(registration_id: int, *, hours: float, sequence: int) -> str:
    return f"reminder:{registration_id}:{hours:g}h:{sequence}"


def _queue_reminders(event: Event, *, hours: float) -> int:
    """Queue the reminder `hours` before `event` to each confirmed
    registration made (or promoted from the waiting list) before that time
    and not reminded yet, BATCH_SIZE to a transaction."""
    reminder_at = event.starts_at - timedelta(hours=hours)
    ids = list(
        Registration.objects.filter(event=event, status=RegistrationStatus.CONFIRMED)
        .annotate(confirmed_at=Coalesce("promoted_at", "created_at"))
        .filter(confirmed_at__lt=reminder_at)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    keys = {pk: reminder_key(pk, hours=hours, sequence=event.sequence) for pk in ids}
    done = queued_keys(keys.values())
    pending = [pk for pk in ids if keys[pk] not in done]
    queued = 0
    for start in range(0, len(pending), BATCH_SIZE):
        queued += _queue_reminder_batch(event, pending[start : start + BATCH_SIZE], hours=hours)
    return queued


def _queue_reminder_batch(event: Event, ids: list[int], *, hours: float) -> int:
    with transaction.atomic():
        # The lock keeps a second beat run, and a change or cancellation, out
        # while this batch is written.
        locked = lock_event(event.pk)
        if locked.status != EventStatus.PUBLISHED or locked.sequence != event.sequence:
            return 0  # cancelled or moved since we looked: the next run decides again
        registrations = list(
            locked.registrations.filter(pk__in=ids, status=RegistrationStatus.CONFIRMED)
        )
        return queue_registration_emails(
            registrations,
            kind="reminder",
            dedupe_key=lambda registration: reminder_key(
                registration.pk, hours=hours, sequence=locked.sequence
            ),
        )
