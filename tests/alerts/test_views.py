import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from alerts import services
from alerts.models import FormatPreference, Subscription
from alerts.services import add_link
from emails.models import OutgoingEmail
from tests.factories import EventFactory, SubscriptionFactory, role

from .conftest import emails_of_kind, link_token

pytestmark = pytest.mark.django_db

ONE_CLICK = {"List-Unsubscribe": "One-Click"}


def form_data(**overrides):
    return {
        "email": "sam@example.com",
        "roles": ["pcso", "special-constable"],
        "format": "online",
        "consent": "on",
        **overrides,
    }


def test_the_form_lists_the_roles_formats_and_consent(client):
    body = client.get("/alerts/").content.decode()

    assert "Get emails about new insight events" in body
    for label in ("Police officer", "PCSO", "Special constable", "Online only", "privacy notice"):
        assert label in body
    assert "novalidate" in body


def test_subscribing_ends_on_check_your_email_and_sends_the_confirmation(client):
    response = client.post("/alerts/", form_data(), follow=True)

    assert response.redirect_chain == [("/alerts/check-your-email/", 302)]
    body = response.content.decode()
    assert "Check your email" in body
    assert "sam@example.com" in body
    subscription = Subscription.objects.get()
    assert subscription.format == FormatPreference.ONLINE
    assert set(subscription.roles.values_list("code", flat=True)) == {"pcso", "special-constable"}
    assert not subscription.is_confirmed
    assert len(emails_of_kind("alerts_confirm")) == 1


def test_an_empty_form_shows_each_error_and_keeps_what_was_typed(client):
    response = client.post("/alerts/", {"email": "not-an-address"})

    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert "Error: Get emails" in body
    for message in (
        "Enter an email address in the correct format, like name@example.com",
        "Select at least one role",
        "Select in person, online, or both",
        "Confirm that you want emails about new insight events",
    ):
        assert body.count(message) == 2, message  # in the summary and at the field
    assert 'value="not-an-address"' in body
    assert not Subscription.objects.exists()


def test_a_known_and_an_unknown_address_get_the_same_answer(client):
    SubscriptionFactory(email="known@example.com")

    unknown = client.post("/alerts/", form_data(email="unknown@example.com"), follow=True)
    known = client.post("/alerts/", form_data(email="known@example.com"), follow=True)

    assert unknown.redirect_chain == known.redirect_chain
    assert unknown.status_code == known.status_code == 200
    assert unknown.content.decode().replace("unknown@", "known@") == known.content.decode()
    assert len(emails_of_kind("alerts_confirm")) == 2


def confirm_token(client, **overrides):
    client.post("/alerts/", form_data(**overrides))
    return link_token(emails_of_kind("alerts_confirm")[-1])


def test_opening_the_confirm_link_does_not_confirm(client):
    token = confirm_token(client)

    response = client.get(f"/alerts/confirm/{token}/")

    body = response.content.decode()
    assert "Confirm your event alerts" in body
    assert "Special constable" in body
    assert "Confirm and start alerts" in body
    assert not Subscription.objects.get().is_confirmed


def test_the_confirm_button_confirms_and_shows_the_manage_page(client):
    token = confirm_token(client)

    response = client.post(f"/alerts/confirm/{token}/", follow=True)

    assert response.redirect_chain == [(f"/alerts/manage/{token}/", 302)]
    assert "You will get an email when we add an event" in response.content.decode()
    assert Subscription.objects.get().is_confirmed


def test_the_manage_page_before_confirming_goes_to_the_confirm_page(client):
    token = confirm_token(client)

    response = client.get(f"/alerts/manage/{token}/")

    assert response.status_code == 302
    assert response["Location"] == f"/alerts/confirm/{token}/"


def test_changing_roles_on_the_manage_page(client):
    subscription = SubscriptionFactory(roles=[role("pcso")])
    token = add_link(subscription)

    page = client.get(f"/alerts/manage/{token}/").content.decode()
    response = client.post(
        f"/alerts/manage/{token}/",
        {"roles": ["police-officer"], "format": "in_person"},
        follow=True,
    )

    assert "Your event alerts" in page
    assert "Your event alerts have been updated." in response.content.decode()
    subscription.refresh_from_db()
    assert list(subscription.roles.values_list("code", flat=True)) == ["police-officer"]
    assert subscription.format == FormatPreference.IN_PERSON


