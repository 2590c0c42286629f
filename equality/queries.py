"""Reads for equality monitoring: who may still answer, and the counts the
report is made of (never one person's answers)."""

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Exists, Max, Min, OuterRef, Q, QuerySet
from django.utils import timezone

from events.models import Event, EventStatus, Registration

from .models import AnsweredMark, ClosedEvent, EqualityResponse, answered_fingerprints
from .services import answers_close_at

LONDON = ZoneInfo("Europe/London")


def _may_answer(registration_id: int) -> QuerySet[Registration]:
    """The registration, unless it has answered or its event's answers are
    closed (the time is checked in Python: answers_close_at)."""
    answered = AnsweredMark.objects.filter(fingerprint__in=answered_fingerprints(registration_id))
    return (
        Registration.objects.filter(pk=registration_id)
        .exclude(Exists(answered))
        .exclude(event__in=ClosedEvent.objects.values("event_id"))
    )


def may_answer(registration: Registration) -> bool:
    """Whether this registration may still answer the questions (one query)."""
    if timezone.now() >= answers_close_at(registration.event):
        return False
    return _may_answer(registration.pk).exists()


def registration_yet_to_answer(registration_id: object) -> Registration | None:
    """The registration (from the receipt) if it may still answer."""
    if not isinstance(registration_id, int):
        return None
    registration = _may_answer(registration_id).select_related("event").first()
    if registration is None or timezone.now() >= answers_close_at(registration.event):
        return None
    return registration


def events_between(first: date, last: date) -> QuerySet[Event]:
    """Events that start from `first` to `last` inclusive, London dates."""
    start = datetime.combine(first, time(), tzinfo=LONDON)
    end = datetime.combine(last + timedelta(days=1), time(), tzinfo=LONDON)
    return Event.objects.filter(starts_at__gte=start, starts_at__lt=end).order_by("starts_at", "pk")


def with_reach(events: QuerySet[Event]) -> QuerySet[Event]:
    """Each event with `registered` (everyone who registered, including
    those who later cancelled), `attended` (checked in on the night) and
    `answers_closed` (its answers are final: a ClosedEvent). Drafts are
    never reported."""
    return events.exclude(status=EventStatus.DRAFT).annotate(
        registered=Count("registrations"),
        attended=Count("registrations", filter=Q(registrations__checked_in_at__isnull=False)),
        answers_closed=Exists(ClosedEvent.objects.filter(event_id=OuterRef("pk"))),
    )


def answers_per_event(event_ids: Iterable[int]) -> Counter:
    """How many answered the questions, per event id."""
    rows = (
        EqualityResponse.objects.filter(event_id__in=list(event_ids))
        .values("event_id")
        .annotate(answers=Count("id"))
        .order_by()
    )
    return Counter({row["event_id"]: row["answers"] for row in rows})


def answer_counts(event_ids: Iterable[int], fields: list[str]) -> dict[int, Counter]:
    """Per event id, how many gave each combination of answers to `fields`
    (one question; the ethnic background needs its group too)."""
    rows = (
        EqualityResponse.objects.filter(event_id__in=list(event_ids))
        .values("event_id", *fields)
        .annotate(answers=Count("id"))
        .order_by()
    )
    counts: dict[int, Counter] = defaultdict(Counter)
    for row in rows:
        counts[row["event_id"]][tuple(row[field] for field in fields)] += row["answers"]
    return counts


def first_and_last_event_dates() -> tuple[date, date] | None:
    span = Event.objects.aggregate(first=Min("starts_at"), last=Max("starts_at"))
    if span["first"] is None:
        return None
    return span["first"].astimezone(LONDON).date(), span["last"].astimezone(LONDON).date()
