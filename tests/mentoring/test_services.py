from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core import tokens
from emails.models import OutgoingEmail
from mentoring import services
from mentoring.models import ContactLogEntry, MentoringRequest, Outcome, RequestStatus
from mentoring.tasks import task_erase_expired_requests
from tests.factories import EventFactory, RegistrationFactory, role

from .support import make_request

pytestmark = pytest.mark.django_db


# Asking for support


def test_a_request_keeps_only_the_hash_of_its_link():
    request, token = make_request()

    assert request.token_hash == tokens.hash_token(token)
    assert token not in request.token_hash
    assert services.request_url(token) in OutgoingEmail.objects.get().body_text


def test_support_kinds_are_kept_once_each_in_the_order_offered():
    request, _ = make_request(support_kinds=["mentor", "application", "mentor", "made-up"])

    assert request.support_kinds == ["application", "mentor"]


def test_a_request_without_any_known_support_is_refused():
    with pytest.raises(ValidationError) as error:
        make_request(support_kinds=["made-up"])

    assert error.value.messages == [services.SUPPORT_REQUIRED]
    assert not MentoringRequest.objects.exists()


def lan_sends_the_form_again(*, submission_key: str):
    """make_request's answers (its address correctly typed), sent again."""
    return services.request_support(
        name="Nguyễn Thị Lan",
        email="lan@example.com",
        contact_method="email",
        role=role("police-officer"),
        journey_stage="thinking",
        support_kinds=["mentor"],
        submission_key=submission_key,
    )


def test_the_same_submission_twice_returns_the_first_request_and_queues_no_email():
    first, _ = make_request(submission_key="same-key-" + "x" * 30)

    again = lan_sends_the_form_again(submission_key="same-key-" + "x" * 30)

    assert again.request == first
    assert (again.created, again.token) == (False, None)
    assert OutgoingEmail.objects.count() == 1


def test_the_same_form_sent_again_with_the_address_corrected_is_a_new_request_to_it():
    """The answer was lost on a bad connection; the candidate saw the typo,
    corrected it and sent the form again (the same key)."""
    first, _ = make_request(email="lan@exmaple.com", submission_key="same-key-" + "x" * 30)

    again = lan_sends_the_form_again(submission_key="same-key-" + "x" * 30)

    assert again.created
    assert again.request != first
    assert again.request.email == "lan@example.com"
    sent_to = sorted(OutgoingEmail.objects.values_list("to", flat=True))
    assert sent_to == ["lan@example.com", "lan@exmaple.com"]
    # The corrected address gets the new request's own link.
    assert (
        services.request_url(again.token)
        in OutgoingEmail.objects.get(to="lan@example.com").body_text
    )


def test_the_form_key_is_not_kept_as_sent():
    request, _ = make_request(submission_key="k" * 43)

    assert "k" * 43 not in request.submission_key
    assert len(request.submission_key) == 64


def test_a_closed_request_must_have_an_outcome_in_the_database():
    request, _ = make_request()

    with pytest.raises(IntegrityError), transaction.atomic():
        MentoringRequest.objects.filter(pk=request.pk).update(status=RequestStatus.CLOSED)


# The team's workflow


def test_recording_a_contact_moves_a_new_request_to_contacted(team_member, stopped_clock):
    request, _ = make_request()

    entry = services.record_contact(
        request, how="phone", note=" Left a voicemail. ", by=team_member
    )

    request.refresh_from_db()
    assert request.status == RequestStatus.CONTACTED
    assert (entry.how, entry.note, entry.recorded_by) == ("phone", "Left a voicemail.", team_member)
    assert entry.contacted_on == timezone.localdate()


def test_assigning_a_mentor_from_the_team(team_member):
    request, _ = make_request()

    services.assign_mentor(request, mentor=team_member)

    request.refresh_from_db()
    assert (request.status, request.assigned_mentor) == (RequestStatus.MENTOR_ASSIGNED, team_member)


def test_a_contact_after_a_mentor_keeps_the_status(team_member):
    request, _ = make_request()
    services.assign_mentor(request, mentor=team_member)

    services.record_contact(request, how="video")

    request.refresh_from_db()
    assert request.status == RequestStatus.MENTOR_ASSIGNED


def test_taking_the_mentor_away_goes_back_to_contacted(team_member):
    request, _ = make_request()
    services.record_contact(request, how="email")
    services.assign_mentor(request, mentor=team_member)

    services.assign_mentor(request, mentor=None)

    request.refresh_from_db()
    assert (request.status, request.assigned_mentor) == (RequestStatus.CONTACTED, None)


