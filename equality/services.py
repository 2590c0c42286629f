"""Writes for equality monitoring (docs/conventions.md: services write).

Answering takes two transactions that share nothing: one writes the mark
that the registration answered, the other puts the answers in the pool.
`flush_answer_pool` (beat, every few minutes) moves the pool into
EqualityResponse in shuffled batches and closes the answers of events whose
registration has closed; see models.py for why."""

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from events.models import DEFAULT_CLOSE_BEFORE_START, Event, EventStatus, Registration

from .models import (
    AnsweredMark,
    ClosedEvent,
    EqualityResponse,
    PendingResponse,
    answered_fingerprints,
)

ANSWER_FIELDS = [
    "sex",
    "gender_identity",
    "age_band",
    "ethnic_group",
    "ethnic_background",
    "disability",
    "sexual_orientation",
    "religion",
]
# The questions stay open this long after an event's registration closes (or
# it is cancelled), for someone who registered just before.
ANSWER_GRACE = timedelta(hours=1)
# Answers wait in the pool until this many have gathered for one event (or
# its answers close), so no batch holds fewer people than this.
BATCH_SIZE = 10


def answers_close_at(event: Event) -> datetime:
    """When the event stops taking answers: ANSWER_GRACE after its
    registration closes or it is cancelled, whichever is first."""
    closes = event.closes_at
    if event.cancelled_at is not None:
        closes = min(closes, event.cancelled_at)
    return closes + ANSWER_GRACE


def answers_open(event: Event, *, now: datetime | None = None) -> bool:
    """Whether the event still takes answers (one query)."""
    return (now or timezone.now()) < answers_close_at(event) and not (
        ClosedEvent.objects.filter(event_id=event.pk).exists()
    )


def record_answers(
    registration: Registration, *, answers: Mapping[str, str], now: datetime | None = None
) -> PendingResponse | None:
    """Put one person's answers for the registration's event in the pool, at
    most once per registration.

    Two transactions, never one: the first writes the registration's
    AnsweredMark (its key is unique, so two submissions at once store one),
    the second writes the answers, with the event and nothing else. Stores
    nothing and returns None when every answer is blank (that is skipping),
    the registration has already answered, or the event's answers have
    closed."""
    answers = {field: answers.get(field, "") for field in ANSWER_FIELDS}
    if not any(answers.values()):
        return None
    event = registration.event
    if not answers_open(event, now=now):
        return None
    fingerprints = answered_fingerprints(registration.pk)
    if AnsweredMark.objects.filter(fingerprint__in=fingerprints).exists():
        return None
    try:
        with transaction.atomic():
            AnsweredMark.objects.create(fingerprint=fingerprints[0])
    except IntegrityError:
        return None
    with transaction.atomic():
        pending = PendingResponse.objects.create(event_id=event.pk, **answers)
        if ClosedEvent.objects.filter(event_id=event.pk).exists():
            # Closed in the meantime: the counts are final.
            transaction.set_rollback(True)
            return None
    return pending


@dataclass(frozen=True)
class Flushed:
    moved: int
    closed: list[int]


def events_to_close(now: datetime) -> list[int]:
    """Ids of events whose answers have closed (answers_close_at, in SQL)
    and that are not yet ClosedEvents. Drafts never take answers."""
    cutoff = now - ANSWER_GRACE
    return list(
        Event.objects.exclude(status=EventStatus.DRAFT)
        .exclude(pk__in=ClosedEvent.objects.values("event_id"))
        .filter(
            Q(registration_closes_at__lte=cutoff)
            | Q(
                registration_closes_at__isnull=True,
                starts_at__lte=cutoff + DEFAULT_CLOSE_BEFORE_START,
            )
            | Q(cancelled_at__lte=cutoff)
        )
        .values_list("pk", flat=True)
    )


def _events_with_a_full_batch() -> set[int]:
    return set(
        PendingResponse.objects.values("event_id")
        .annotate(waiting=Count("pk"))
        .filter(waiting__gte=BATCH_SIZE)
        .values_list("event_id", flat=True)
    )


def flush_answer_pool(*, now: datetime | None = None, rng: random.Random | None = None) -> Flushed:
    """Move the pool into EqualityResponse and close the answers of events
    whose registration has closed, all in one transaction.

    For an event still open, its pooled answers move once BATCH_SIZE have
    gathered. For an event to close, its pooled answers and every answer
    it already has are deleted and written again together, so that all of
    an event's rows come from one transaction. Each batch is written in a
    random order with new keys. Pooled answers of an event already closed
    (sent as it closed) are dropped. Locks the events concerned, in key
    order, so two flushes never move the same answers."""
    now = now or timezone.now()
    rng = rng or random.SystemRandom()
    with transaction.atomic():
        PendingResponse.objects.filter(event_id__in=ClosedEvent.objects.values("event_id")).delete()
        concerned = set(events_to_close(now)) | _events_with_a_full_batch()
        if not concerned:
            return Flushed(0, [])
        list(Event.objects.select_for_update().filter(pk__in=concerned).order_by("pk").values("pk"))
        # Read again under the locks: another flush may have done some.
        closing = set(events_to_close(now)) & concerned
        moving = closing | (_events_with_a_full_batch() & concerned)
        pending = list(PendingResponse.objects.filter(event_id__in=moving))
        kept = list(EqualityResponse.objects.filter(event_id__in=closing))
        batch = [_answers_of(row) for row in pending + kept]
        rng.shuffle(batch)
        PendingResponse.objects.filter(pk__in=[row.pk for row in pending]).delete()
        # Only a flush writes answers, and this one holds the events' locks.
        EqualityResponse.objects.filter(event_id__in=closing).delete()
        EqualityResponse.objects.bulk_create(EqualityResponse(**answers) for answers in batch)
        ClosedEvent.objects.bulk_create(ClosedEvent(event_id=pk) for pk in sorted(closing))
    return Flushed(len(pending), sorted(closing))


def _answers_of(row) -> dict:
    return {"event_id": row.event_id, **{field: getattr(row, field) for field in ANSWER_FIELDS}}


def vacuum_answer_tables() -> bool:
    """On PostgreSQL, VACUUM the pool and the responses after a flush, so
    the rows it deleted (in the pool, in the order they were answered) are
    cleared out at once rather than whenever autovacuum comes by, and their
    space is reused. Cannot run inside a transaction; returns whether it
    ran."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return False
    tables = [PendingResponse._meta.db_table, EqualityResponse._meta.db_table]
    with connection.cursor() as cursor:
        cursor.execute("VACUUM " + ", ".join(connection.ops.quote_name(t) for t in tables))
    return True
