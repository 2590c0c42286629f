import json
import re
from datetime import timedelta

import pytest
from django.contrib import messages
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import MessageEncoder
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from emails.models import OutgoingEmail
from events import receipt, services
from events.models import (
    Audience,
    Event,
    EventFormat,
    EventStatus,
    Registration,
    RegistrationStatus,
)
from tests.factories import EventFactory, RegistrationFactory, role
from tests.outbox import as_sent, to_be_sent
from tests.support.registration import form_data, receipt_of, register_url, send_registration_form

pytestmark = pytest.mark.django_db


def link_token(email):
    """The secret token from the manage link in an outbox email."""
    marker = "https://events.example.org/registration/"
    return as_sent(email).body_text.split(marker, 1)[1].split("/", 1)[0]


# The event list and page


def test_home_lists_upcoming_published_events_soonest_first(client):
    later = EventFactory(title="Later evening", starts_at=timezone.now() + timedelta(days=30))
    sooner = EventFactory(title="Sooner evening", starts_at=timezone.now() + timedelta(days=3))
    EventFactory(title="Draft evening", status=EventStatus.DRAFT)
    EventFactory(
        title="Past evening",
        starts_at=timezone.now() - timedelta(days=3),
        ends_at=timezone.now() - timedelta(days=3) + timedelta(hours=2),
    )

    body = client.get("/").content.decode()

    assert body.index(sooner.title) < body.index(later.title)
    assert "Draft evening" not in body
    assert "Past evening" not in body
    assert "2 events" in body


def test_event_cards_show_time_in_london_place_audience_and_state(client):
    # 19:00 UTC in winter is 7pm in London; in summer 18:00 UTC is 7pm.
    starts = timezone.now().replace(hour=19, minute=0, second=0, microsecond=0) + timedelta(days=10)
    EventFactory(title="Women's evening", audience=Audience.WOMEN, starts_at=starts, capacity=80)
    full = EventFactory(title="Full evening", capacity=1)
    RegistrationFactory(event=full)
    EventFactory(title="Online evening", format=EventFormat.ONLINE)
    EventFactory(title="Called off", status=EventStatus.CANCELLED)

    body = client.get("/events/").content.decode()

    assert "Women" in body
    assert "Online" in body
    assert "Full: waiting list open" in body
    assert "Cancelled" in body
    assert "80 places left" in body


def test_event_cards_count_the_places_left(client):
    few = EventFactory(title="Few left", capacity=4)
    RegistrationFactory.create_batch(3, event=few)

    body = client.get("/events/").content.decode()

    assert "1 place left" in body
    assert "1 places" not in body


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ("format=in_person", "0 events match your filters"),
        ("audience=women", "1 event matches your filters"),
        ("format=online", "2 events match your filters"),
        ("", "2 events"),
    ],
)
def test_the_count_agrees_with_its_number(client, query, count):
    EventFactory(format=EventFormat.ONLINE, audience=Audience.WOMEN)
    EventFactory(format=EventFormat.ONLINE)

    body = client.get(f"/events/?{query}").content.decode()

    assert count in " ".join(body.split())


def test_an_empty_filter_result_offers_event_alerts(client):
    EventFactory(audience=Audience.EVERYONE)

    body = client.get("/events/?audience=lgbt").content.decode()

    assert "There are no events like this coming up" in body
    assert 'href="/alerts/"' in body.split("There are no events like this")[1]


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("role=pcso", "PCSO evening", "Officer evening"),
        ("format=online", "Online evening", "Officer evening"),
        ("audience=women", "Women's evening", "Officer evening"),
    ],
)
def test_filters_narrow_the_list(client, query, shown, hidden):
    EventFactory(title="PCSO evening", roles=[role("pcso")])
    EventFactory(title="Officer evening", roles=[role("police-officer")])
    EventFactory(title="Online evening", format=EventFormat.ONLINE, roles=[role("pcso")])
    EventFactory(title="Women's evening", audience=Audience.WOMEN, roles=[role("pcso")])

    body = client.get(f"/events/?{query}").content.decode()

    assert shown.replace("'", "&#x27;") in body
    assert hidden not in body
    assert "your filters" in body


