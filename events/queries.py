"""Reads of events for the public pages."""

from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from . import tokens
from .models import DEFAULT_CLOSE_BEFORE_START, Event, Registration, RegistrationLink


def upcoming_events(
    *,
    role: str | None = None,
    event_format: str | None = None,
    audience: str | None = None,
    month: datetime | None = None,
) -> QuerySet[Event]:
    """Published and cancelled events that have not ended, soonest first,
    with their counts and roles: a fixed number of queries however many."""
    events = Event.objects.visible().upcoming().with_counts().prefetch_related("roles")
    if role:
        events = events.filter(roles__code=role)
    if event_format:
        events = events.filter(format=event_format)
    if audience:
        events = events.filter(audience=audience)
    if month:
        events = events.filter(starts_at__year=month.year, starts_at__month=month.month)
    return events


def event_for_page(slug: str) -> Event | None:
    return Event.objects.visible().with_counts().prefetch_related("roles").filter(slug=slug).first()


def next_similar_event(event: Event) -> Event | None:
    """The soonest event like this one that still takes registrations,
    offered when this one is past, cancelled, closed or not yet open."""
    now = timezone.now()
    still_open = Q(registration_closes_at__gt=now) | Q(
        registration_closes_at__isnull=True, starts_at__gt=now + DEFAULT_CLOSE_BEFORE_START
    )
    candidates = (
        Event.objects.published()
        .filter(still_open)
        .exclude(pk=event.pk)
        .order_by("starts_at", "pk")
        .with_counts()
    )
    return (
        candidates.filter(audience=event.audience, format=event.format).first()
        or candidates.filter(audience=event.audience).first()
    )


def registration_for_token(token: str) -> Registration | None:
    """The registration a secret link opens, or None for an unknown,
    tampered or truncated token."""
    if not token or len(token) > 100:
        return None
    link = (
        RegistrationLink.objects.select_related("registration__event", "registration__role")
        .filter(token_hash=tokens.hash_token(token))
        .first()
    )
    return link.registration if link else None
