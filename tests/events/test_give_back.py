"""Giving a place back in one tap ("I can't come: give my place to someone
else"), from the link in the confirmation and the reminders: the service,
the page, and how staff tell a release from a cancellation."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from emails.models import OutgoingEmail
from events import queries, receipt, services
from events.models import CancelReason, EventFormat, Registration, RegistrationStatus
from events.reminders import queue_due_reminders
from tests.factories import EventFactory, RegistrationFactory
from tests.outbox import as_sent
from tests.support.registration import hold_receipt, receipt_of, register

pytestmark = pytest.mark.django_db


def latest(kind, to):
    return as_sent(OutgoingEmail.objects.filter(kind=kind, to=to).latest("pk"))


def give_back_path(email):
    """The path of the one-tap link in an email, as a candidate would open it."""
    text = email.body_text
    start = text.index("https://events.example.org/registration/")
    url = text[start:].split()[0]
    assert url.endswith("/give-back/"), url
    return url.removeprefix("https://events.example.org")


@pytest.fixture
def full_event():
    """One place, taken by Ada; Ben and Cal waiting, in that order."""
    event = EventFactory(capacity=1)
    holder = register(event=event, email="ada@example.com").registration
    first = register(event=event, email="ben@example.com").registration
    second = register(event=event, email="cal@example.com").registration
    return event, holder, first, second


# The service -----------------------------------------------------------------


def test_giving_a_place_back_promotes_the_first_person_waiting_and_emails_them(full_event):
    event, holder, first, second = full_event

    outcome = services.release_place(holder)

    holder.refresh_from_db()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (holder.status, holder.cancel_reason) == ("cancelled", CancelReason.RELEASED)
    assert outcome.promoted == first
    assert outcome.had_place
    assert first.status == RegistrationStatus.CONFIRMED
    assert second.status == RegistrationStatus.WAITING
    promoted = latest("promoted_from_waiting_list", "ben@example.com")
    assert "it is now yours" in promoted.body_text
    released = latest("registration_cancelled", "ada@example.com")
    assert "You have given your place back" in released.body_text
    assert released.attachments[0]["filename"] == "cancel.ics"
    event.refresh_from_db()
    assert (event.confirmed_count, event.waiting_count) == (1, 1)


def test_the_link_is_single_use(full_event):
    _, holder, first, second = full_event
    services.release_place(holder)

    with pytest.raises(ValidationError) as refused:
        services.release_place(holder)

    assert refused.value.messages == [services.REGISTRATION_ALREADY_CANCELLED]
    second.refresh_from_db()
    assert second.status == RegistrationStatus.WAITING
    assert OutgoingEmail.objects.filter(kind="promoted_from_waiting_list").count() == 1


def test_a_waiting_list_entry_leaves_the_list_and_promotes_nobody(full_event):
    _, holder, first, second = full_event

    outcome = services.release_place(first)

    first.refresh_from_db()
    assert (first.status, first.cancel_reason) == ("cancelled", CancelReason.LEFT_WAITING_LIST)
    assert outcome.promoted is None
    assert not outcome.had_place
    assert services.waiting_position(second) == 1
    assert not OutgoingEmail.objects.filter(kind="promoted_from_waiting_list").exists()
    assert (
        "You have left the waiting list" in latest("registration_cancelled", first.email).body_text
    )


def test_refused_once_the_event_has_started(full_event):
    event, holder, first, _ = full_event

    with pytest.raises(ValidationError) as refused:
        services.release_place(holder, now=event.starts_at + timedelta(minutes=1))

    assert refused.value.messages == [services.EVENT_STARTED]
    holder.refresh_from_db()
    assert holder.status == RegistrationStatus.CONFIRMED


def test_after_registration_closes_the_place_still_goes_to_the_first_person_waiting(full_event):
    event, holder, first, _ = full_event
    after_closing = event.closes_at + timedelta(minutes=30)

    outcome = services.release_place(holder, now=after_closing)

    first.refresh_from_db()
    assert outcome.promoted == first
    assert first.status == RegistrationStatus.CONFIRMED
    state = queries.give_back_state(Registration.objects.get(pk=holder.pk), now=after_closing)
    assert (state.state, state.promoted, state.after_closing) == ("released", True, True)


def test_a_plain_cancellation_is_told_apart_from_a_release(full_event):
    _, holder, first, _ = full_event

    services.cancel_registration(holder)

    holder.refresh_from_db()
    assert holder.cancel_reason == CancelReason.CANCELLED


# The page --------------------------------------------------------------------


def test_the_reminder_and_the_confirmation_carry_the_one_tap_link(full_event):
    event, holder, _, _ = full_event

    queue_due_reminders(now=event.starts_at - timedelta(hours=1))

    for kind in ("registration_confirmed", "reminder"):
        email = latest(kind, "ada@example.com")
        assert "I can't come: give my place to someone else" in email.body_text
        assert "give my place to someone else</a>" in email.body_html
        assert give_back_path(email).startswith("/registration/")


def test_a_get_changes_nothing_and_the_post_gives_the_place_back(client, full_event):
    _, holder, first, _ = full_event
    path = give_back_path(latest("registration_confirmed", "ada@example.com"))

    page = client.get(path).content.decode()

    assert "Give your place to someone else" in page
    assert "Give my place back" in page
    holder.refresh_from_db()
    assert holder.status == RegistrationStatus.CONFIRMED

    done = client.post(path, follow=True)

    body = done.content.decode()
    assert done.redirect_chain == [(path, 302)]
    assert "You have given your place back" in body
    assert "Your place has gone to the next person on the waiting list" in body
    first.refresh_from_db()
    assert first.status == RegistrationStatus.CONFIRMED


def test_giving_the_place_back_drops_the_browsers_receipt_as_cancelling_does(client, full_event):
    _, holder, _, _ = full_event
    path = give_back_path(latest("registration_confirmed", "ada@example.com"))
    hold_receipt(client, email="ada@example.com", registration_id=holder.pk)

    response = client.post(path)

    assert receipt_of(client).email is None
    assert receipt_of(client).registration_id is None
    assert response.cookies[receipt.cookie_name()]["max-age"] == 0


def test_giving_a_place_back_keeps_the_receipt_of_another_registration(client, full_event):
    """Registered for another evening just now in this browser, then gave
    this place back from an older email: that evening's questions stay."""
    _, holder, _, _ = full_event
    path = give_back_path(latest("registration_confirmed", "ada@example.com"))
    other = RegistrationFactory(email="ada@example.com", email_key="ada@example.com")
    hold_receipt(client, email="ada@example.com", registration_id=other.pk)

    response = client.post(path)

    holder.refresh_from_db()
    assert holder.status == RegistrationStatus.CANCELLED
    assert receipt.cookie_name() not in response.cookies
    assert receipt_of(client).registration_id == other.pk