def test_month_filter_shows_only_that_month(client):
    in_month = EventFactory(title="This month", starts_at=timezone.now() + timedelta(days=40))
    EventFactory(title="Other month", starts_at=timezone.now() + timedelta(days=100))
    month = timezone.localtime(in_month.starts_at).strftime("%Y-%m")

    body = client.get(f"/events/?month={month}").content.decode()

    assert "This month" in body
    assert "Other month" not in body


def test_tampered_filters_show_an_error_not_a_500(client):
    EventFactory(title="Still listed")

    response = client.get("/events/?role=nonsense&month=2026-99&format=%00")

    assert response.status_code == 200
    assert "Still listed" in response.content.decode()
    assert "Select a valid choice" in response.content.decode()


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("events", [3, 60])
def test_event_list_runs_the_same_queries_for_3_or_60_events(
    client, django_assert_num_queries, events
):
    for event in EventFactory.create_batch(events):
        RegistrationFactory(event=event)
    full = EventFactory(capacity=1)
    RegistrationFactory.create_batch(2, event=full)

    # The role chosen, the events, their roles, the roles for the filter.
    with django_assert_num_queries(4):
        body = client.get("/events/?role=police-officer").content.decode()

    assert body.count("app-event-card__title") == events + 1
    assert "Full: waiting list open" in body


@pytest.mark.parametrize("others", [1, 20])
def test_a_full_event_page_runs_the_same_queries_for_few_or_many_other_dates(
    client, django_assert_num_queries, others
):
    full = EventFactory(capacity=1)
    RegistrationFactory(event=full)
    for other in EventFactory.create_batch(others):
        RegistrationFactory(event=other)

    # The event, its roles, the other dates.
    with django_assert_num_queries(3):
        body = client.get(full.get_absolute_url()).content.decode()

    assert body.count("places left") == min(others, 5)


def test_event_page_runs_a_fixed_number_of_queries(client):
    event = EventFactory()
    few = count_queries(client, event.get_absolute_url())

    RegistrationFactory.create_batch(60, event=event)
    many = count_queries(client, event.get_absolute_url())

    assert many == few


def test_event_page_shows_details_but_never_online_joining_details(client):
    event = EventFactory(
        format=EventFormat.ONLINE,
        online_joining_details="Teams meeting ID 999 888",
        description="Meet the response team.",
    )

    body = client.get(event.get_absolute_url()).content.decode()

    assert event.title in body
    assert "Meet the response team." in body
    assert "Teams meeting ID" not in body
    assert "Register for this event" in body


def test_event_page_shows_address_access_notes_and_places_left(client):
    event = EventFactory(capacity=10, access_notes="Step-free entrance.")
    RegistrationFactory.create_batch(3, event=event)

    body = client.get(event.get_absolute_url()).content.decode()

    assert "Stanborough Road" in body
    assert "Step-free entrance." in body
    assert "7 places left" in body


# The event page's cache (core/pages.py): a rush costs one query a visitor,
# and nothing a visitor sees is ever older than the database.


def test_a_second_visitor_gets_the_page_from_the_cache_with_one_query(client):
    event = EventFactory()
    first = client.get(event.get_absolute_url())

    with CaptureQueriesContext(connection) as queries:
        second = client.get(event.get_absolute_url())

    assert len(queries) == 1
    assert second.content == first.content


def test_a_new_registration_shows_on_the_event_page_at_once(client):
    event = EventFactory(capacity=10)
    assert "10 places left" in client.get(event.get_absolute_url()).content.decode()

    RegistrationFactory(event=event)

    assert "9 places left" in client.get(event.get_absolute_url()).content.decode()


def test_a_change_made_any_way_shows_on_the_event_page_at_once(client):
    event = EventFactory(title="Tuesday evening")
    client.get(event.get_absolute_url())

    # A queryset update does not touch updated_at.
    Event.objects.filter(pk=event.pk).update(title="Thursday evening")

    body = client.get(event.get_absolute_url()).content.decode()
    assert "Thursday evening" in body
    assert "Tuesday evening" not in body


