"""The event actions, end to end through the admin: each asks first, saying
what will happen to how many people, then writes the rows and queues the
emails."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from alerts.models import Subscription
from emails.models import EmailStatus, OutgoingEmail
from events.models import Event, EventStatus, Registration, RegistrationStatus
from staff.views import ALREADY_MADE_ONE
from tests.factories import (
    EventFactory,
    OutgoingEmailFactory,
    RegistrationFactory,
    SubscriptionFactory,
)

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:events_event_changelist")


def action(name, *events, **extra):
    return {"action": name, "_selected_action": [event.pk for event in events], **extra}


@pytest.fixture
def full_event(db):
    event = EventFactory(title="Tuesday at headquarters", capacity=2)
    RegistrationFactory.create_batch(2, event=event)
    RegistrationFactory.create_batch(3, event=event, status=RegistrationStatus.WAITING)
    RegistrationFactory(event=event, status=RegistrationStatus.CANCELLED)
    return event


# Publish ----------------------------------------------------------------------


def test_publish_asks_first_then_publishes(wd_client):
    draft = EventFactory(status=EventStatus.DRAFT, title="New evening")

    question = wd_client.post(CHANGELIST, action("publish_events", draft))
    draft.refresh_from_db()
    status_before = draft.status
    answer = wd_client.post(CHANGELIST, action("publish_events", draft, post="yes"), follow=True)

    assert "Yes, publish 1 event" in question.content.decode()
    assert status_before == EventStatus.DRAFT
    draft.refresh_from_db()
    assert draft.status == EventStatus.PUBLISHED
    assert "New evening is published" in answer.content.decode()


def test_the_publish_button_on_an_event_opens_the_same_question(wd_client):
    draft = EventFactory(status=EventStatus.DRAFT)

    page = wd_client.get(reverse("admin:events_event_publish", args=[draft.pk])).content.decode()

    assert 'name="action" value="publish_events"' in page
    assert f'value="{draft.pk}"' in page


# Cancel -----------------------------------------------------------------------


def test_cancel_says_how_many_people_are_emailed_and_offers_another_date(wd_client, full_event):
    other = EventFactory(title="Second date")

    page = wd_client.post(CHANGELIST, action("cancel_events", full_event)).content.decode()

    assert "5 people will be emailed" in page
    assert "Everyone confirmed (2) or on the waiting list (3)" in page
    assert "Second date" in page
    assert f'<option value="{other.pk}">' in page


def test_cancelling_emails_everyone_active_with_the_message_and_the_other_date(
    wd_client, full_event
):
    other = EventFactory(title="Second date", slug="second-date")

    wd_client.post(
        CHANGELIST,
        action(
            "cancel_events",
            full_event,
            post="yes",
            message="The hall is needed.",
            other_event=str(other.pk),
        ),
    )

    full_event.refresh_from_db()
    assert full_event.status == EventStatus.CANCELLED
    assert "The hall is needed." in full_event.cancellation_message
    assert "https://events.example.org/events/second-date/" in full_event.cancellation_message
    emails = OutgoingEmail.objects.filter(kind="event_cancelled")
    assert emails.count() == 5
    assert "Second date" in emails.first().body_text


@pytest.mark.parametrize("other_event", ["\u00b2", "1\u00b9"])
def test_a_tampered_other_date_cancels_without_offering_one(wd_client, full_event, other_event):
    """The other date's id is checked with str.isdigit(), which takes "²"."""
    response = wd_client.post(
        CHANGELIST,
        action("cancel_events", full_event, post="yes", message="Sorry.", other_event=other_event),
    )

    full_event.refresh_from_db()
    assert response.status_code == 302
    assert full_event.status == EventStatus.CANCELLED
    assert full_event.cancellation_message == "Sorry."


def test_a_message_with_a_nul_character_cancels_with_the_rest_of_it(wd_client, full_event):
    """The message box is not a Django form field, whose validator refuses
    a NUL: PostgreSQL refused it instead, with a 500, and nobody was told."""
    response = wd_client.post(
        CHANGELIST,
        action("cancel_events", full_event, post="yes", message="The hall\x00 is needed."),
    )

    full_event.refresh_from_db()
    assert response.status_code == 302
    assert full_event.status == EventStatus.CANCELLED
    assert full_event.cancellation_message == "The hall is needed."
    assert OutgoingEmail.objects.filter(kind="event_cancelled").count() == 5