def test_a_mentor_from_outside_the_team_is_refused(workforce_user):
    request, _ = make_request()

    with pytest.raises(ValidationError) as error:
        services.assign_mentor(request, mentor=workforce_user)

    assert error.value.messages == [services.MENTOR_NOT_IN_TEAM]
    request.refresh_from_db()
    assert request.assigned_mentor is None


def test_closing_with_an_outcome_then_nothing_changes(team_member):
    request, _ = make_request()

    services.close_request(request, outcome=Outcome.SUPPORTED)

    request.refresh_from_db()
    assert (request.status, request.outcome) == (RequestStatus.CLOSED, Outcome.SUPPORTED)
    assert request.closed_at is not None
    for change in [
        lambda: services.record_contact(request, how="email"),
        lambda: services.assign_mentor(request, mentor=team_member),
        lambda: services.close_request(request, outcome=Outcome.NO_RESPONSE),
    ]:
        with pytest.raises(ValidationError) as error:
            change()
        assert error.value.messages == [services.REQUEST_CLOSED]


def test_closing_needs_a_known_outcome():
    request, _ = make_request()

    with pytest.raises(ValidationError):
        services.close_request(request, outcome="")

    request.refresh_from_db()
    assert request.status == RequestStatus.NEW


# Erasure and retention


def assert_email_erased(request: MentoringRequest) -> None:
    """The outbox row stays for the counts, with nothing about the person."""
    email = OutgoingEmail.objects.get(dedupe_key=f"mentoring_request_received:{request.pk}")
    # The kind of record stays, so the row stays hidden from other staff.
    assert (email.to, email.subject, email.about) == ("[erased]", "[erased]", "mentoring_request:")
    assert request.name not in email.body_text + email.body_html


def closed_request(*, closed_at: datetime, **overrides) -> MentoringRequest:
    request, _ = make_request(**overrides)
    services.record_contact(request, how="phone")
    return services.close_request(request, outcome=Outcome.SUPPORTED, now=closed_at)


def test_withdrawing_erases_the_request_its_contacts_and_its_emails():
    request, _ = make_request()
    services.record_contact(request, how="phone", note="Spoke about fitness.")

    erased = services.withdraw_request(request)

    assert erased == 1
    assert not MentoringRequest.objects.exists()
    assert not ContactLogEntry.objects.exists()
    assert_email_erased(request)


def test_withdrawing_twice_is_harmless():
    request, _ = make_request()
    services.withdraw_request(request)

    assert services.withdraw_request(request) == 0


def test_retention_erases_closed_requests_older_than_the_setting(settings):
    settings.RETENTION_MONTHS = 12
    now = timezone.now()
    expired = closed_request(closed_at=now - timedelta(days=370), email="old@example.com")
    recent = closed_request(closed_at=now - timedelta(days=300), email="recent@example.com")
    old_but_open, _ = make_request(email="open@example.com")
    MentoringRequest.objects.filter(pk=old_but_open.pk).update(created_at=now - timedelta(days=900))

    erased = services.erase_expired_requests(now=now)

    assert erased == 1
    assert set(MentoringRequest.objects.values_list("pk", flat=True)) == {
        recent.pk,
        old_but_open.pk,
    }
    assert not ContactLogEntry.objects.filter(request_id=expired.pk).exists()
    assert_email_erased(expired)
    assert OutgoingEmail.objects.get(about=f"mentoring_request:{recent.pk}").to == recent.email


def test_retention_reads_the_setting_when_it_runs(settings):
    request = closed_request(closed_at=timezone.now() - timedelta(days=70))

    settings.RETENTION_MONTHS = 3
    assert services.erase_expired_requests() == 0
    settings.RETENTION_MONTHS = 2
    assert services.erase_expired_requests() == 1

    assert not MentoringRequest.objects.filter(pk=request.pk).exists()


def test_retention_leaves_event_registrations_and_their_emails_alone(settings):
    settings.RETENTION_MONTHS = 1
    registration = RegistrationFactory(event=EventFactory())
    closed_request(closed_at=timezone.now() - timedelta(days=60))

    services.erase_expired_requests()

    registration.refresh_from_db()
    assert registration.email.startswith("candidate")


def test_the_beat_task_erases_expired_requests(settings):
    settings.RETENTION_MONTHS = 1
    closed_request(closed_at=timezone.now() - timedelta(days=60))

    task_erase_expired_requests()

    assert not MentoringRequest.objects.exists()


def test_the_task_is_in_the_beat_schedule_daily():
    from django.conf import settings

    entries = [
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "mentoring.erase_expired_requests"
    ]

    assert [entry["schedule"] for entry in entries] == [24 * 60 * 60]