def test_a_message_waiting_for_the_visitor_shows_on_the_event_page(client):
    event = EventFactory()
    client.get(event.get_absolute_url())
    session = client.session
    session["_messages"] = json.dumps(
        [Message(messages.SUCCESS, "Your details have been updated.")], cls=MessageEncoder
    )
    session.save()

    body = client.get(event.get_absolute_url()).content.decode()

    assert "Your details have been updated." in body
    # Shown once, as messages are: the next visit is the cached page again.
    assert (
        "Your details have been updated."
        not in client.get(event.get_absolute_url()).content.decode()
    )


def test_targeted_session_says_who_it_is_for_and_that_no_proof_is_needed(client):
    event = EventFactory(audience=Audience.WOMEN)

    body = client.get(event.get_absolute_url()).content.decode()

    assert "This session is for women" in body
    assert "not be asked to prove who you are" in body


def test_cancelled_event_says_so_and_offers_the_next_similar_event(client):
    cancelled = EventFactory(
        status=EventStatus.CANCELLED, cancellation_message="The venue flooded."
    )
    other = EventFactory(title="Another evening", starts_at=timezone.now() + timedelta(days=20))

    body = client.get(cancelled.get_absolute_url()).content.decode()

    assert "This event has been cancelled" in body
    assert "The venue flooded." in body
    assert other.get_absolute_url() in body
    assert "Register for this event" not in body


def test_draft_and_unknown_events_are_not_found(client):
    draft = EventFactory(status=EventStatus.DRAFT)

    assert client.get(draft.get_absolute_url()).status_code == 404
    response = client.get("/events/no-such-event/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@pytest.mark.parametrize(
    "page", ["/events/{}/", "/events/{}/register/", "/events/{}/register/done/"]
)
@pytest.mark.parametrize("method", ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
def test_an_unknown_event_is_not_found_whatever_the_method(client, page, method):
    """Not 405: whether a page takes the method only matters once the event is there."""
    draft = EventFactory(status=EventStatus.DRAFT)

    for slug in ("null", draft.slug):
        assert client.generic(method, page.format(slug)).status_code == 404


def test_an_event_page_refuses_a_method_it_does_not_take(client, event):
    assert client.post(event.get_absolute_url()).status_code == 405
    assert client.delete(f"/events/{event.slug}/register/").status_code == 405


# Registering


def test_register_creates_a_place_and_shows_check_your_email(client, event):
    response = client.post(register_url(event), form_data(), follow=True)

    registration = Registration.objects.get()
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.role.code == "police-officer"
    assert response.redirect_chain[-1][0] == f"/events/{event.slug}/register/done/"
    body = response.content.decode()
    assert "Check your email" in body
    assert "sam@example.com" in body
    assert OutgoingEmail.objects.filter(kind="registration_confirmed").count() == 1


def test_how_they_heard_is_optional_and_kept_blank_when_not_given(client, event):
    page = client.get(register_url(event)).content.decode()
    data = form_data()
    del data["heard_from"]

    response = client.post(register_url(event), data)

    assert "How did you hear about this event? (optional)" in page
    assert response.status_code == 302
    assert Registration.objects.get().heard_from == ""


def test_a_repeat_registration_gets_the_same_page_and_no_second_place(client, event):
    first = client.post(register_url(event), form_data(), follow=True)

    stranger = client.post(register_url(event), form_data(first_name="Someone"), follow=True)

    assert Registration.objects.count() == 1
    assert without_csrf_tokens(first) == without_csrf_tokens(stranger)


def without_csrf_tokens(response):
    # A CSRF token is masked afresh in every response; nothing else may differ.
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def test_the_answer_page_shows_the_address_from_the_receipt_not_the_database(client, event):
    answer = client.post(
        register_url(event), form_data(email="sam+events@example.com"), follow=True
    )

    assert "sam+events@example.com" in answer.content.decode()
    assert receipt_of(client).registration_id == Registration.objects.get().pk
    # Nothing about the candidate went into the session table.
    assert not Session.objects.exists()


def test_a_tampered_receipt_is_ignored(client, event):
    send_registration_form(client, event, email="sam@example.com")
    [name] = [name for name in client.cookies if name.endswith("registered")]
    value = client.cookies[name].value
    middle = len(value) // 2
    client.cookies[name] = (
        value[:middle] + ("A" if value[middle] != "A" else "B") + value[middle + 1 :]
    )

    page = client.get(f"/events/{event.slug}/register/done/").content.decode()

    assert "eve@example.com" not in page
    assert "sam@example.com" not in page
    assert receipt_of(client).registration_id is None


def test_a_double_submitted_form_makes_one_registration(client, event):
    send_registration_form(client, event)
    send_registration_form(client, event)

    assert Registration.objects.count() == 1
    assert to_be_sent().count() == 1


def test_registering_for_a_full_event_joins_the_waiting_list(client):
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event)

    form = client.get(register_url(event)).content.decode()
    send_registration_form(client, event)

    assert "Join the waiting list" in form
    assert Registration.objects.get(email="sam@example.com").status == RegistrationStatus.WAITING


