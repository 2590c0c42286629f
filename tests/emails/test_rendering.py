"""Every kind of email renders from its three templates, names the force,
gives times in UK time, and never lets what a candidate typed become markup."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from emails.rendering import render_email
from events.models import Event, RegistrationStatus
from tests.factories import RegistrationFactory

pytestmark = pytest.mark.django_db
KINDS = [
    "registration_confirmed",
    "waiting_list_joined",
    "promoted_from_waiting_list",
    "registration_cancelled",
    "registration_link_resent",
    "reminder",
    "event_changed",
    "event_cancelled",
]


@pytest.fixture
def context():
    registration = RegistrationFactory(first_name="O'Brien")
    event = registration.event
    event.title = "<script>alert(1)</script> evening"
    # 7pm in summer: 18:00 UTC, shown as 7pm UK time.
    event.starts_at = datetime(2026, 7, 14, 18, 0, tzinfo=ZoneInfo("UTC"))
    event.ends_at = event.starts_at + timedelta(hours=2)
    day = timedelta(days=1)
    before = Event(starts_at=event.starts_at - day, ends_at=event.ends_at - day)
    return {
        "registration": registration,
        "event": event,
        "position": 1,
        "manage_url": "https://events.example.org/registration/secret-token/",
        "before": before,
        "time_changed": True,
        "place_changed": False,
    }


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_renders_with_the_force_uk_time_and_escaped_input(kind, context):
    subject, text, html = render_email(kind, context)

    assert subject
    assert "\n" not in subject
    assert "Hertfordshire Constabulary" in text
    assert "Hertfordshire Constabulary" in html
    assert "Tuesday 14 July 2026, 7pm to 9pm (UK time)" in text
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "Dear O'Brien," in text
    assert "Dear O&#x27;Brien," in html
    assert '<html lang="en-GB">' in html


@pytest.mark.parametrize("kind", KINDS)
def test_a_stored_name_that_is_not_one_is_never_quoted(kind, context):
    # A row saved before names were checked, or by a path that skipped it.
    context[
        "registration"
    ].first_name = "Jo, your place is at risk: confirm at https://evil.example/verify"

    _subject, text, html = render_email(kind, context)

    assert text.startswith("Hello,")
    assert "<p>Hello,</p>" in html
    assert "evil.example" not in text + html


@pytest.mark.parametrize("kind", ["reminder", "event_changed"])
def test_reminders_and_changes_carry_the_manage_link(kind, context):
    _, text, html = render_email(kind, context)

    assert "https://events.example.org/registration/secret-token/" in text
    assert 'href="https://events.example.org/registration/secret-token/"' in html


def test_a_change_tells_someone_waiting_that_they_are_still_waiting(context):
    context["registration"].status = RegistrationStatus.WAITING

    _, text, _ = render_email("event_changed", context)

    assert "You are still on the waiting list" in text
    assert "calendar invite is attached" not in text
    assert "Monday 13 July 2026, 7pm to 9pm (UK time)" in text
