from datetime import timedelta

import pytest
from django.utils import timezone

from emails.models import OutgoingEmail
from emails.retention import ERASED
from emails.tasks import task_erase_old_emails
from events import queries
from events.models import Registration, RegistrationStatus
from events.retention import anonymise_registrations
from events.tasks import task_anonymise_past_registrations
from tests.factories import EventFactory, role
from tests.outbox import as_sent
from tests.support.registration import register

pytestmark = pytest.mark.django_db


def event_that_ended(days_ago):
    ended = timezone.now() - timedelta(days=days_ago)
    return EventFactory(starts_at=ended - timedelta(hours=2), ends_at=ended)


def registration_with_link(event, email):
    # Register while the event was open, then move the event into the past.
    outcome = register(
        event=event, first_name="Niamh", last_name="Kelly", email=email, heard_from="other"
    )
    email = OutgoingEmail.objects.get(about=f"registration:{outcome.registration.pk}")
    token = as_sent(email).body_text
    return outcome.registration, token.split("/registration/")[1].split("/")[0]


def test_registrations_are_anonymised_retention_months_after_their_event(settings):
    settings.RETENTION_MONTHS = 12
    old_event, recent_event = EventFactory(), EventFactory()
    old, old_token = registration_with_link(old_event, "old@example.com")
    recent, _ = registration_with_link(recent_event, "recent@example.com")
    Registration.objects.filter(pk=old.pk).update(checked_in_at=timezone.now())
    type(old_event).objects.filter(pk=old_event.pk).update(
        starts_at=timezone.now() - timedelta(days=400, hours=2),
        ends_at=timezone.now() - timedelta(days=400),
    )

    task_anonymise_past_registrations()

    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.first_name, old.last_name, old.email, old.phone) == ("", "", "", "")
    assert old.email_key == f"erased:{old.pk}"
    assert old.status == RegistrationStatus.CONFIRMED
    assert old.checked_in_at is not None
    assert old.role.code == "police-officer"
    assert queries.registration_for_token(old_token) is None
    assert recent.email == "recent@example.com"


def test_anonymising_twice_changes_nothing_more(settings):
    event = event_that_ended(days_ago=500)
    Registration.objects.create(
        event=event,
        reference="HC-AAAAAA",
        status=RegistrationStatus.CONFIRMED,
        first_name="A",
        last_name="B",
        email="a@example.com",
        email_key="a@example.com",
        role=role(),
        heard_from="other",
        privacy_accepted_at=timezone.now(),
    )

    task_anonymise_past_registrations()
    task_anonymise_past_registrations()

    assert Registration.objects.get().email == ""
    assert Registration.objects.count() == 1


def test_old_outbox_rows_lose_their_personal_data_but_keep_their_kind(settings, event):
    registration, _ = registration_with_link(event, "person@example.com")
    OutgoingEmail.objects.update(created_at=timezone.now() - timedelta(days=400))
    fresh, _ = registration_with_link(EventFactory(), "fresh@example.com")

    task_erase_old_emails()

    old = OutgoingEmail.objects.get(kind="registration_confirmed", to=ERASED)
    assert old.body_text == ""
    assert old.attachments == []
    assert "person@example.com" not in str(OutgoingEmail.objects.values_list())
    assert OutgoingEmail.objects.filter(to="fresh@example.com").exists()
    assert registration.pk != fresh.pk


def test_anonymise_registrations_anonymises_only_the_rows_given(event):
    chosen, chosen_token = registration_with_link(event, "chosen@example.com")
    kept, kept_token = registration_with_link(EventFactory(), "kept@example.com")

    done = anonymise_registrations(Registration.objects.filter(pk=chosen.pk))

    chosen.refresh_from_db()
    assert done == 1
    assert (chosen.email, chosen.email_key) == ("", f"erased:{chosen.pk}")
    assert chosen.status == RegistrationStatus.CONFIRMED
    assert queries.registration_for_token(chosen_token) is None
    assert queries.registration_for_token(kept_token).pk == kept.pk
    assert anonymise_registrations(Registration.objects.filter(pk=chosen.pk)) == 0