def test_empty_post_shows_every_required_error_in_the_summary_and_at_the_field(client, event):
    response = client.post(register_url(event), {})

    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    for message in (
        "Enter your first name",
        "Enter your last name",
        "Enter your email address",
        "Select the role you are most interested in",
        "Confirm that you have read the privacy notice",
    ):
        assert body.count(message) == 2, message
    assert "Select how you heard about this event" not in body
    title = " ".join(body.split("<title>")[1].split("</title>")[0].split())
    assert title.startswith(f"Error: Register for {event.title}")
    assert not Registration.objects.exists()


def test_very_long_names_are_refused_with_a_message_and_nothing_typed_is_lost(client, event):
    long_name = "A" * 5000

    response = client.post(
        register_url(event), form_data(first_name=long_name, access_needs="Hearing loop")
    )

    body = response.content.decode()
    assert "First name must be 100 characters or fewer" in body
    assert "Hearing loop" in body
    assert 'value="sam@example.com"' in body
    assert not Registration.objects.exists()


@pytest.mark.parametrize(
    ("email", "error"),
    [
        ("not-an-email", "Enter an email address in the correct format"),
        ("sam@", "Enter an email address in the correct format"),
        ("a" * 250 + "@example.com", "Email address must be 254 characters or fewer"),
    ],
)
def test_invalid_emails_are_refused_at_the_field(client, event, email, error):
    response = send_registration_form(client, event, email=email)

    assert error in response.content.decode()
    assert not Registration.objects.exists()


@pytest.mark.parametrize(
    ("first_name", "last_name", "email"),
    [
        ("Siobhán", "Ó Súilleabháin", "siobhan+events@example.com"),
        ("Thị Mai", "Nguyễn", "mai.nguyen@example.co.uk"),
        ("芳", "王", "wang.fang@example.com"),
        ("Jean-Luc", "d’Arcy", "jl@example.com"),
        ("Siobhan", "O'Brien", "sob@example.com"),
    ],
)
def test_unicode_names_and_plus_addresses_are_kept_exactly(
    client, event, first_name, last_name, email
):
    client.post(
        register_url(event), form_data(first_name=first_name, last_name=last_name, email=email)
    )

    registration = Registration.objects.get()
    assert (registration.first_name, registration.last_name) == (first_name, last_name)
    assert registration.email == email
    [confirmation] = map(as_sent, OutgoingEmail.objects.all())
    assert first_name in confirmation.body_text
    assert first_name in confirmation.body_html


