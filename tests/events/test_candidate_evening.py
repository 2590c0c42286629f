"""The evening itself, from the registration's own page: the way into an
online event (never on a public page), the calendar, directions and whom to
ask."""

from datetime import timedelta

import pytest
import time_machine
from django.test import override_settings

from emails.models import OutgoingEmail
from events import services
from events.models import EventFormat, EventStatus, RegistrationStatus
from tests.factories import EventFactory, RegistrationFactory
from tests.outbox import as_sent
from tests.support.registration import form_data, register_url, send_registration_form

pytestmark = pytest.mark.django_db

JOIN_URL = "https://meet.example.org/insight-online-secret-7f3a"
DIAL_IN = "Dial 01632 960123, meeting ID 482 1937"


@pytest.fixture
def online_event():
    return EventFactory(
        title="Online insight evening",
        format=EventFormat.ONLINE,
        venue_name="",
        address="",
        online_joining_url=JOIN_URL,
        online_joining_details=DIAL_IN,
        capacity=1,
    )


def token_from(email):
    text = as_sent(email).body_text
    return text.split("https://events.example.org/registration/", 1)[1].split("/", 1)[0]


def assert_no_joining_details(body, where):
    assert "insight-online-secret" not in body, where
    assert "482 1937" not in body, where


def test_the_joining_link_never_appears_in_any_public_page(client, online_event):
    RegistrationFactory(event=online_event)  # full: the waiting-list page too
    slug = online_event.slug
    public = [
        "/",
        "/events/",
        "/events/?format=online",
        f"/events/{slug}/",
        f"/events/{slug}/register/",
        f"/events/{slug}/register/done/",
        "/alerts/",
        "/positive-action/",
        "/privacy/",
    ]
    for path in public:
        assert_no_joining_details(client.get(path).content.decode(), path)
    client.post(register_url(online_event), form_data(email="late@example.com"), follow=True)
    assert_no_joining_details(client.get(f"/events/{slug}/register/done/").content.decode(), "done")

    online_event.status = EventStatus.CANCELLED
    online_event.save()
    assert_no_joining_details(client.get(f"/events/{slug}/").content.decode(), "cancelled")


def test_someone_with_a_place_finds_the_link_on_their_page_and_in_the_email(client, online_event):
    send_registration_form(client, online_event, email="sam@example.com")
    email = as_sent(OutgoingEmail.objects.get(kind="registration_confirmed"))

    body = client.get(f"/registration/{token_from(email)}/").content.decode()

    assert f'href="{JOIN_URL}"' in body
    assert DIAL_IN in body
    assert "in the chat" in body
    assert JOIN_URL in email.body_text
    assert DIAL_IN in email.body_text
    assert f'href="{JOIN_URL}"' in email.body_html
    ics = email.attachments[0]["content"]
    assert f"URL:{JOIN_URL}" in ics
    assert f"LOCATION:{JOIN_URL}" in ics


def test_someone_late_still_finds_the_link_on_their_page_until_the_evening_ends(
    client, online_event
):
    send_registration_form(client, online_event, email="sam@example.com")
    token = token_from(OutgoingEmail.objects.get(kind="registration_confirmed"))
    page = f"/registration/{token}/"

    with time_machine.travel(online_event.starts_at + timedelta(minutes=10)):
        late = client.get(page).content.decode()
    with time_machine.travel(online_event.ends_at + timedelta(minutes=1)):
        over = client.get(page).content.decode()

    assert f'href="{JOIN_URL}"' in late
    assert DIAL_IN in late
    assert "calendar.ics" not in late
    assert_no_joining_details(over, "after the evening")


def test_someone_waiting_does_not_get_the_link_until_promoted(client, online_event):
    holder = RegistrationFactory(event=online_event)
    send_registration_form(client, online_event, email="wait@example.com")
    waiting_email = as_sent(OutgoingEmail.objects.get(kind="waiting_list_joined"))
    token = token_from(waiting_email)

    waiting_page = client.get(f"/registration/{token}/").content.decode()

    assert_no_joining_details(waiting_page, "waiting page")
    assert_no_joining_details(waiting_email.body_text, "waiting email")
    services.release_place(holder)
    promoted = as_sent(OutgoingEmail.objects.get(kind="promoted_from_waiting_list"))
    assert JOIN_URL in promoted.body_text
    assert JOIN_URL in client.get(f"/registration/{token}/").content.decode()


def test_the_page_of_an_in_person_place_has_calendar_links_directions_and_contact(client):
    event = EventFactory(travel_notes="Free parking on site.")
    with override_settings(CONTACT_EMAIL="join@example.org", CONTACT_PHONE="01632 960000"):
        send_registration_form(client, event)
        email = as_sent(OutgoingEmail.objects.get(kind="registration_confirmed"))
        token = token_from(email)
        body = client.get(f"/registration/{token}/").content.decode()

    assert f'href="/registration/{token}/calendar.ics"' in body
    assert "https://calendar.google.com/calendar/render?action=TEMPLATE" in body
    assert "https://outlook.live.com/calendar/0/deeplink/compose?" in body
    assert "https://www.google.com/maps/search/?api=1&amp;query=AL8+6XF" in body
    assert "Get directions to" in body
    assert "<script" not in body.split("</main>")[0].split("<main")[1]
    assert 'href="mailto:join@example.org"' in body
    assert 'href="tel:01632960000"' in body
    # The confirmation now has the notes on getting there, and the contact.
    assert "Free parking on site." in email.body_text
    assert "Questions? Email join@example.org or call 01632 960000" in email.body_text
    assert "join@example.org" in email.body_html


def test_someone_late_to_an_evening_in_person_still_finds_the_way_there(client):
    event = EventFactory(travel_notes="Free parking on site.")
    send_registration_form(client, event)
    page = f"/registration/{token_from(OutgoingEmail.objects.get())}/"

    with time_machine.travel(event.starts_at + timedelta(minutes=10)):
        late = client.get(page).content.decode()
    with time_machine.travel(event.ends_at + timedelta(minutes=1)):
        over = client.get(page).content.decode()

    assert "Get directions to" in late
    assert "Free parking on site." in late
    assert "calendar.ics" not in late
    assert "Add to Google Calendar" not in late
    assert "Get directions to" not in over
    assert "Free parking on site." not in over


def test_the_calendar_file_downloads_for_a_place_only(client, event):
    send_registration_form(client, event)
    token = token_from(OutgoingEmail.objects.get(kind="registration_confirmed"))

    response = client.get(f"/registration/{token}/calendar.ics")

    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    assert b"BEGIN:VEVENT" in response.content
    registration = event.registrations.get()
    registration.status = RegistrationStatus.WAITING
    registration.save()
    assert client.get(f"/registration/{token}/calendar.ics").status_code == 404


@override_settings(CONTACT_EMAIL="join@example.org", CONTACT_PHONE="01632 960000")
def test_every_page_footer_gives_the_team_contact(client, event):
    for path in ("/", event.get_absolute_url(), "/privacy/", "/no-such-page/"):
        body = client.get(path).content.decode()
        footer = body.split('<footer class="govuk-footer">')[1]
        assert "join@example.org" in footer, path
        assert "01632 960000" in footer, path


def test_an_event_page_speaks_of_the_chat_for_an_online_event(client, online_event):
    body = client.get(online_event.get_absolute_url()).content.decode()

    assert "ask your questions in the chat" in body