# Duplicate --------------------------------------------------------------------


def test_the_duplicate_action_opens_the_duplicate_page_for_one_event(wd_client, full_event):
    response = wd_client.post(CHANGELIST, action("duplicate_event", full_event))
    two = wd_client.post(
        CHANGELIST, action("duplicate_event", full_event, EventFactory()), follow=True
    )

    assert response.status_code == 302
    assert response.url == reverse("admin:events_event_duplicate", args=[full_event.pk])
    assert "Select exactly one event" in two.content.decode()


def test_duplicating_asks_for_the_new_date_and_makes_a_draft_copy(wd_client, full_event):
    url = reverse("admin:events_event_duplicate", args=[full_event.pk])
    new_day = (timezone.localtime(full_event.starts_at) + timedelta(days=28)).date()

    page = wd_client.get(url).content.decode()
    response = wd_client.post(
        url,
        {
            "title": "Tuesday at headquarters: second date",
            "day": new_day.isoformat(),
            "start": "19:00",
            "end": "21:00",
        },
    )

    assert "3 people are on this event’s waiting list" in page
    assert "Registrations are not copied and nobody is emailed" in page
    copy = Event.objects.get(title="Tuesday at headquarters: second date")
    assert response.url == reverse("admin:events_event_change", args=[copy.pk])
    assert copy.status == EventStatus.DRAFT
    assert copy.registrations.count() == 0
    assert timezone.localtime(copy.starts_at).hour == 19
    assert timezone.localtime(copy.starts_at).date() == new_day
    assert OutgoingEmail.objects.count() == 0


def test_duplicate_sent_twice_makes_one_copy_and_says_so(wd_client, full_event):
    url = reverse("admin:events_event_duplicate", args=[full_event.pk])
    new_day = (timezone.localtime(full_event.starts_at) + timedelta(days=28)).date()
    form = {"title": "Second date", "day": new_day.isoformat(), "start": "19:00", "end": "21:00"}

    first = wd_client.post(url, form, follow=True)
    again = wd_client.post(url, form, follow=True)

    copy = Event.objects.get(title="Second date")
    assert Event.objects.filter(copied_from=full_event).count() == 1
    assert first.redirect_chain == again.redirect_chain
    assert again.redirect_chain[-1][0] == reverse("admin:events_event_change", args=[copy.pk])
    page = again.content.decode()
    assert ALREADY_MADE_ONE in page
    assert "is a draft copy" not in page


def test_duplicating_into_the_past_shows_an_error_at_the_date(wd_client, full_event):
    url = reverse("admin:events_event_duplicate", args=[full_event.pk])
    yesterday = (timezone.localtime() - timedelta(days=1)).date()

    response = wd_client.post(
        url, {"title": "Again", "day": yesterday.isoformat(), "start": "19:00", "end": "21:00"}
    )

    assert response.status_code == 200
    assert "The new date must be in the future." in response.content.decode()
    assert not Event.objects.filter(title="Again").exists()


# Email registrants ------------------------------------------------------------


def test_emailing_registrants_previews_then_sends_to_the_chosen_people(wd_client, full_event):
    url = reverse("admin:events_event_email", args=[full_event.pk])
    form = {
        "audiences": ["waiting"],
        "subject": "A second evening",
        "message": "We have added a second evening.",
    }

    page = wd_client.get(url).content.decode()
    preview = wd_client.post(url, {**form, "preview": "Preview"}).content.decode()
    nothing_yet = OutgoingEmail.objects.count()
    sent = wd_client.post(url, {**form, "send": "Send"})

    assert "Everyone on the waiting list (3)" in page
    assert "This goes to 3 people" in preview
    assert "We have added a second evening." in preview
    assert "Send to 3 people" in preview
    assert nothing_yet == 0
    assert sent.status_code == 302
    emails = OutgoingEmail.objects.filter(kind="staff_message")
    assert emails.count() == 3
    waiting = set(full_event.registrations.filter(status="waiting").values_list("email", flat=True))
    assert set(emails.values_list("to", flat=True)) == waiting