INSTRUCTION = "Jo, your place is at risk: confirm at https://evil.example/verify"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("first_name", INSTRUCTION, "Enter your first name using letters, spaces, hyphens"),
        ("first_name", "jo@example.com", "Enter your first name using letters, spaces, hyphens"),
        ("last_name", "12345", "Enter your last name using letters, spaces, hyphens"),
        ("last_name", "<script>alert(1)</script>", "Enter your last name using letters"),
    ],
)
def test_a_name_that_is_not_one_is_refused_at_the_field_and_kept(
    client, event, field, value, message
):
    response = client.post(
        register_url(event), form_data(**{field: value}, access_needs="Hearing loop")
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert body.count(message) == 2  # the error summary and the field
    assert f'href="#id_{field}"' in body
    assert "Hearing loop" in body
    assert not Registration.objects.exists()
    assert not OutgoingEmail.objects.exists()


def test_markup_stored_as_a_name_is_escaped_on_pages_and_never_quoted_in_email(client, event):
    send_registration_form(client, event)
    token = link_token(OutgoingEmail.objects.get())
    # As a row written before names were checked would hold it.
    Registration.objects.update(first_name="<script>alert(1)</script>")
    registration = Registration.objects.get()

    services.resend_registration_link(registration, now=timezone.now() + timedelta(hours=1))

    email = as_sent(OutgoingEmail.objects.get(kind="registration_link_resent"))
    page = client.get(f"/registration/{token}/").content.decode()
    assert "<script>alert(1)</script>" not in email.body_html + email.body_text
    assert email.body_text.startswith("Hello,")
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_forged_role_and_phone_are_refused(client, event):
    response = send_registration_form(client, event, role="chief-constable", phone="call me")

    body = response.content.decode()
    assert "Select the role you are most interested in" in body
    assert "Enter a phone number" in body
    assert not Registration.objects.exists()


def test_a_role_the_event_is_not_for_is_refused(client):
    event = EventFactory(roles=[role("pcso")])

    response = send_registration_form(client, event, role="police-officer")

    assert "Select the role you are most interested in" in response.content.decode()
    assert not Registration.objects.exists()


def test_closed_event_refuses_with_a_clear_page(client):
    event = EventFactory(registration_closes_at=timezone.now() - timedelta(minutes=5))

    page = client.get(register_url(event)).content.decode()
    response = send_registration_form(client, event)

    assert "Registration for this event has closed." in page
    assert "Registration for this event has closed." in response.content.decode()
    assert not Registration.objects.exists()


# The secret link


def registered(client, event, **overrides):
    send_registration_form(client, event, **overrides)
    email = OutgoingEmail.objects.filter(kind="registration_confirmed").latest("pk")
    return Registration.objects.latest("pk"), link_token(email)


def test_the_link_shows_the_reference_status_and_event(client, event):
    registration, token = registered(client, event)

    body = client.get(f"/registration/{token}/").content.decode()

    assert registration.reference in body
    assert "You have a place" in body
    assert event.title in body


def test_waiting_list_link_shows_the_position(client):
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event)
    send_registration_form(client, event)
    token = link_token(OutgoingEmail.objects.get(kind="waiting_list_joined"))

    body = client.get(f"/registration/{token}/").content.decode()

    assert "You are number 1 on the waiting list" in body


def test_someone_waiting_is_offered_to_leave_the_waiting_list_not_to_cancel(client):
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event)
    send_registration_form(client, event)
    token = link_token(OutgoingEmail.objects.get(kind="waiting_list_joined"))

    manage = client.get(f"/registration/{token}/").content.decode()
    confirm = client.get(f"/registration/{token}/cancel/").content.decode()
    done = client.post(f"/registration/{token}/cancel/", follow=True).content.decode()

    assert "Leave the waiting list" in manage
    assert "Cancel my registration" not in manage
    assert "Are you sure you want to leave the waiting list?" in confirm
    assert "Yes, leave the waiting list" in confirm
    assert "cancel my registration" not in confirm
    assert "You have left the waiting list." in done
    assert Registration.objects.filter(status=RegistrationStatus.CANCELLED).count() == 1


def test_online_joining_details_appear_for_confirmed_registrants(client):
    event = EventFactory(
        format=EventFormat.ONLINE, online_joining_details="Teams meeting ID 999 888"
    )
    _, token = registered(client, event)

    body = client.get(f"/registration/{token}/").content.decode()

    assert "Teams meeting ID 999 888" in body


