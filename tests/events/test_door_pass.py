"""The door pass: a QR code of the reference in the emails of a confirmed
place at an event in person, inline and attached, for check-in at the door."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from events import door_pass
from events.models import EventFormat, RegistrationStatus
from events.reminders import queue_due_reminders
from tests.factories import EventFactory, RegistrationFactory
from tests.support.registration import register

pytestmark = pytest.mark.django_db


def parts(message):
    """{content type: [MIME parts]} of a sent email."""
    found = {}
    for part in message.message().walk():
        found.setdefault(part.get_content_type(), []).append(part)
    return found


def test_a_confirmation_shows_the_qr_code_inline_and_attaches_it(
    django_capture_on_commit_callbacks,
):
    event = EventFactory(capacity=5)

    with django_capture_on_commit_callbacks(execute=True):
        registration = register(
            event=event, email="priya@example.org", first_name="Priya", last_name="Shah"
        ).registration

    [message] = mail.outbox
    html = message.alternatives[0][0]
    images = parts(message)["image/png"]
    assert 'src="cid:door-pass"' in html
    assert f"QR code of your reference {registration.reference}" in html
    assert f"tell us your reference: {registration.reference}" in message.body
    assert [image["Content-ID"] for image in images] == ["<door-pass>", None]
    assert images[0].get_content_disposition() == "inline"
    assert images[1].get_filename() == f"Door pass {registration.reference}.png"
    assert images[0].get_payload(decode=True) == door_pass.qr_png(registration.reference)


def test_the_qr_code_is_a_real_png_of_the_reference():
    png = door_pass.qr_png("HC-7K4M2Q")

    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert png != door_pass.qr_png("HC-7K4M2R")


@pytest.mark.parametrize(
    ("capacity", "event_format"),
    [(0, EventFormat.IN_PERSON), (1, EventFormat.ONLINE)],
    ids=["waiting-list", "online"],
)
def test_no_door_pass_without_a_place_or_without_a_door(
    django_capture_on_commit_callbacks, capacity, event_format
):
    event = EventFactory(capacity=capacity, format=event_format)

    with django_capture_on_commit_callbacks(execute=True):
        register(event=event, email="sam@example.org")

    [message] = mail.outbox
    assert "image/png" not in parts(message)
    assert "cid:door-pass" not in message.alternatives[0][0]


def test_a_reminder_carries_the_door_pass(django_capture_on_commit_callbacks):
    event = EventFactory(starts_at=timezone.now() + timedelta(hours=47))
    registration = RegistrationFactory(event=event, status=RegistrationStatus.CONFIRMED)
    RegistrationFactory._meta.model.objects.filter(pk=registration.pk).update(
        created_at=timezone.now() - timedelta(days=3)
    )

    with django_capture_on_commit_callbacks(execute=True):
        queue_due_reminders()

    [message] = mail.outbox
    assert message.subject.startswith("Reminder: ")
    assert len(parts(message)["image/png"]) == 2
    assert registration.reference in message.body