def test_sending_the_same_message_twice_emails_nobody_twice(wd_client, full_event):
    url = reverse("admin:events_event_email", args=[full_event.pk])
    form = {"audiences": ["confirmed", "waiting"], "subject": "Hi", "message": "Hello", "send": "1"}

    wd_client.post(url, form)
    wd_client.post(url, form)

    assert OutgoingEmail.objects.filter(kind="staff_message").count() == 5


def test_emailing_needs_a_subject_a_message_and_someone_to_send_to(wd_client, full_event):
    url = reverse("admin:events_event_email", args=[full_event.pk])

    page = wd_client.post(url, {"preview": "Preview"}).content.decode()

    assert "Choose who to email" in page
    assert "This field is required." in page
    assert OutgoingEmail.objects.count() == 0


def test_the_email_action_opens_the_email_page(wd_client, full_event):
    response = wd_client.post(CHANGELIST, action("email_registrants", full_event))

    assert response.url == reverse("admin:events_event_email", args=[full_event.pk])


@pytest.mark.parametrize(
    "message",
    ["Hello,\n\nWe have added a second evening.", "Dear all\nWe have added a second evening."],
)
def test_a_message_that_starts_with_its_own_greeting_gets_only_one(
    wd_client, full_event, django_capture_on_commit_callbacks, message
):
    url = reverse("admin:events_event_email", args=[full_event.pk])
    form = {"audiences": ["confirmed"], "subject": "A second evening", "message": message}

    preview = wd_client.post(url, {**form, "preview": "Preview"}).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        wd_client.post(url, {**form, "send": "Send"})

    first = Registration.objects.filter(
        event=full_event, status=RegistrationStatus.CONFIRMED
    ).first()
    sent = [email for email in mail.outbox if email.to == [first.email]]
    shown = preview.split('class="app-email-preview"')[1].split("</pre>")[0]
    assert f"Dear {first.first_name}," in shown
    assert "Hello," not in shown
    assert "Dear all" not in shown
    assert sent[0].body.startswith(f"Dear {first.first_name},\n\nWe have added a second evening.")


def test_the_email_help_shows_the_greeting_as_words(wd_client, full_event):
    page = wd_client.get(reverse("admin:events_event_email", args=[full_event.pk])).content.decode()

    assert "Each email starts “Dear” and the person’s first name" in page
    assert "Dear ," not in page


# A forged selection ------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "model", "action_name"),
    [
        ("wd_client", "events_event", "publish_events"),
        ("wd_client", "events_registration", "cancel_registrations"),
        ("wd_client", "emails_outgoingemail", "resend"),
        ("admin_client", "alerts_subscription", "unsubscribe_selected"),
    ],
)
@pytest.mark.parametrize("selected", ["abc", "²", "1.5", ""])
def test_an_action_on_a_selection_that_is_not_ids_changes_nothing_and_says_so(
    request, who, model, action_name, selected
):
    changelist = reverse(f"admin:{model}_changelist")
    draft = EventFactory(status=EventStatus.DRAFT)
    registration = RegistrationFactory()
    subscription = SubscriptionFactory()
    failed = OutgoingEmailFactory(status=EmailStatus.FAILED)
    emails_before = OutgoingEmail.objects.count()

    answer = request.getfixturevalue(who).post(
        changelist, {"action": action_name, "_selected_action": [selected]}, follow=True
    )

    assert answer.status_code == 200
    assert "Items must be selected in order to perform actions" in answer.content.decode()
    draft.refresh_from_db()
    registration.refresh_from_db()
    failed.refresh_from_db()
    assert draft.status == EventStatus.DRAFT
    assert registration.status == RegistrationStatus.CONFIRMED
    assert Subscription.objects.filter(pk=subscription.pk).exists()
    assert failed.status == EmailStatus.FAILED
    assert OutgoingEmail.objects.count() == emails_before


def test_a_positive_action_erase_on_a_forged_selection_erases_nothing(pa_client):
    from mentoring.models import MentoringRequest
    from tests.mentoring.support import make_request

    make_request()
    changelist = reverse("admin:mentoring_mentoringrequest_changelist")

    answer = pa_client.post(
        changelist, {"action": "erase_requests", "_selected_action": ["1 OR 1=1"]}, follow=True
    )

    assert "Items must be selected in order to perform actions" in answer.content.decode()
    assert MentoringRequest.objects.count() == 1
