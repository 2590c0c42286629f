"""/alerts/: subscribing, and the confirm, manage and unsubscribe pages
behind a subscription's secret links (the one-click POST included), fed
what people, bots and mail programs send."""

import pytest
from django.http import QueryDict
from hypothesis import event as note_outcome
from hypothesis import given
from hypothesis import strategies as st

from alerts.models import FormatPreference, Subscription
from alerts.services import add_link
from emails.models import OutgoingEmail
from events.models import Role
from tests.factories import SubscriptionFactory, role

from .conftest import OFFERED_ROLES
from .public_forms import ALERTS
from .strategies import emails, junk, mutated, raw_bodies, wrong_choice
from .support import (
    assert_kept,
    assert_not_found,
    assert_refused_with_a_message,
    changes,
    fresh_example,
    fuzz_settings,
    post_pairs,
    post_raw,
    row_counts,
    urlencoded,
)

pytestmark = pytest.mark.django_db

PATH = ALERTS.path
ALL_ROLES = [*OFFERED_ROLES, "special-constable"]
KNOWN = "Known.Subscriber@Example.com"


@pytest.fixture
def known(db):
    """A confirmed subscriber, whose address a stranger may type."""
    return SubscriptionFactory(email=KNOWN, email_key=KNOWN.casefold())


@pytest.fixture
def valid_form(client, db):
    return ALERTS.valid(client)


WRONG = {
    "email": st.one_of(emails(), st.sampled_from([KNOWN, KNOWN.upper(), f" {KNOWN.lower()} "])),
    "roles": st.one_of(st.sampled_from(ALL_ROLES), wrong_choice("1", "detective", "both")),
    "format": wrong_choice("in_person ", "ONLINE", "hybrid", "everyone"),
    "consent": st.sampled_from(["", "false", "0", "off", "\x00", "yes"]),
}


def chosen_roles(subscription: Subscription) -> set[str]:
    return set(subscription.roles.values_list("code", flat=True))


@fuzz_settings(examples=80)
@given(data=st.data())
def test_subscribing_saves_everything_or_nothing_and_never_tells(client, known, valid_form, data):
    pairs = data.draw(mutated(valid_form, wrong=WRONG), label="form")
    sent = QueryDict(urlencoded(pairs))

    with fresh_example(client):
        before = row_counts()
        response = post_pairs(client, PATH, pairs)
        added = changes(before, row_counts())

        if response.status_code != 302:
            note_outcome("refused")
            assert_refused_with_a_message(response)
            assert_kept(response, sent, ["email"])
            assert added == {}
            return
        assert response["Location"] == "/alerts/check-your-email/"
        if not added:
            note_outcome("a bot: answered as if saved, nothing saved")
            assert sent.get("website", "").strip()
            return
        email = OutgoingEmail.objects.latest("pk")
        subscription = Subscription.objects.get(email_key=sent["email"].strip().casefold())
        assert (email.kind, email.to) == ("alerts_confirm", subscription.email)
        if subscription == known:
            note_outcome("known address: a fresh link, choices kept")
            assert added == {"SubscriptionLink": 1, "OutgoingEmail": 1}
            assert chosen_roles(subscription) == {"police-officer"}
        else:
            note_outcome("saved")
            roles = set(sent.getlist("roles"))
            assert added == {
                "Subscription": 1,
                "SubscriptionRole": len(roles),
                "SubscriptionLink": 1,
                "OutgoingEmail": 1,
            }
            assert subscription.email == sent["email"].strip()
            assert subscription.format == sent["format"]
            assert chosen_roles(subscription) == roles
            assert subscription.confirmed_at is None


@fuzz_settings(examples=25)
@given(
    typed=st.sampled_from([str, str.upper, str.lower, lambda email: f" {email}\t"]), data=st.data()
)
def test_a_known_address_gets_a_fresh_link_and_its_choices_are_kept(
    client, known, valid_form, typed, data
):
    """Subscribing a subscribed address answers as for a new one and only
    emails a fresh link: a stranger cannot change someone's alerts."""
    form = {name: value for name, value in valid_form.items() if name != "email"}
    pairs = [*data.draw(mutated(form, wrong=WRONG), label="form"), ("email", typed(KNOWN))]

    with fresh_example(client):
        before = row_counts()
        response = post_pairs(client, PATH, pairs)
        added = changes(before, row_counts())

        known.refresh_from_db()
        assert chosen_roles(known) == {"police-officer"}
        assert known.format == FormatPreference.BOTH
        if response.status_code != 302:
            note_outcome("refused")
            assert_refused_with_a_message(response)
            assert added == {}
        elif QueryDict(urlencoded(pairs)).get("website", "").strip():
            note_outcome("a bot: answered as if saved, nothing saved")
            assert added == {}
        else:
            note_outcome("a fresh link")
            assert response["Location"] == "/alerts/check-your-email/"
            assert added == {"SubscriptionLink": 1, "OutgoingEmail": 1}
            assert OutgoingEmail.objects.latest("pk").to == KNOWN