def test_change_details_through_the_link(client, event):
    registration, token = registered(client, event)

    response = client.post(
        f"/registration/{token}/",
        {
            "first_name": "Samira",
            "last_name": "Okafor",
            "phone": "07700 900982",
            "access_needs": "",
        },
        follow=True,
    )

    registration.refresh_from_db()
    assert registration.first_name == "Samira"
    assert registration.phone == "07700 900982"
    assert "Your details have been updated" in response.content.decode()


def test_change_details_with_bad_input_keeps_the_old_details(client, event):
    registration, token = registered(client, event)

    response = client.post(f"/registration/{token}/", {"first_name": "", "last_name": "X" * 500})

    body = response.content.decode()
    assert "Enter your first name" in body
    assert "Last name must be 100 characters or fewer" in body
    registration.refresh_from_db()
    assert registration.first_name == "Sam"


def test_opening_the_cancel_link_changes_nothing(client, event):
    registration, token = registered(client, event)

    body = client.get(f"/registration/{token}/cancel/").content.decode()

    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED
    assert "Are you sure you want to cancel?" in body


def test_cancel_by_post_cancels_and_says_so(client, event):
    registration, token = registered(client, event)

    response = client.post(f"/registration/{token}/cancel/", follow=True)

    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED
    assert "Your registration has been cancelled" in response.content.decode()
    assert OutgoingEmail.objects.filter(kind="registration_cancelled").count() == 1


def test_cancelling_again_says_it_is_already_cancelled(client, event):
    _, token = registered(client, event)
    client.post(f"/registration/{token}/cancel/")

    response = client.post(f"/registration/{token}/cancel/", follow=True)

    assert services.REGISTRATION_ALREADY_CANCELLED in response.content.decode()
    assert OutgoingEmail.objects.filter(kind="registration_cancelled").count() == 1


def test_after_the_event_the_link_offers_no_cancelling_and_a_forged_post_changes_nothing(
    client, event
):
    registration, token = registered(client, event)
    Registration.objects.filter(pk=registration.pk).update(checked_in_at=event.starts_at)
    Event.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - timedelta(days=2),
        ends_at=timezone.now() - timedelta(days=2) + timedelta(hours=2),
    )

    page = client.get(f"/registration/{token}/").content.decode()
    confirm = client.get(f"/registration/{token}/cancel/").content.decode()
    response = client.post(f"/registration/{token}/cancel/", follow=True)

    assert "Cancel my registration" not in page
    assert "give my place to someone else" not in page
    assert "Are you sure" not in confirm
    assert "too late to cancel" in confirm
    assert "has ended" in confirm
    assert "cancel and register again" not in page
    assert services.TOO_LATE_TO_CANCEL in response.content.decode()
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.checked_in_at is not None
    assert not OutgoingEmail.objects.filter(kind="registration_cancelled").exists()


def test_after_the_event_is_cancelled_the_link_says_so_and_a_forged_cancel_changes_nothing(
    client, event
):
    registration, token = registered(client, event)
    services.cancel_event(event, message="The venue is closed.")

    confirm = client.get(f"/registration/{token}/cancel/").content.decode()
    response = client.post(f"/registration/{token}/cancel/", follow=True)

    assert "This event has been cancelled" in confirm
    assert "Are you sure" not in confirm
    assert 'href="/events/"' in confirm
    assert services.EVENT_CANCELLED_NOTHING_TO_CANCEL in response.content.decode()
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED
    assert not OutgoingEmail.objects.filter(kind="registration_cancelled").exists()


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
def test_tampered_or_truncated_links_are_a_404_page(client, event, tamper):
    _, token = registered(client, event)

    response = client.get(f"/registration/{tamper(token)}/")
    cancel = client.post(f"/registration/{tamper(token)}/cancel/")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert cancel.status_code == 404
    assert Registration.objects.get().status == RegistrationStatus.CONFIRMED