def test_the_manage_page_shows_errors_without_changing_anything(client):
    subscription = SubscriptionFactory(roles=[role("pcso")])
    token = add_link(subscription)

    response = client.post(f"/alerts/manage/{token}/", {"format": "online"})

    assert "Select at least one role" in response.content.decode()
    assert list(subscription.roles.values_list("code", flat=True)) == ["pcso"]


def test_opening_the_unsubscribe_link_does_not_unsubscribe(client):
    token = add_link(SubscriptionFactory(email="sam@example.com"))

    response = client.get(f"/alerts/unsubscribe/{token}/")

    assert "Unsubscribe from event alerts?" in response.content.decode()
    assert "sam@example.com" in response.content.decode()
    assert Subscription.objects.exists()


def test_unsubscribe_from_the_page_with_its_csrf_token():
    client = Client(enforce_csrf_checks=True)
    token = add_link(SubscriptionFactory())
    page = client.get(f"/alerts/unsubscribe/{token}/")
    csrf = page.context["csrf_token"]

    response = client.post(
        f"/alerts/unsubscribe/{token}/", {"csrfmiddlewaretoken": str(csrf)}, follow=True
    )

    assert response.redirect_chain == [("/alerts/unsubscribed/", 302)]
    assert "You have unsubscribed" in response.content.decode()
    assert not Subscription.objects.exists()


def test_a_form_post_without_a_csrf_token_is_refused():
    client = Client(enforce_csrf_checks=True)
    token = add_link(SubscriptionFactory())

    response = client.post(f"/alerts/unsubscribe/{token}/", {})

    assert response.status_code == 403
    assert Subscription.objects.exists()


def test_one_click_unsubscribe_from_a_mail_program_needs_no_cookie_or_csrf_token():
    # What a mail program sends (RFC 8058): a POST with this body and nothing else.
    client = Client(enforce_csrf_checks=True)
    token = add_link(SubscriptionFactory())

    response = client.post(f"/alerts/unsubscribe/{token}/", ONE_CLICK)

    assert response.status_code == 200
    assert "You have unsubscribed" in response.content.decode()
    assert not Subscription.objects.exists()


def test_one_click_with_the_link_from_an_alert_email(client):
    event = EventFactory()
    SubscriptionFactory(email="sam@example.com")
    services.send_event_alerts(services.start_event_alert_run(event))
    email = OutgoingEmail.objects.get(kind="event_alert")
    url = email.headers["List-Unsubscribe"].strip("<>").removeprefix("https://events.example.org")

    response = Client(enforce_csrf_checks=True).post(url, ONE_CLICK)

    assert response.status_code == 200
    assert not Subscription.objects.exists()


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1],
        lambda token: token[:10],
        lambda token: token + "x",
        lambda token: token.upper(),
        lambda token: "x" * 5000,
        lambda token: "%00",
    ],
)
@pytest.mark.parametrize("path", ["confirm", "manage", "unsubscribe"])
def test_tampered_or_truncated_links_are_a_404_page(client, tamper, path):
    token = add_link(SubscriptionFactory())
    url = f"/alerts/{path}/{tamper(token)}/"

    response = client.get(url)
    posted = client.post(url, ONE_CLICK)

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert posted.status_code == 404
    assert Subscription.objects.get().is_confirmed


def test_a_link_of_an_unsubscribed_subscription_is_a_404(client):
    token = add_link(SubscriptionFactory())
    client.post(f"/alerts/unsubscribe/{token}/", ONE_CLICK)

    response = client.get(f"/alerts/manage/{token}/")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_unsubscribing_leaves_no_address_in_the_session_or_its_row(client):
    token = confirm_token(client, email="leaving@example.com")
    assert client.session.get("alerts_email") == "leaving@example.com"

    client.post(f"/alerts/unsubscribe/{token}/")

    assert "alerts_email" not in client.session
    assert not any(
        "leaving@example.com" in str(session.get_decoded()) for session in Session.objects.all()
    )
    assert "leaving@example.com" not in client.get("/alerts/check-your-email/").content.decode()