@pytest.fixture
def unconfirmed(db):
    subscription = SubscriptionFactory(confirmed_at=None, roles=[role("pcso")])
    return subscription, add_link(subscription)


@fuzz_settings(examples=20)
@given(body=raw_bodies())
def test_confirming_confirms_whatever_the_form_sends_and_a_get_never_does(
    client, unconfirmed, body
):
    subscription, token = unconfirmed
    path = f"/alerts/confirm/{token}/"

    with fresh_example(client):
        before = row_counts()
        page = client.get(path)
        managed = client.get(f"/alerts/manage/{token}/")
        subscription.refresh_from_db()
        assert page.status_code == 200
        assert managed.status_code == 302
        assert managed["Location"] == path
        assert subscription.confirmed_at is None

        response = post_raw(client, path, body)

        subscription.refresh_from_db()
        assert response.status_code == 302
        assert response["Location"] == f"/alerts/manage/{token}/"
        assert subscription.confirmed_at is not None
        assert changes(before, row_counts()) == {}


@pytest.fixture
def confirmed(db):
    subscription = SubscriptionFactory(
        roles=[role("police-officer")], format=FormatPreference.IN_PERSON
    )
    return subscription, add_link(subscription)


@fuzz_settings(examples=80)
@given(data=st.data())
def test_managing_changes_exactly_what_was_chosen_or_nothing(client, confirmed, data):
    subscription, token = confirmed
    valid = {"roles": ["pcso", "special-constable"], "format": FormatPreference.ONLINE}
    pairs = data.draw(mutated(valid, wrong=WRONG), label="form")
    sent = QueryDict(urlencoded(pairs))
    path = f"/alerts/manage/{token}/"

    with fresh_example(client):
        before = row_counts()
        response = post_pairs(client, path, pairs)
        added = changes(before, row_counts())
        subscription.refresh_from_db()

        if response.status_code == 302:
            note_outcome("changed")
            roles = set(sent.getlist("roles"))
            assert response["Location"] == path
            assert chosen_roles(subscription) == roles
            assert subscription.format == sent["format"]
            assert added == ({"SubscriptionRole": len(roles) - 1} if len(roles) != 1 else {})
        else:
            note_outcome("refused")
            assert_refused_with_a_message(response)
            assert chosen_roles(subscription) == {"police-officer"}
            assert subscription.format == FormatPreference.IN_PERSON
            assert added == {}


@fuzz_settings(examples=30)
@given(body=raw_bodies(), more_links=st.integers(min_value=0, max_value=2))
def test_unsubscribing_forgets_the_address_whatever_the_mail_program_sends(
    client, confirmed, body, more_links
):
    subscription, token = confirmed
    path = f"/alerts/unsubscribe/{token}/"

    with fresh_example(client):
        for _ in range(more_links):
            add_link(subscription)
        before = row_counts()
        page = client.get(path)
        assert page.status_code == 200
        assert changes(before, row_counts()) == {}

        response = post_raw(client, path, body)

        if response.status_code == 400:
            # Django refuses a body it cannot read: a multipart one without
            # its parts, or a form body in any charset but UTF-8.
            note_outcome("unreadable body: refused, nothing changed")
            assert body[0].startswith("multipart/") or "charset=latin-1" in body[0]
            assert changes(before, row_counts()) == {}
            return
        one_click = QueryDict(body[1]).get("List-Unsubscribe") == "One-Click"
        if one_click and body[0].startswith("application/x-www-form-urlencoded"):
            note_outcome("one-click")
            assert response.status_code == 200
            assert "unsubscribed" in response.content.decode().lower()
        else:
            note_outcome("from the page")
            assert response.status_code == 302
            assert response["Location"] == "/alerts/unsubscribed/"
        assert changes(before, row_counts()) == {
            "Subscription": -1,
            "SubscriptionRole": -1,
            "SubscriptionLink": -(1 + more_links),
        }
        assert not Subscription.objects.filter(pk=subscription.pk).exists()
        assert_not_found(post_raw(client, path, body))


@fuzz_settings(examples=15)
@given(junk_roles=st.lists(junk(), min_size=1, max_size=3))
def test_roles_that_do_not_exist_are_refused_at_the_field(client, confirmed, junk_roles):
    subscription, token = confirmed
    pairs = [("roles", value) for value in junk_roles] + [("format", FormatPreference.BOTH)]

    with fresh_example(client):
        before = row_counts()
        response = post_pairs(client, f"/alerts/manage/{token}/", pairs)

        if set(junk_roles) <= set(Role.objects.values_list("code", flat=True)):
            assert response.status_code == 302
        else:
            assert_refused_with_a_message(response)
            assert chosen_roles(subscription) == {"police-officer"}
            assert changes(before, row_counts()) == {}