def test_a_refused_cancel_keeps_the_browsers_receipt(client, event):
    registration, token = registered(client, event)
    Event.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - timedelta(minutes=10),
        ends_at=timezone.now() + timedelta(hours=2),
    )

    confirm = client.get(f"/registration/{token}/cancel/").content.decode()
    response = client.post(f"/registration/{token}/cancel/")

    assert "you do not need to do anything" in confirm
    assert receipt.cookie_name() not in response.cookies
    assert receipt_of(client).registration_id == registration.pk


def test_tokens_are_stored_only_as_hashes(client, event):
    registration, token = registered(client, event)

    link = registration.links.get()
    assert token not in link.token_hash
    assert len(token) >= 43


def test_cancelling_drops_the_browsers_receipt_of_the_address_and_registration(client, event):
    registration, token = registered(client, event)
    assert receipt_of(client).registration_id == registration.pk

    response = client.post(f"/registration/{token}/cancel/")

    assert receipt_of(client).email is None
    assert receipt_of(client).registration_id is None
    assert response.cookies[receipt.cookie_name()]["max-age"] == 0


# A full event is not a dead end


def test_a_full_event_lists_other_open_dates_for_the_same_roles_and_audience(client):
    officers = [role("police-officer")]
    now = timezone.now()
    full = EventFactory(title="Full evening", audience=Audience.WOMEN, roles=officers, capacity=1)
    RegistrationFactory(event=full)
    later = EventFactory(
        title="Later evening", audience=Audience.WOMEN, starts_at=now + timedelta(days=40)
    )
    sooner = EventFactory(
        title="Sooner evening",
        audience=Audience.WOMEN,
        format=EventFormat.ONLINE,
        roles=[*officers, role("pcso")],
        starts_at=now + timedelta(days=20),
    )
    also_full = EventFactory(title="Also full", audience=Audience.WOMEN, capacity=1)
    RegistrationFactory(event=also_full)
    not_yet = now + timedelta(days=3)
    hidden = [
        also_full,
        EventFactory(title="For everyone", roles=officers),
        EventFactory(title="PCSOs only", audience=Audience.WOMEN, roles=[role("pcso")]),
        EventFactory(title="Not open yet", audience=Audience.WOMEN, registration_opens_at=not_yet),
        EventFactory(title="Closed", audience=Audience.WOMEN, registration_closes_at=now),
        EventFactory(title="Draft", audience=Audience.WOMEN, status=EventStatus.DRAFT),
        EventFactory(title="Off", audience=Audience.WOMEN, status=EventStatus.CANCELLED),
    ]

    body = client.get(full.get_absolute_url()).content.decode()

    section = body.split("Other dates with places", 1)[1]
    assert section.index(sooner.get_absolute_url()) < section.index(later.get_absolute_url())
    assert "online" in section.split(later.title)[0]
    for other in hidden:
        assert other.get_absolute_url() not in body, other.title
    assert 'href="/alerts/"' in section


def test_a_full_event_with_no_other_date_still_offers_alerts(client):
    full = EventFactory(capacity=1)
    RegistrationFactory(event=full)

    body = client.get(full.get_absolute_url()).content.decode()

    assert "There are no other dates for this event with places" in body
    assert 'href="/alerts/"' in body
    assert "Join the waiting list" in body


def test_an_open_event_lists_no_other_dates(client):
    event = EventFactory()
    EventFactory()

    body = client.get(event.get_absolute_url()).content.decode()

    assert "Other dates with places" not in body


def test_the_waiting_list_email_lists_the_other_dates(client):
    full = EventFactory(title="Full evening", capacity=1)
    RegistrationFactory(event=full)
    other = EventFactory(title="Another date", starts_at=timezone.now() + timedelta(days=30))

    send_registration_form(client, full)

    email = as_sent(OutgoingEmail.objects.get(kind="waiting_list_joined"))
    link = f"https://events.example.org{other.get_absolute_url()}"
    assert "also runs on another date" in email.body_text
    assert "- Another date: " in email.body_text
    assert link in email.body_text
    assert f'href="{link}"' in email.body_html
    assert "keep your place on this waiting list" in email.body_text
