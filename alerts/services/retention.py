"""Keeping subscriptions only while they are wanted: unconfirmed ones go
after UNCONFIRMED_KEPT_FOR; a subscriber who has not confirmed for
settings.RETENTION_MONTHS is asked once whether they still want alerts, and
removed if they have not confirmed RECONFIRM_WITHIN later."""

import calendar
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from emails.services import EmailToQueue, queue_emails

from ..models import Subscription, SubscriptionLink
from .subscriptions import add_links, confirm_url, list_headers, manage_url, unsubscribe_url

UNCONFIRMED_KEPT_FOR = timedelta(days=7)
RECONFIRM_WITHIN = timedelta(days=30)
BATCH_SIZE = 500


def apply_alert_retention(*, now: datetime | None = None) -> dict[str, int]:
    """What beat runs every hour. Returns how many rows each step touched."""
    now = now or timezone.now()
    return {
        "unconfirmed_removed": remove_unconfirmed_subscriptions(now=now),
        "asked_to_reconfirm": ask_to_reconfirm(now=now),
        "lapsed_removed": remove_lapsed_subscriptions(now=now),
        "links_pruned": prune_links(now=now),
    }


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier (the 31st
    becomes the last day of a shorter month)."""
    year, month = divmod(moment.year * 12 + moment.month - 1 - months, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def reconfirm_due_before(now: datetime) -> datetime:
    return months_before(now, settings.RETENTION_MONTHS)


def remove_unconfirmed_subscriptions(*, now: datetime) -> int:
    """Delete subscriptions nobody confirmed within UNCONFIRMED_KEPT_FOR of
    the last request on the form."""
    expired = Subscription.objects.unconfirmed().filter(consented_at__lt=now - UNCONFIRMED_KEPT_FOR)
    return _delete_in_batches(expired)


def ask_to_reconfirm(*, now: datetime) -> int:
    """Queue one `alerts_reconfirm` email to each subscriber whose last
    confirmation is RETENTION_MONTHS old and who has not been asked since,
    BATCH_SIZE to a transaction; sets `reconfirm_requested_at`. Returns how
    many were asked."""
    due = Subscription.objects.confirmed().filter(
        confirmed_at__lt=reconfirm_due_before(now), reconfirm_requested_at__isnull=True
    )
    asked = 0
    while True:
        with transaction.atomic():
            batch = list(
                due.select_for_update(skip_locked=True)
                .order_by("pk")
                .only("pk", "email", "confirmed_at")[:BATCH_SIZE]
            )
            if not batch:
                return asked
            _queue_reconfirm_emails(batch, remove_after=now + RECONFIRM_WITHIN)
            Subscription.objects.filter(pk__in=[s.pk for s in batch]).update(
                reconfirm_requested_at=now, updated_at=now
            )
        asked += len(batch)


def _queue_reconfirm_emails(batch: list[Subscription], *, remove_after: datetime) -> None:
    links = add_links([subscription.pk for subscription in batch])
    queue_emails(
        [
            EmailToQueue(
                kind="alerts_reconfirm",
                to=subscription.email,
                context={
                    "confirm_url": confirm_url(links[subscription.pk]),
                    "manage_url": manage_url(links[subscription.pk]),
                    "unsubscribe_url": unsubscribe_url(links[subscription.pk]),
                    "remove_after": remove_after,
                    "retention_months": settings.RETENTION_MONTHS,
                },
                dedupe_key=(
                    f"alerts_reconfirm:{subscription.pk}:{subscription.confirmed_at:%Y%m%d%H%M%S}"
                ),
                about=f"subscription:{subscription.pk}",
                headers=list_headers(links[subscription.pk]),
            )
            for subscription in batch
        ]
    )


def remove_lapsed_subscriptions(*, now: datetime) -> int:
    """Delete the subscribers asked RECONFIRM_WITHIN ago who have not
    confirmed since."""
    lapsed = Subscription.objects.confirmed().filter(
        confirmed_at__lt=reconfirm_due_before(now),
        reconfirm_requested_at__lt=now - RECONFIRM_WITHIN,
    )
    return _delete_in_batches(lapsed)


def prune_links(*, now: datetime) -> int:
    """Forget links older than RETENTION_MONTHS: every subscriber still
    here has had a newer one since (the re-confirmation email at least)."""
    old = SubscriptionLink.objects.filter(created_at__lt=reconfirm_due_before(now))
    return _delete_in_batches(old)


def _delete_in_batches(queryset: QuerySet) -> int:
    """Delete BATCH_SIZE rows to a transaction, so no delete holds many locks
    for long. Returns how many rows of the queryset's model went."""
    deleted = 0
    while ids := list(queryset.order_by("pk").values_list("pk", flat=True)[:BATCH_SIZE]):
        with transaction.atomic():
            _, counts = queryset.model.objects.filter(pk__in=ids).delete()
        deleted += counts.get(queryset.model._meta.label, 0)
    return deleted
