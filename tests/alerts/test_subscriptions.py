from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alerts import services
from alerts.models import FormatPreference, Subscription, SubscriptionLink
from alerts.queries import subscription_for_token
from tests.factories import SubscriptionFactory, role

from .conftest import emails_of_kind, link_token

pytestmark = pytest.mark.django_db


def subscribe(email="sam@example.com", roles=None, event_format=FormatPreference.BOTH, **kwargs):
    return services.subscribe(
        email=email,
        roles=roles if roles is not None else [role("pcso")],
        event_format=event_format,
        **kwargs,
    )


def test_subscribe_makes_an_unconfirmed_subscription_and_asks_to_confirm():
    subscription = subscribe(" Sam.Okafor@Example.com ", event_format=FormatPreference.ONLINE)

    assert subscription.email == "Sam.Okafor@Example.com"
    assert subscription.email_key == "sam.okafor@example.com"
    assert subscription.format == FormatPreference.ONLINE
    assert list(subscription.roles.values_list("code", flat=True)) == ["pcso"]
    assert subscription.confirmed_at is None
    assert subscription.consented_at is not None
    [email] = emails_of_kind("alerts_confirm")
    assert email.to == "Sam.Okafor@Example.com"
    assert email.subject == "Confirm you want emails about new insight events"
    assert "Police community support officer (PCSO) (online)" in email.body_text
    assert "/alerts/confirm/" in email.body_text
    assert "/alerts/confirm/" in email.body_html


def test_tokens_are_stored_only_as_hashes():
    subscription = subscribe()

    token = link_token(emails_of_kind("alerts_confirm")[0])
    link = SubscriptionLink.objects.get()
    assert len(token) >= 43
    assert token not in link.token_hash
    assert subscription_for_token(token) == subscription


def test_confirm_starts_alerts():
    subscription = subscribe()

    services.confirm_subscription(subscription)

    subscription.refresh_from_db()
    assert subscription.is_confirmed


def test_an_unconfirmed_repeat_takes_the_latest_choices_and_asks_again_later():
    first = subscribe(roles=[role("pcso")])
    later = timezone.now() + services.CONFIRM_QUIET_PERIOD

    again = subscribe(
        "SAM@example.com",
        roles=[role("special-constable")],
        event_format=FormatPreference.IN_PERSON,
        now=later,
    )

    assert again.pk == first.pk
    assert again.email == "SAM@example.com"
    assert list(again.roles.values_list("code", flat=True)) == ["special-constable"]
    assert again.format == FormatPreference.IN_PERSON
    assert again.consented_at == later
    assert len(emails_of_kind("alerts_confirm")) == 2


def test_a_repeat_for_a_confirmed_address_changes_nothing_and_emails_a_manage_link():
    subscription = SubscriptionFactory(email="sam@example.com", roles=[role("pcso")])

    subscribe("sam@example.com", roles=[role("special-constable")])

    subscription.refresh_from_db()
    assert list(subscription.roles.values_list("code", flat=True)) == ["pcso"]
    [email] = emails_of_kind("alerts_confirm")
    assert email.subject == "Your alerts about new insight events"
    assert "You already get them" in email.body_text
    assert "/alerts/manage/" in email.body_text
    assert "/alerts/confirm/" not in email.body_text


def test_the_form_sent_twice_sends_one_email():
    subscribe()
    subscribe()

    assert len(emails_of_kind("alerts_confirm")) == 1
    assert Subscription.objects.count() == 1


def count_queries(action):
    with CaptureQueriesContext(connection) as queries:
        action()
    return len(queries)


def test_a_known_and_an_unknown_address_cost_the_same_work():
    SubscriptionFactory(email="known@example.com")
    SubscriptionFactory(email="pending@example.com", confirmed_at=None)
    roles = [role("pcso")]

    unknown = count_queries(lambda: subscribe("unknown@example.com", roles=roles))
    known = count_queries(lambda: subscribe("known@example.com", roles=roles))
    pending = count_queries(lambda: subscribe("pending@example.com", roles=roles))

    # Each renders and inserts one email and inserts one link; what differs
    # is a handful of cheap statements on the subscription row itself.
    assert len(emails_of_kind("alerts_confirm")) == 3
    assert SubscriptionLink.objects.count() == 3
    assert abs(unknown - known) <= 6, (unknown, known)
    assert abs(unknown - pending) <= 6, (unknown, pending)


def test_update_changes_roles_and_format_and_counts_as_confirming_again():
    subscription = SubscriptionFactory(confirmed_at=timezone.now() - timedelta(days=300))
    subscription.reconfirm_requested_at = timezone.now()

    services.update_subscription(
        subscription,
        roles=[role("pcso"), role("special-constable")],
        event_format=FormatPreference.ONLINE,
    )

    subscription.refresh_from_db()
    assert set(subscription.roles.values_list("code", flat=True)) == {"pcso", "special-constable"}
    assert subscription.format == FormatPreference.ONLINE
    assert subscription.confirmed_at > timezone.now() - timedelta(minutes=1)
    assert subscription.reconfirm_requested_at is None


def test_unsubscribe_deletes_the_subscription_and_its_links():
    subscription = subscribe()

    services.unsubscribe(subscription)

    assert not Subscription.objects.exists()
    assert not SubscriptionLink.objects.exists()
