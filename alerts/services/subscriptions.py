"""Subscribing, confirming, changing and stopping event alerts. Secret links
are 256-bit tokens of which only the SHA-256 is stored (core.tokens)."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone

from core import tokens
from emails.models import OutgoingEmail
from emails.services import DROP, EmailToQueue, queue_emails
from events.models import Role

from .. import confirm_emails
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
    have typed the address) and its email says how to change them. One
    `alerts_confirm` email goes at most every CONFIRM_QUIET_PERIOD. Every
    case sends the same statements (issue 13: the answer's timing must not
    tell whether the address was subscribed): the subscription is upserted
    (which locks its row), read, written, its roles replaced (by the same
    ones when confirmed), a secret link added and an outbox row written,
    which the worker renders, or drops unsent inside the quiet period.
    """
    now = now or timezone.now()
    email = email.strip()
    period = int(now.timestamp() // CONFIRM_QUIET_PERIOD.total_seconds())
    confirm_key = f"alerts_confirm:{{pk}}:{period}"
    token = tokens.new_token()
    with transaction.atomic():
        subscription = _upsert(email=email, event_format=event_format, now=now, key=confirm_key)
        kept = list(subscription.roles.values_list("pk", flat=True))
        if not subscription.is_confirmed:
            subscription.email = email
            subscription.format = event_format
            subscription.consented_at = now
            kept = [role.pk for role in roles]
        subscription.save(update_fields=["email", "format", "consented_at", "updated_at"])
        _replace_roles(subscription, kept)
        _queue_confirm_email(
            subscription,
            token=token,
            dedupe_key=confirm_key.format(pk=subscription.pk),
            drop=subscription.confirm_queued,
        )
    return subscription


def _upsert(*, email: str, event_format: str, now: datetime, key: str) -> Subscription:
    """The address's subscription, inserted if new, its row locked until
    commit either way (INSERT ... ON CONFLICT DO UPDATE), read with whether
    the email for `key` (its "{pk}" filled in) is queued already."""
    Subscription.objects.bulk_create(
        [Subscription(email=email, email_key=email.casefold(), format=event_format,
                      consented_at=now)],
        update_conflicts=True, unique_fields=["email_key"], update_fields=["updated_at"],
    )  # fmt: skip
    before, after = key.split("{pk}")
    reason = Concat(Value(before), Cast(OuterRef("pk"), CharField()), Value(after))
    return Subscription.objects.annotate(
        confirm_queued=Exists(OutgoingEmail.objects.filter(dedupe_key=reason))
    ).get(email_key=email.casefold())


def _replace_roles(subscription: Subscription, role_ids: list[int]) -> None:
    """roles.set(), in the same two statements whatever changes."""
    through = Subscription.roles.through
    through.objects.filter(subscription_id=subscription.pk).exclude(role_id__in=role_ids).delete()
    through.objects.bulk_create(
        [through(subscription_id=subscription.pk, role_id=pk) for pk in role_ids],
        ignore_conflicts=True,
    )


def _queue_confirm_email(
    subscription: Subscription, *, token: str, dedupe_key: str, drop: bool
) -> None:
    """A link and the `alerts_confirm` email, for the worker to render; when
    one went in this period (`drop`), a link nobody is given and a row the
    worker drops unsent (emails.services.DROP), so that the work is the same."""
    SubscriptionLink.objects.create(subscription=subscription, token_hash=tokens.hash_token(token))
    # The links are made either way (the same work); a dropped row keeps none.
    links = {"confirm_url": confirm_url(token), "manage_url": manage_url(token)}
    if drop:
        links = dict.fromkeys(links)
    context = confirm_emails.stored_context(subscription, **links)
    if drop:
        context[DROP] = True
        dedupe_key = f"alerts_confirm:{subscription.pk}:dropped:{tokens.new_reference()}"
    queue_emails(
        [
            EmailToQueue(
                kind="alerts_confirm",
                to=subscription.email,
                context=context,
                dedupe_key=dedupe_key,
                about=f"subscription:{subscription.pk}",
            )
        ],
        new_reasons=True,
    )


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


def add_demo_subscriptions(*, subscribers: dict[Role, int], now: datetime | None = None) -> int:
    """Made-up confirmed subscribers for the demo (seed_demo): for each role,
    that many addresses that want alerts about it. Addresses already there
    are kept as they are, so the demo can run again. No email. Returns how
    many were added."""
    now = now or timezone.now()
    added = 0
    for role, count in subscribers.items():
        for n in range(count):
            email = f"alerts.{role.code}.{n}@example.org"
            subscription, created = Subscription.objects.get_or_create(
                email_key=email,
                defaults={"email": email, "consented_at": now, "confirmed_at": now},
            )
            if created:
                subscription.roles.set([role])
                added += 1
    return added
