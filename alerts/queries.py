"""Reads for event alerts: secret links, the events to announce, and the
counts staff see."""

from datetime import datetime

from django.db.models import Count, F, Q, QuerySet, Sum

from core import tokens
from events.models import DEFAULT_CLOSE_BEFORE_START, Event, EventStatus, Role

from .models import AlertRunStatus, EventAlertRun, Subscription, SubscriptionLink


def subscription_for_token(token: str) -> Subscription | None:
    """The subscription a secret link opens, or None for an unknown,
    tampered or truncated token (or one whose subscription has gone)."""
    if not token or len(token) > 100:
        return None
    link = (
        SubscriptionLink.objects.select_related("subscription")
        .filter(token_hash=tokens.hash_token(token))
        .first()
    )
    return link.subscription if link else None


def _taking_registrations(now: datetime) -> Q:
    closes_later = Q(registration_closes_at__gt=now) | Q(
        registration_closes_at__isnull=True, starts_at__gt=now + DEFAULT_CLOSE_BEFORE_START
    )
    opened = Q(registration_opens_at__isnull=True) | Q(registration_opens_at__lte=now)
    return Q(status=EventStatus.PUBLISHED, ends_at__gt=now) & opened & closes_later


def events_to_alert(*, now: datetime) -> QuerySet[Event]:
    """Published events whose registration is open now and that have no
    alert run yet. An event whose registration opens later is announced
    when it opens. Events published before alerts existed were given a
    skipped run by migration 0002, so they are never announced late."""
    return (
        Event.objects.filter(_taking_registrations(now), alert_run__isnull=True)
        .order_by("starts_at", "pk")
        .only("pk", "format")
    )


def takes_registrations(event: Event, *, now: datetime) -> bool:
    """Whether an alert about `event` is still worth sending."""
    return Event.objects.filter(_taking_registrations(now), pk=event.pk).exists()


def confirmed_subscribers_by_role() -> dict[str, int]:
    """Role code -> confirmed subscribers who chose it, every role listed
    (0 when none): one query."""
    rows = (
        Role.objects.annotate(
            subscribers=Count(
                "alert_subscriptions",
                filter=Q(alert_subscriptions__confirmed_at__isnull=False),
            )
        )
        .order_by("position", "name")
        .values_list("code", "subscribers")
    )
    return dict(rows)


def alerts_still_to_queue() -> int:
    """Emails the running alert fan-outs have yet to write (their subscriber
    count less what they queued): for the bulk lane's finishing estimate."""
    left = EventAlertRun.objects.filter(status=AlertRunStatus.RUNNING).aggregate(
        left=Sum(F("total") - F("queued"))
    )["left"]
    return max(left or 0, 0)
