"""What staff do through the services: duplicate, publish, email the people
registered, register by phone, check in and add walk-ins."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from emails.models import OutgoingEmail
from events import services
from events.models import Event, EventStatus, Registration, RegistrationSource, RegistrationStatus
from tests.factories import EventFactory, RegistrationFactory, role

pytestmark = pytest.mark.django_db


def tonight(**fields):
    """An event that started ten minutes ago: the door is open."""
    start = timezone.now() - timedelta(minutes=10)
    return EventFactory(starts_at=start, ends_at=start + timedelta(hours=2), **fields)


# Duplicate and publish --------------------------------------------------------


def test_duplicating_copies_everything_but_registrations_as_a_draft():
    event = EventFactory(
        title="Insight evening",
        capacity=79,
        reminder_hours=[24],
        registration_closes_at=timezone.now() + timedelta(days=13),
        roles=[role("pcso")],
    )
    RegistrationFactory(event=event)
    new_start = event.starts_at + timedelta(days=28)

    copy = services.duplicate_event(
        event, starts_at=new_start, ends_at=new_start + timedelta(hours=2)
    ).copy

    assert copy.pk != event.pk
    assert copy.status == EventStatus.DRAFT
    assert copy.slug != event.slug
    assert (copy.title, copy.capacity, copy.reminder_hours) == ("Insight evening", 79, [24])
    assert (copy.venue_name, copy.address) == (event.venue_name, event.address)
    assert list(copy.roles.all()) == [role("pcso")]
    assert copy.registration_closes_at == event.registration_closes_at + timedelta(days=28)
    assert copy.registrations.count() == 0
    assert OutgoingEmail.objects.count() == 0


def test_duplicating_twice_to_the_same_day_gives_each_its_own_slug():
    event = EventFactory()
    start = event.starts_at + timedelta(days=7)
    later = start + timedelta(hours=3)

    first = services.duplicate_event(event, starts_at=start, ends_at=start + timedelta(hours=1))
    second = services.duplicate_event(event, starts_at=later, ends_at=later + timedelta(hours=1))

    assert (first.created, second.created) == (True, True)
    assert first.copy.slug != second.copy.slug


def test_duplicating_twice_to_the_same_start_and_title_makes_one_copy():
    event = EventFactory(title="Insight evening")
    start = event.starts_at + timedelta(days=7)

    first = services.duplicate_event(event, starts_at=start, ends_at=start + timedelta(hours=2))
    second = services.duplicate_event(
        event, starts_at=start, ends_at=start + timedelta(hours=2), title=" Insight evening "
    )

    assert (first.created, second.created) == (True, False)
    assert second.copy == first.copy
    assert first.copy.copied_from == event
    assert Event.objects.filter(copied_from=event).count() == 1


def test_a_copy_with_another_title_or_after_a_cancelled_one_is_made():
    event = EventFactory(title="Insight evening")
    start = event.starts_at + timedelta(days=7)
    end = start + timedelta(hours=2)
    first = services.duplicate_event(event, starts_at=start, ends_at=end).copy

    women = services.duplicate_event(event, starts_at=start, ends_at=end, title="For women")
    services.cancel_event(first, message="Moved.")
    again = services.duplicate_event(event, starts_at=start, ends_at=end)

    assert (women.created, again.created) == (True, True)
    assert len({first.pk, women.copy.pk, again.copy.pk}) == 3


def test_duplicating_into_the_past_is_refused():
    event = EventFactory()
    past = timezone.now() - timedelta(days=1)

    with pytest.raises(ValidationError) as refused:
        services.duplicate_event(event, starts_at=past, ends_at=past + timedelta(hours=2))

    assert refused.value.messages == [services.DUPLICATE_IN_PAST]


def test_publishing_a_draft_makes_it_visible_and_refuses_a_second_time():
    event = EventFactory(status=EventStatus.DRAFT)

    services.publish_event(event)

    event.refresh_from_db()
    assert event.status == EventStatus.PUBLISHED
    with pytest.raises(ValidationError) as refused:
        services.publish_event(event)
    assert refused.value.messages == [services.EVENT_ALREADY_PUBLISHED]


def test_a_cancelled_event_cannot_be_published():
    event = EventFactory(status=EventStatus.CANCELLED)

    with pytest.raises(ValidationError) as refused:
        services.publish_event(event)

    assert refused.value.messages == [services.EVENT_CANCELLED_CANNOT_PUBLISH]


# Email registrants ------------------------------------------------------------


@pytest.fixture
def people(event):
    return {
        "confirmed": RegistrationFactory(event=event, first_name="Cara"),
        "attended": RegistrationFactory(event=event, checked_in_at=timezone.now()),
        "waiting": RegistrationFactory(event=event, status=RegistrationStatus.WAITING),
        "cancelled": RegistrationFactory(event=event, status=RegistrationStatus.CANCELLED),
    }


def test_a_message_to_the_waiting_list_goes_to_them_only(event, people):
    queued = services.email_registrants(
        event,
        subject="A second evening",
        message="We have added a second evening.",
        audiences=[services.MessageAudience.WAITING],
    )

    assert queued == 1
    [email] = OutgoingEmail.objects.filter(kind="staff_message")
    assert email.to == people["waiting"].email
    assert email.subject == "A second evening"
    assert "We have added a second evening." in email.body_text
    assert "/registration/" in email.body_text


def test_a_message_never_goes_to_cancelled_registrations_or_twice_to_anyone(event, people):
    everyone = [services.MessageAudience.CONFIRMED, services.MessageAudience.ATTENDED]
    everyone.append(services.MessageAudience.WAITING)

    first = services.email_registrants(
        event, subject="Parking", message="Park at the back.", audiences=everyone
    )
    again = services.email_registrants(
        event, subject="Parking", message="Park at the back.", audiences=everyone
    )

    assert first == 3
    assert again == 0
    recipients = set(OutgoingEmail.objects.values_list("to", flat=True))
    assert people["cancelled"].email not in recipients
    assert people["attended"].email in recipients


def test_a_message_to_those_who_attended_skips_no_shows(event, people):
    services.email_registrants(
        event,
        subject="Thank you for coming",
        message="Here is how to apply.",
        audiences=[services.MessageAudience.ATTENDED],
    )

    assert list(OutgoingEmail.objects.values_list("to", flat=True)) == [people["attended"].email]


def test_a_message_is_sent_through_the_outbox(event, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.email_registrants(
            event,
            subject="Bring photo ID",
            message="Please bring photo ID.\n\nThank you.",
            audiences=[services.MessageAudience.CONFIRMED],
        )

    [sent] = [message for message in mail.outbox if message.to == [people["confirmed"].email]]
    assert sent.subject == "Bring photo ID"
    assert sent.body.startswith("Dear Cara,")
    html = sent.alternatives[0][0]
    assert "<p>Please bring photo ID.</p>" in html


def test_a_message_needs_someone_to_go_to(event):
    with pytest.raises(ValidationError) as refused:
        services.email_registrants(event, subject="Hello", message="Hi", audiences=[])

    assert refused.value.messages == [services.NO_RECIPIENTS_CHOSEN]


# Register by phone --------------------------------------------------------------


def test_registering_by_phone_follows_the_same_rules_and_sends_the_same_email(event):
    outcome = services.register_by_phone(
        event,
        first_name="Dev",
        last_name="Patel",
        email="dev@example.com",
        role=role(),
        heard_from="other",
        phone="01632 960 001",
    )

    registration = outcome.registration
    assert outcome.created
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.source == RegistrationSource.PHONE
    assert OutgoingEmail.objects.filter(
        kind="registration_confirmed", to="dev@example.com"
    ).exists()


def test_registering_by_phone_for_a_closed_event_is_refused_like_online():
    soon = timezone.now() + timedelta(minutes=30)
    event = EventFactory(starts_at=soon, ends_at=soon + timedelta(hours=2))

    with pytest.raises(ValidationError) as refused:
        services.register_by_phone(
            event,
            first_name="Dev",
            last_name="Patel",
            email="dev@example.com",
            role=role(),
            heard_from="other",
        )

    assert refused.value.messages == [services.REGISTRATION_CLOSED]


# At the door --------------------------------------------------------------------


def test_checking_in_and_undoing_it():
    registration = RegistrationFactory(event=tonight())

    services.check_in(registration)
    registration.refresh_from_db()
    assert registration.checked_in_at is not None

    services.undo_check_in(registration)
    registration.refresh_from_db()
    assert registration.checked_in_at is None
    assert registration.status == RegistrationStatus.CONFIRMED


def test_checking_in_is_only_on_the_day():
    registration = RegistrationFactory()

    with pytest.raises(ValidationError) as refused:
        services.check_in(registration)

    assert refused.value.messages == [services.NOT_ON_THE_DAY]


def test_someone_waiting_who_comes_is_let_in_when_a_place_is_free():
    event = tonight(capacity=2)
    RegistrationFactory(event=event)
    waiting = RegistrationFactory(event=event, status=RegistrationStatus.WAITING)

    services.check_in(waiting)

    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.CONFIRMED
    assert waiting.checked_in_at is not None
    assert OutgoingEmail.objects.count() == 0


def test_a_walk_in_takes_a_free_place_without_an_email():
    event = tonight(capacity=2)

    walk_in = services.admit_walk_in(
        event, first_name="Ali", last_name="Khan", email="ali@example.com", role=role()
    )

    assert walk_in.status == RegistrationStatus.CONFIRMED
    assert walk_in.source == RegistrationSource.WALK_IN
    assert walk_in.checked_in_at is not None
    assert walk_in.reference
    assert OutgoingEmail.objects.count() == 0


def test_a_walk_in_when_every_place_is_booked_needs_staff_to_confirm():
    event = tonight(capacity=2)
    RegistrationFactory.create_batch(2, event=event)
    details = {"first_name": "Ali", "last_name": "Khan", "email": "ali@example.com"}

    with pytest.raises(ValidationError) as refused:
        services.admit_walk_in(event, role=role(), **details)
    walk_in = services.admit_walk_in(event, role=role(), over_booking=True, **details)

    assert refused.value.messages == [services.FULLY_BOOKED]
    assert walk_in.checked_in_at is not None


def test_nobody_is_let_in_once_as_many_are_here_as_the_room_holds():
    event = tonight(capacity=2)
    RegistrationFactory.create_batch(2, event=event, checked_in_at=timezone.now())

    with pytest.raises(ValidationError) as refused:
        services.admit_walk_in(
            event,
            first_name="Ali",
            last_name="Khan",
            email="ali@example.com",
            role=role(),
            over_booking=True,
        )

    assert refused.value.messages == [services.ROOM_FULL]


def test_a_walk_in_who_had_registered_is_checked_in_on_their_registration():
    event = tonight()
    registered = RegistrationFactory(event=event, email="ali@example.com")

    admitted = services.admit_walk_in(
        event, first_name="Ali", last_name="Khan", email="ALI@example.com", role=role()
    )

    assert admitted.pk == registered.pk
    assert admitted.checked_in_at is not None
    assert Registration.objects.filter(event=event).count() == 1
