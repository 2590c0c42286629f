"""Subscribing, confirming, changing and stopping event alerts. Secret links
are 256-bit tokens of which only the SHA-256 is stored (core.tokens)."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core import tokens
from emails.queries import email_queued
from emails.services import queue_email
from events.models import Role

from ..models import FormatPreference, Subscription, SubscriptionLink

# A form sent twice, or again a minute later, sends one email: at most one
# confirmation email per subscription in this period.
CONFIRM_QUIET_PERIOD = timedelta(minutes=10)


def subscribe(
    *,
    email: str,
    roles: list[Role],
    event_format: str = FormatPreference.BOTH,
    now: datetime | None = None,
) -> Subscription:
    """Ask for alerts about new events for `roles`, to be confirmed from the
    email this queues (double opt-in).

    A new address gets an unconfirmed subscription. An unconfirmed one takes
    the latest choices. A confirmed one keeps its choices (a stranger could
    have typed the address) and its email says how to change them. Every case
    locks the subscription row, writes it, adds a secret link and queues one
    `alerts_confirm` email (at most one per CONFIRM_QUIET_PERIOD), so the
    answer and its timing never tell whether the address was subscribed.
    """
    now = now or timezone.now()
    email = email.strip()
    with transaction.atomic():
        subscription, _ = Subscription.objects.select_for_update().get_or_create(
            email_key=email.casefold(),
            defaults={"email": email, "format": event_format, "consented_at": now},
        )
        if subscription.is_confirmed:
            subscription.save(update_fields=["updated_at"])
        else:
            subscription.email = email
            subscription.format = event_format
            subscription.consented_at = now
            subscription.save(update_fields=["email", "format", "consented_at", "updated_at"])
            subscription.roles.set(roles)
        _queue_confirm_email(subscription, now=now)
    return subscription


def _queue_confirm_email(subscription: Subscription, *, now: datetime) -> bool:
    period = int(now.timestamp() // CONFIRM_QUIET_PERIOD.total_seconds())
    dedupe_key = f"alerts_confirm:{subscription.pk}:{period}"
    if email_queued(dedupe_key):
        return False
    token = add_link(subscription)
    queue_email(
        kind="alerts_confirm",
        to=subscription.email,
        context={
            "subscription": subscription,
            "role_names": ", ".join(role.name for role in subscription.roles.all()),
            "already_confirmed": subscription.is_confirmed,
            "confirm_url": confirm_url(token),
            "manage_url": manage_url(token),
        },
        dedupe_key=dedupe_key,
        about=f"subscription:{subscription.pk}",
    )
    return True


def confirm_subscription(
    subscription: Subscription, *, now: datetime | None = None
) -> Subscription:
    """Start alerts, or keep them going when we asked whether they are still
    wanted (retention): sets `confirmed_at`, clears `reconfirm_requested_at`.
    No email."""
    subscription.confirmed_at = now or timezone.now()
    subscription.reconfirm_requested_at = None
    subscription.save(update_fields=["confirmed_at", "reconfirm_requested_at", "updated_at"])
    return subscription


def update_subscription(
    subscription: Subscription,
    *,
    roles: list[Role],
    event_format: str,
    now: datetime | None = None,
) -> Subscription:
    """Change the roles and format from the manage page. Choosing there is
    as good as confirming again, so it also sets `confirmed_at`. No email."""
    with transaction.atomic():
        subscription.format = event_format
        subscription.save(update_fields=["format", "updated_at"])
        subscription.roles.set(roles)
        confirm_subscription(subscription, now=now)
    return subscription


def unsubscribe(subscription: Subscription) -> Subscription:
    """Stop alerts and forget the address: deletes the subscription and its
    links (alerts already queued still go). Returns the deleted row."""
    subscription.delete()
    return subscription


def add_link(subscription: Subscription) -> str:
    token = tokens.new_token()
    SubscriptionLink.objects.create(subscription=subscription, token_hash=tokens.hash_token(token))
    return token


def add_links(subscription_ids: list[int]) -> dict[int, str]:
    """A fresh secret link for each subscription in one INSERT: {id: token}."""
    new_tokens = {pk: tokens.new_token() for pk in subscription_ids}
    SubscriptionLink.objects.bulk_create(
        SubscriptionLink(subscription_id=pk, token_hash=tokens.hash_token(token))
        for pk, token in new_tokens.items()
    )
    return new_tokens


def confirm_url(token: str) -> str:
    return settings.SITE_URL + reverse("alerts:confirm", kwargs={"token": token})


def manage_url(token: str) -> str:
    return settings.SITE_URL + reverse("alerts:manage", kwargs={"token": token})


def unsubscribe_url(token: str) -> str:
    return settings.SITE_URL + reverse("alerts:unsubscribe", kwargs={"token": token})


def list_headers(token: str) -> dict[str, str]:
    """RFC 8058 one-click unsubscribe: mail programs show an Unsubscribe
    button that POSTs `List-Unsubscribe=One-Click` to the URL."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(token)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
