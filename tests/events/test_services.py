from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from emails.models import OutgoingEmail
from events import services
from events.models import EventStatus, Registration, RegistrationStatus
from tests.factories import EventFactory, RegistrationFactory
from tests.outbox import as_sent, to_be_sent
from tests.support.registration import register

pytestmark = pytest.mark.django_db


def emails_of_kind(kind):
    return [as_sent(email) for email in OutgoingEmail.objects.filter(kind=kind).order_by("pk")]


def test_register_with_places_left_confirms_and_queues_confirmation_with_invite(event):
    outcome = register(event=event)

    registration = outcome.registration
    assert outcome.created
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.reference.startswith("HC-")
    [email] = emails_of_kind("registration_confirmed")
    assert email.to == "sam@example.com"
    assert registration.reference in email.subject
    assert "https://events.example.org/registration/" in email.body_text
    assert email.attachments[0]["filename"] == "invite.ics"
    assert "BEGIN:VEVENT" in email.attachments[0]["content"]


def test_register_when_full_joins_waiting_list_in_order():
    event = EventFactory(capacity=1)
    register(event=event, email="first@example.com")

    second = register(event=event, email="second@example.com").registration
    third = register(event=event, email="third@example.com").registration

    assert second.status == RegistrationStatus.WAITING
    assert services.waiting_position(second) == 1
    assert services.waiting_position(third) == 2
    [email, _] = emails_of_kind("waiting_list_joined")
    assert "You are number 1" in email.body_text


def test_repeat_registration_returns_the_existing_one_without_a_second_row(event):
    first = register(event=event, email="Sam@Example.com").registration

    again = register(event=event, email="  sam@example.COM ")

    assert not again.created
    assert again.registration.pk == first.pk
    assert Registration.objects.count() == 1


def test_repeat_registration_soon_after_sends_no_second_email(event):
    register(event=event)

    register(event=event)

    assert to_be_sent().count() == 1
    assert OutgoingEmail.objects.count() == 2  # the same writes as a new registration


def test_repeat_registration_later_emails_a_fresh_link_once_an_hour(event):
    registration = register(event=event).registration
    # Well past the quiet period, and both resends in the same clock hour.
    later = (timezone.now() + timedelta(hours=1)).replace(minute=15, second=0)

    register(
        event=event,
        first_name="Someone",
        last_name="Else",
        email="sam@example.com",
        heard_from="other",
        now=later,
    )
    services.resend_registration_link(registration, now=later + timedelta(minutes=1))

    [email] = emails_of_kind("registration_link_resent")
    assert "already registered" in email.body_text
    assert registration.links.count() == 2
    registration.refresh_from_db()
    assert registration.first_name == "Sam"


def test_registration_after_cancelling_is_a_new_registration(event):
    first = register(event=event).registration
    services.cancel_registration(first)

    second = register(event=event)

    assert second.created
    assert second.registration.pk != first.pk


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"status": EventStatus.CANCELLED}, services.EVENT_CANCELLED),
        ({"status": EventStatus.DRAFT}, services.EVENT_NOT_PUBLISHED),
        (
            {"registration_closes_at": timezone.now() - timedelta(minutes=1)},
            services.REGISTRATION_CLOSED,
        ),
        (
            {"registration_opens_at": timezone.now() + timedelta(days=1)},
            services.REGISTRATION_NOT_OPEN,
        ),
        (
            {
                "starts_at": timezone.now() - timedelta(days=2),
                "ends_at": timezone.now() - timedelta(days=2) + timedelta(hours=2),
            },
            services.EVENT_PAST,
        ),
    ],
)
def test_register_is_refused_when_the_event_takes_no_registrations(changes, message):
    event = EventFactory(**changes)

    with pytest.raises(ValidationError) as refused:
        register(event=event)

    assert refused.value.messages == [message]
    assert not Registration.objects.exists()
    assert not OutgoingEmail.objects.exists()


def test_registration_closes_two_hours_before_the_start_by_default():
    event = EventFactory(starts_at=timezone.now() + timedelta(hours=1, minutes=59))

    with pytest.raises(ValidationError):
        register(event=event)


def test_cancelling_a_confirmed_place_promotes_the_first_person_waiting():
    event = EventFactory(capacity=1)
    confirmed = register(event=event, email="one@example.com").registration
    first_waiting = register(event=event, email="two@example.com").registration
    register(event=event, email="three@example.com")

    services.cancel_registration(confirmed)

    first_waiting.refresh_from_db()
    assert first_waiting.status == RegistrationStatus.CONFIRMED
    assert first_waiting.promoted_at is not None
    [promoted] = emails_of_kind("promoted_from_waiting_list")
    assert promoted.to == "two@example.com"
    assert promoted.attachments[0]["filename"] == "invite.ics"
    [cancelled] = emails_of_kind("registration_cancelled")
    assert cancelled.to == "one@example.com"
    assert "METHOD:CANCEL" in cancelled.attachments[0]["content"]
    assert event.registrations.filter(status=RegistrationStatus.WAITING).count() == 1


