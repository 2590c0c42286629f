"""Reminders: queued by a beat task every minute from each event's
reminder_hours (default 48 and 2 hours before), once per registration and
offset, only to confirmed places taken before the reminder's time."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.templatetags.govuk_dates import event_when
from emails.models import OutgoingEmail
from events import reminders, services
from events.models import EventFormat, Registration, RegistrationStatus
from events.queries import registration_for_token
from events.tasks import task_queue_due_reminders
from tests.factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def registered(event, *, days_ago=3, **fields):
    """A registration made `days_ago` days ago."""
    registration = RegistrationFactory(event=event, **fields)
    Registration.objects.filter(pk=registration.pk).update(
        created_at=timezone.now() - timedelta(days=days_ago)
    )
    return registration


def reminders_to(registration):
    return list(
        OutgoingEmail.objects.filter(kind="reminder", to=registration.email)
        .order_by("pk")
        .values_list("dedupe_key", flat=True)
    )


def test_a_due_reminder_is_sent_once_across_repeated_beat_runs(django_capture_on_commit_callbacks):
    event = EventFactory(starts_at=timezone.now() + timedelta(hours=47))
    registration = registered(event)

    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            task_queue_due_reminders.apply()

    assert reminders_to(registration) == [f"reminder:{registration.pk}:48h:0"]
    assert [message.to for message in mail.outbox] == [[registration.email]]
    assert mail.outbox[0].subject.startswith(f"Reminder: {event.title} on ")


def test_no_reminder_before_its_time():
    event = EventFactory(starts_at=timezone.now() + timedelta(hours=49))
    registration = registered(event)

    queued = reminders.queue_due_reminders()

    assert queued == 0
    assert reminders_to(registration) == []


def test_the_two_hour_reminder_follows_the_two_day_one():
    event = EventFactory(starts_at=timezone.now() + timedelta(days=5))
    registration = registered(event)

    reminders.queue_due_reminders(now=event.starts_at - timedelta(hours=47))
    reminders.queue_due_reminders(now=event.starts_at - timedelta(hours=3))
    reminders.queue_due_reminders(now=event.starts_at - timedelta(hours=1))

    assert reminders_to(registration) == [
        f"reminder:{registration.pk}:48h:0",
        f"reminder:{registration.pk}:2h:0",
    ]


def test_after_beat_was_down_only_the_latest_due_reminder_goes():
    event = EventFactory(starts_at=timezone.now() + timedelta(hours=1))
    registration = registered(event)

    reminders.queue_due_reminders()

    assert reminders_to(registration) == [f"reminder:{registration.pk}:2h:0"]


def test_no_reminder_to_a_registration_made_after_the_reminder_time():
    event = EventFactory(starts_at=timezone.now() + timedelta(hours=30))
    earlier = registered(event, days_ago=3)
    later = RegistrationFactory(event=event)  # made now, 18 hours after the 48-hour mark

    reminders.queue_due_reminders()
    reminders.queue_due_reminders(now=event.starts_at - timedelta(hours=1))

    assert reminders_to(earlier) == [
        f"reminder:{earlier.pk}:48h:0",
        f"reminder:{earlier.pk}:2h:0",
    ]
    assert reminders_to(later) == [f"reminder:{later.pk}:2h:0"]


def test_promoted_after_the_reminder_time_gets_no_reminder_for_it():
    event = EventFactory(starts_at=timezone.now() + timedelta(hours=30))
    promoted = registered(event, promoted_at=timezone.now() - timedelta(hours=1))

    queued = reminders.queue_due_reminders()

    assert queued == 0
    assert reminders_to(promoted) == []


def test_no_reminder_to_cancelled_registrations_or_the_waiting_list():
    event = EventFactory(starts_at=timezone.now() + timedelta(hours=47))
    confirmed = registered(event)
    cancelled = registered(event, status=RegistrationStatus.CANCELLED)
    waiting = registered(event, status=RegistrationStatus.WAITING)

    reminders.queue_due_reminders()

    assert len(reminders_to(confirmed)) == 1
    assert reminders_to(cancelled) == []
    assert reminders_to(waiting) == []


def test_no_reminder_for_a_cancelled_event():
    event = EventFactory(starts_at=timezone.now() + timedelta(hours=47))
    registration = registered(event)
    services.cancel_event(event)

    queued = reminders.queue_due_reminders()

    assert queued == 0
    assert reminders_to(registration) == []


def test_no_reminder_once_the_event_has_started():
    event = EventFactory(starts_at=timezone.now() - timedelta(minutes=5))
    registration = registered(event)

    reminders.queue_due_reminders()

    assert reminders_to(registration) == []


def test_moving_the_event_times_its_reminders_again():
    event = EventFactory(starts_at=timezone.now() + timedelta(hours=47))
    registration = registered(event)
    reminders.queue_due_reminders()
    new_start = event.starts_at + timedelta(days=7)

    moved = services.change_event(
        event,
        starts_at=new_start,
        ends_at=new_start + timedelta(hours=2),
        venue_name=event.venue_name,
        address=event.address,
    )
    reminders.queue_due_reminders()
    reminders.queue_due_reminders(now=new_start - timedelta(hours=47))

    assert moved.sequence == 1
    assert reminders_to(registration) == [
        f"reminder:{registration.pk}:48h:0",
        f"reminder:{registration.pk}:48h:1",
    ]


def test_staff_set_the_schedule_per_event_and_nonsense_in_it_is_ignored():
    event = EventFactory(
        starts_at=timezone.now() + timedelta(hours=23), reminder_hours=[24, "soon", -1, True]
    )
    registration = registered(event)

    reminders.queue_due_reminders()

    assert reminders_to(registration) == [f"reminder:{registration.pk}:24h:0"]


def test_a_reminder_has_the_details_in_uk_time_and_a_working_manage_link(
    django_capture_on_commit_callbacks,
):
    event = EventFactory(
        starts_at=timezone.now() + timedelta(hours=1),
        format=EventFormat.ONLINE,
        online_joining_details="Join on Teams: https://teams.example.com/meet/123",
    )
    registration = registered(event)

    with django_capture_on_commit_callbacks(execute=True):
        reminders.queue_due_reminders()

    [message] = mail.outbox
    html = message.alternatives[0][0]
    assert "Hertfordshire Constabulary" in message.body
    assert f"{event_when(event.starts_at, event.ends_at)} (UK time)" in message.body
    assert "https://teams.example.com/meet/123" in message.body
    assert "https://teams.example.com/meet/123" in html
    token = re.search(r"https://events\.example\.org/registration/([\w-]+)/", message.body)[1]
    assert registration_for_token(token) == registration


def test_reminders_for_many_registrations_take_no_more_queries_than_for_a_few():
    few = EventFactory(starts_at=timezone.now() + timedelta(hours=47))
    many = EventFactory(starts_at=timezone.now() + timedelta(days=10))
    for _ in range(3):
        registered(few)
    for _ in range(40):
        registered(many)

    with CaptureQueriesContext(connection) as for_few:
        assert reminders.queue_due_reminders() == 3
    with CaptureQueriesContext(connection) as for_many:
        assert reminders.queue_due_reminders(now=many.starts_at - timedelta(hours=47)) == 40

    assert len(for_many) == len(for_few)