def test_pressing_again_promotes_nobody_else_and_says_it_is_done(client, full_event):
    _, _, _, second = full_event
    path = give_back_path(latest("registration_confirmed", "ada@example.com"))
    client.post(path)

    again = client.post(path, follow=True)

    assert "You have given your place back" in again.content.decode()
    second.refresh_from_db()
    assert second.status == RegistrationStatus.WAITING


def test_without_anyone_waiting_the_page_says_the_place_is_free_again(client):
    event = EventFactory(capacity=5)
    register(event=event, email="ada@example.com")
    path = give_back_path(latest("registration_confirmed", "ada@example.com"))

    body = client.post(path, follow=True).content.decode()

    assert "Nobody was on the waiting list, so your place is free again" in body


def test_for_a_waiting_list_entry_the_page_reads_leave_the_waiting_list(client, full_event):
    _, _, first, _ = full_event
    token_path = "/registration/{}/give-back/"
    token = latest("waiting_list_joined", "ben@example.com").body_text
    token = token.split("https://events.example.org/registration/")[1].split("/")[0]

    page = client.get(token_path.format(token)).content.decode()
    done = client.post(token_path.format(token), follow=True).content.decode()

    assert re.search(r"<h1[^>]*>\s*Leave the waiting list\s*</h1>", page)
    assert "Give my place back" not in page
    assert "You have left the waiting list" in done
    first.refresh_from_db()
    assert first.cancel_reason == CancelReason.LEFT_WAITING_LIST


def test_after_the_start_the_page_says_it_is_too_late_and_nothing_changes(client):
    event = EventFactory(capacity=1)
    holder = register(event=event, email="ada@example.com").registration
    path = give_back_path(latest("registration_confirmed", "ada@example.com"))
    event.starts_at = timezone.now() - timedelta(minutes=5)
    event.ends_at = timezone.now() + timedelta(hours=1)
    event.save()

    page = client.get(path).content.decode()
    client.post(path)

    assert "This event has already started" in page
    assert "Give my place back" not in page
    holder.refresh_from_db()
    assert holder.status == RegistrationStatus.CONFIRMED


def test_an_unknown_token_is_page_not_found(client):
    response = client.get("/registration/not-a-token/give-back/")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


# What staff see ----------------------------------------------------------------


def test_release_and_no_show_rates_per_event():
    past = EventFactory(
        starts_at=timezone.now() - timedelta(days=2),
        ends_at=timezone.now() - timedelta(days=2, hours=-2),
    )
    came = RegistrationFactory.create_batch(3, event=past, checked_in_at=timezone.now())
    RegistrationFactory(event=past)  # booked, never came
    RegistrationFactory(
        event=past, status=RegistrationStatus.CANCELLED, cancel_reason=CancelReason.RELEASED
    )
    RegistrationFactory(
        event=past, status=RegistrationStatus.CANCELLED, cancel_reason=CancelReason.CANCELLED
    )
    upcoming = EventFactory()
    RegistrationFactory(event=upcoming)
    quiet = EventFactory()

    rates = queries.release_and_no_show_rates([past, upcoming, quiet])

    assert len(came) == 3
    assert (rates[past.pk].booked, rates[past.pk].attended, rates[past.pk].released) == (4, 3, 1)
    assert rates[past.pk].release_rate == pytest.approx(1 / 5)
    assert rates[past.pk].no_show_rate == pytest.approx(1 / 4)
    assert rates[upcoming.pk].no_show_rate is None  # not happened yet
    assert rates[quiet.pk].release_rate is None


def test_the_rates_are_one_query(django_assert_num_queries):
    events = EventFactory.create_batch(5)
    for event in events:
        RegistrationFactory.create_batch(3, event=event)

    with django_assert_num_queries(1):
        queries.release_and_no_show_rates(events)


def test_online_events_soon_without_a_link_are_found_for_the_dashboard():
    soon = timezone.now() + timedelta(hours=30)
    missing = EventFactory(format=EventFormat.ONLINE, starts_at=soon, venue_name="", address="")
    EventFactory(
        format=EventFormat.ONLINE,
        starts_at=soon,
        online_joining_url="https://meet.example.org/abc",
    )
    EventFactory(format=EventFormat.ONLINE, starts_at=timezone.now() + timedelta(days=5))

    assert list(queries.online_events_without_link()) == [missing]