def test_no_promotion_after_registration_closes():
    event = EventFactory(capacity=1)
    confirmed = register(event=event, email="one@example.com").registration
    waiting = register(event=event, email="two@example.com").registration
    after_close = event.closes_at + timedelta(minutes=1)

    services.cancel_registration(confirmed, now=after_close)

    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.WAITING
    assert not emails_of_kind("promoted_from_waiting_list")


def test_leaving_the_waiting_list_promotes_nobody():
    event = EventFactory(capacity=1)
    register(event=event, email="one@example.com")
    waiting = register(event=event, email="two@example.com").registration
    behind = register(event=event, email="three@example.com").registration

    services.cancel_registration(waiting)

    behind.refresh_from_db()
    assert behind.status == RegistrationStatus.WAITING
    assert services.waiting_position(behind) == 1


def test_cancelling_twice_is_refused_and_sends_one_email(event):
    registration = register(event=event).registration
    services.cancel_registration(registration)

    with pytest.raises(ValidationError) as refused:
        services.cancel_registration(registration)

    assert refused.value.messages == [services.REGISTRATION_ALREADY_CANCELLED]
    assert len(emails_of_kind("registration_cancelled")) == 1


def test_a_place_at_an_event_that_has_started_cannot_be_cancelled(event):
    registration = register(event=event).registration
    registration.checked_in_at = event.starts_at
    registration.save(update_fields=["checked_in_at"])

    with pytest.raises(ValidationError) as refused:
        services.cancel_registration(registration, now=event.ends_at + timedelta(days=1))

    assert refused.value.messages == [services.TOO_LATE_TO_CANCEL]
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED
    assert not emails_of_kind("registration_cancelled")


def test_a_registration_for_a_cancelled_event_keeps_its_status(event):
    registration = register(event=event).registration
    services.cancel_event(event)

    with pytest.raises(ValidationError) as refused:
        services.cancel_registration(registration)

    assert refused.value.messages == [services.EVENT_CANCELLED_NOTHING_TO_CANCEL]
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED
    assert not emails_of_kind("registration_cancelled")


def test_raising_capacity_promotes_from_the_waiting_list():
    event = EventFactory(capacity=1)
    register(event=event, email="one@example.com")
    waiting = [register(event=event, email=f"w{n}@example.com").registration for n in range(3)]

    event.capacity = 3
    services.save_event(event)

    statuses = [Registration.objects.get(pk=r.pk).status for r in waiting]
    assert statuses == ["confirmed", "confirmed", "waiting"]


def test_update_details_changes_only_what_a_candidate_may_change(event):
    registration = register(event=event).registration

    services.update_registration_details(
        registration,
        first_name=" Siobhán ",
        last_name="Ó Súilleabháin",
        phone="",
        access_needs="A quiet room",
    )

    registration.refresh_from_db()
    assert registration.first_name == "Siobhán"
    assert registration.last_name == "Ó Súilleabháin"
    assert registration.access_needs == "A quiet room"
    assert registration.email == "sam@example.com"


def test_database_refuses_two_active_registrations_for_one_email(event):
    RegistrationFactory(event=event, email="dup@example.com")

    with pytest.raises(IntegrityError):
        RegistrationFactory(event=event, email="dup@example.com")


def test_database_allows_a_new_registration_beside_a_cancelled_one(event):
    RegistrationFactory(event=event, email="dup@example.com", status=RegistrationStatus.CANCELLED)

    RegistrationFactory(event=event, email="dup@example.com")

    assert event.registrations.count() == 2


def test_references_avoid_ambiguous_characters(event):
    references = {
        register(event=event, email=f"p{n}@example.com").registration.reference for n in range(30)
    }

    assert len(references) == 30
    for reference in references:
        code = reference.split("-")[1]
        assert len(code) == 6
        assert not set(code) & set("01ILOSUV5")


def register_then_fail(event):
    with transaction.atomic():
        register(event=event)
        raise RuntimeError("something later in the same transaction failed")


def test_a_rolled_back_registration_leaves_no_email(event):
    with pytest.raises(RuntimeError):
        register_then_fail(event)

    assert not Registration.objects.exists()
    assert not OutgoingEmail.objects.exists()


def test_a_repeat_from_the_page_that_made_the_registration_is_known_as_that_page(event):
    first = register(event=event, form_key="a" * 64)
    same_page = register(event=event, form_key="a" * 64)
    other_page = register(event=event, form_key="b" * 64)

    assert first.created
    assert (same_page.created, same_page.same_form) == (False, True)
    assert (other_page.created, other_page.same_form) == (False, False)
    assert same_page.registration.pk == first.registration.pk


def test_no_form_key_is_never_the_same_page(event):
    outcomes = [register(event=event) for _ in range(2)]

    assert [outcome.same_form for outcome in outcomes] == [False, False]
