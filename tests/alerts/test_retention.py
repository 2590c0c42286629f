from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from alerts import services
from alerts.models import Subscription, SubscriptionLink
from alerts.queries import subscription_for_token
from emails.services import build_message
from tests.factories import SubscriptionFactory

from .conftest import emails_of_kind, link_token

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _twelve_months(settings):
    settings.RETENTION_MONTHS = 12


def ago(**kwargs):
    return timezone.now() - timedelta(**kwargs)


@pytest.mark.parametrize(
    ("moment", "months", "expected"),
    [
        (datetime(2026, 3, 31, 9, tzinfo=UTC), 1, datetime(2026, 2, 28, 9, tzinfo=UTC)),
        (datetime(2026, 1, 15, tzinfo=UTC), 12, datetime(2025, 1, 15, tzinfo=UTC)),
        (datetime(2026, 1, 15, tzinfo=UTC), 13, datetime(2024, 12, 15, tzinfo=UTC)),
    ],
)
def test_months_before(moment, months, expected):
    assert services.months_before(moment, months) == expected


def test_unconfirmed_subscriptions_go_after_seven_days():
    old = SubscriptionFactory(confirmed_at=None, consented_at=ago(days=7, minutes=1))
    recent = SubscriptionFactory(confirmed_at=None, consented_at=ago(days=6))
    confirmed = SubscriptionFactory(consented_at=ago(days=30), confirmed_at=ago(days=29))

    result = services.apply_alert_retention()

    assert result["unconfirmed_removed"] == 1
    assert set(Subscription.objects.values_list("pk", flat=True)) == {recent.pk, confirmed.pk}
    assert not SubscriptionLink.objects.filter(subscription_id=old.pk).exists()


def test_a_subscriber_not_confirmed_for_retention_months_is_asked_once():
    due = SubscriptionFactory(email="due@example.com", confirmed_at=ago(days=370))
    SubscriptionFactory(email="recent@example.com", confirmed_at=ago(days=300))

    first = services.apply_alert_retention()
    second = services.apply_alert_retention()

    assert (first["asked_to_reconfirm"], second["asked_to_reconfirm"]) == (1, 0)
    [email] = emails_of_kind("alerts_reconfirm")
    assert email.to == "due@example.com"
    assert email.subject == "Do you still want emails about new insight events?"
    assert "every 12 months" in email.body_text
    assert "List-Unsubscribe" in build_message(email).message()
    due.refresh_from_db()
    assert due.reconfirm_requested_at is not None


def test_confirming_from_the_reminder_keeps_the_subscription(client):
    subscription = SubscriptionFactory(confirmed_at=ago(days=370))
    services.apply_alert_retention()
    token = link_token(emails_of_kind("alerts_reconfirm")[0])

    page = client.get(f"/alerts/confirm/{token}/").content.decode()
    client.post(f"/alerts/confirm/{token}/")
    later = services.apply_alert_retention(now=timezone.now() + timedelta(days=31))

    assert "Keep getting event alerts" in page
    assert later["lapsed_removed"] == 0
    subscription.refresh_from_db()
    assert subscription.reconfirm_requested_at is None
    assert subscription.confirmed_at > ago(minutes=1)


def test_a_subscriber_who_does_not_answer_goes_thirty_days_later():
    SubscriptionFactory(confirmed_at=ago(days=370))
    services.apply_alert_retention()

    day_29 = services.apply_alert_retention(now=timezone.now() + timedelta(days=29))
    day_31 = services.apply_alert_retention(now=timezone.now() + timedelta(days=31))

    assert day_29["lapsed_removed"] == 0
    assert day_31["lapsed_removed"] == 1
    assert not Subscription.objects.exists()


def test_links_older_than_retention_months_are_pruned():
    subscription = SubscriptionFactory()
    old_token = services.add_link(subscription)
    SubscriptionLink.objects.update(created_at=ago(days=400))
    new_token = services.add_link(subscription)

    services.apply_alert_retention()

    assert subscription_for_token(old_token) is None
    assert subscription_for_token(new_token) == subscription
