"""Staff move an event, change its place or cancel it: everyone registered
hears about it once, with a calendar update that replaces or removes the
entry they added."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from core.templatetags.govuk_dates import event_when
from emails.models import OutgoingEmail
from events import services
from events.models import EventStatus, RegistrationStatus
from events.queries import registration_for_token
from tests.factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def move(event, *, by=timedelta(days=1), **changes):
    return services.change_event(
        event,
        starts_at=event.starts_at + by,
        ends_at=event.ends_at + by,
        venue_name=changes.get("venue_name", event.venue_name),
        address=changes.get("address", event.address),
    )


def calendar_of(message):
    [(filename, content, mimetype)] = message.attachments
    return filename, mimetype, icalendar.Calendar.from_ical(content)


def sent_to(address):
    return [message for message in mail.outbox if message.to == [address]]


@pytest.fixture
def people(event):
    # Full with one place, as an event with people waiting always is.
    event.capacity = 1
    event.save()
    return {
        "confirmed": RegistrationFactory(event=event),
        "waiting": RegistrationFactory(event=event, status=RegistrationStatus.WAITING),
        "cancelled": RegistrationFactory(event=event, status=RegistrationStatus.CANCELLED),
    }


def test_moving_an_event_emails_everyone_active_once_with_a_higher_sequence_invite(
    event, people, django_capture_on_commit_callbacks
):
    old_when = event_when(event.starts_at, event.ends_at)

    with django_capture_on_commit_callbacks(execute=True):
        moved = move(event)

    [confirmed] = sent_to(people["confirmed"].email)
    [waiting] = sent_to(people["waiting"].email)
    assert sent_to(people["cancelled"].email) == []
    assert moved.sequence == 1
    assert confirmed.subject == f"New time: {event.title} ({people['confirmed'].reference})"
    assert event_when(moved.starts_at, moved.ends_at) in confirmed.body
    assert old_when in confirmed.body
    filename, mimetype, calendar = calendar_of(confirmed)
    [entry] = calendar.walk("VEVENT")
    assert mimetype == "text/calendar; charset=utf-8; method=PUBLISH"
    assert str(entry["UID"]) == f"registration-{people['confirmed'].pk}@events.example.org"
    assert entry["SEQUENCE"] == 1
    assert entry["DTSTART"].dt == moved.starts_at.replace(microsecond=0)
    assert waiting.attachments == []
    assert "still on the waiting list" in waiting.body


def test_a_change_email_has_a_manage_link_that_opens_the_registration(
    event, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        move(
            event,
            by=timedelta(0),
            venue_name="Hatfield Police Station",
            address="Comet Way\nHatfield",
        )

    [message] = sent_to(people["confirmed"].email)
    token = re.search(r"https://events\.example\.org/registration/([\w-]+)/", message.body)[1]
    assert message.subject.startswith("New place: ")
    assert "Hatfield Police Station, Comet Way, Hatfield" in message.body
    assert "Police Headquarters, Stanborough Road" in message.body
    assert registration_for_token(token) == people["confirmed"]


def test_saving_the_same_time_and_place_sends_nothing(event, people):
    unchanged = move(event, by=timedelta(0))

    assert unchanged.sequence == 0
    assert not OutgoingEmail.objects.filter(kind="event_changed").exists()


def test_each_change_is_emailed_once(event, people):
    move(move(event))

    keys = OutgoingEmail.objects.filter(to=people["confirmed"].email).values_list(
        "dedupe_key", flat=True
    )
    assert sorted(keys) == [
        f"event_changed:{people['confirmed'].pk}:1",
        f"event_changed:{people['confirmed'].pk}:2",
    ]


def test_changing_a_draft_emails_nobody():
    draft = EventFactory(status=EventStatus.DRAFT)

    moved = move(draft)

    assert moved.sequence == 1
    assert not OutgoingEmail.objects.exists()


def test_a_change_must_end_after_it_starts(event):
    with pytest.raises(ValidationError) as refusal:
        services.change_event(
            event,
            starts_at=event.starts_at,
            ends_at=event.starts_at,
            venue_name=event.venue_name,
            address=event.address,
        )

    assert refusal.value.messages == [services.EVENT_MUST_END_AFTER_START]


def test_cancelling_an_event_emails_confirmed_and_waiting_with_a_calendar_cancel(
    event, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = services.cancel_event(event, message="The building is closed for repairs.")

    [confirmed] = sent_to(people["confirmed"].email)
    [waiting] = sent_to(people["waiting"].email)
    assert sent_to(people["cancelled"].email) == []
    assert cancelled.status == EventStatus.CANCELLED
    assert cancelled.cancelled_at is not None
    assert confirmed.subject.startswith(f"Cancelled: {event.title} on ")
    assert "The building is closed for repairs." in confirmed.body
    assert "https://events.example.org/events/" in confirmed.body
    filename, mimetype, calendar = calendar_of(confirmed)
    [entry] = calendar.walk("VEVENT")
    assert filename == "cancel.ics"
    assert calendar["METHOD"] == "CANCEL"
    assert entry["STATUS"] == "CANCELLED"
    assert entry["SEQUENCE"] > event.sequence
    assert str(entry["UID"]) == f"registration-{people['confirmed'].pk}@events.example.org"
    assert waiting.attachments == []
    people["confirmed"].refresh_from_db()
    assert people["confirmed"].status == RegistrationStatus.CONFIRMED


def test_cancelling_twice_is_refused_and_emails_once(event, people):
    services.cancel_event(event)

    with pytest.raises(ValidationError) as refusal:
        services.cancel_event(event)

    assert refusal.value.messages == [services.EVENT_ALREADY_CANCELLED]
    assert OutgoingEmail.objects.filter(kind="event_cancelled").count() == 2


def test_a_past_event_cannot_be_cancelled():
    past = EventFactory(starts_at=timezone.now() - timedelta(days=1))

    with pytest.raises(ValidationError) as refusal:
        services.cancel_event(past)

    assert refusal.value.messages == [services.EVENT_PAST]


def test_a_cancelled_event_cannot_be_moved(event):
    services.cancel_event(event)

    with pytest.raises(ValidationError) as refusal:
        move(event)

    assert refusal.value.messages == [services.EVENT_CANCELLED_CANNOT_CHANGE]


def admin_form_data(event, **changes):
    """The admin change form as staff would submit it."""

    def split(value):
        local = value.astimezone(LONDON) if value else None
        return {
            "_0": f"{local:%d/%m/%Y}" if local else "",
            "_1": f"{local:%H:%M:%S}" if local else "",
        }

    values = {
        "title": event.title,
        "slug": event.slug,
        "status": event.status,
        "summary": event.summary,
        "description": event.description,
        "roles": [role.pk for role in event.roles.all()],
        "audience": event.audience,
        "format": event.format,
        "venue_name": event.venue_name,
        "address": event.address,
        "travel_notes": event.travel_notes,
        "access_notes": event.access_notes,
        "online_joining_details": event.online_joining_details,
        "capacity": event.capacity,
        "reminder_hours": ["48", "2"],
        "cancellation_message": "",
        **changes,
    }
    for name in ["starts_at", "ends_at", "registration_opens_at", "registration_closes_at"]:
        value = values.pop(name, getattr(event, name))
        values |= {f"{name}{suffix}": text for suffix, text in split(value).items()}
    return values


def test_moving_a_published_event_in_the_admin_emails_everyone_registered(
    admin_client, event, people, django_capture_on_commit_callbacks
):
    event.starts_at = event.starts_at.replace(second=0, microsecond=0)
    event.ends_at = event.starts_at + timedelta(hours=2)
    event.save()
    new_start = event.starts_at + timedelta(days=1)
    url = reverse("admin:events_event_change", args=[event.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            url,
            admin_form_data(
                event,
                title="Insight evening (new date)",
                starts_at=new_start,
                ends_at=new_start + timedelta(hours=2),
                _confirmed="yes",  # the admin asks first: test_admin.py
            ),
        )

    event.refresh_from_db()
    assert response.status_code == 302
    assert event.title == "Insight evening (new date)"
    assert event.starts_at == new_start
    assert event.sequence == 1
    assert len(sent_to(people["confirmed"].email)) == 1
    assert len(sent_to(people["waiting"].email)) == 1


def test_editing_only_the_description_in_the_admin_emails_nobody(admin_client, event, people):
    event.starts_at = event.starts_at.replace(second=0, microsecond=0)
    event.ends_at = event.starts_at + timedelta(hours=2)
    event.save()
    url = reverse("admin:events_event_change", args=[event.pk])

    response = admin_client.post(url, admin_form_data(event, description="New words."))

    event.refresh_from_db()
    assert response.status_code == 302
    assert event.description == "New words."
    assert event.sequence == 0
    assert not OutgoingEmail.objects.exists()


def test_the_admin_cancel_action_asks_first_then_cancels_and_emails(
    admin_client, event, people, django_capture_on_commit_callbacks
):
    url = reverse("admin:events_event_changelist")
    chosen = {"action": "cancel_events", "_selected_action": [event.pk]}

    question = admin_client.post(url, chosen)
    event.refresh_from_db()
    assert question.status_code == 200
    assert "Cancelling cannot be undone" in question.content.decode()
    assert event.status == EventStatus.PUBLISHED

    with django_capture_on_commit_callbacks(execute=True):
        answer = admin_client.post(
            url, {**chosen, "post": "yes", "message": "Sorry: the hall flooded."}
        )

    event.refresh_from_db()
    assert answer.status_code == 302
    assert event.status == EventStatus.CANCELLED
    assert event.cancellation_message == "Sorry: the hall flooded."
    [message] = sent_to(people["confirmed"].email)
    assert "Sorry: the hall flooded." in message.body
