import hashlib
import json

import pytest
from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils.timezone import localtime

from alerts.models import Subscription
from emails.models import EmailStatus, OutgoingEmail
from emails.retention import ERASED, ERASED_BEFORE_SENDING
from events.models import Registration, RegistrationStatus
from mentoring.models import ContactLogEntry, MentoringRequest
from privacy import services
from privacy.models import AuditAction, AuditEntry

from .conftest import OTHER, ZOE, ZOE_LOWER, ZOE_PHONE
from .support import traces_of

pytestmark = pytest.mark.django_db


def export_text(export: dict) -> str:
    return json.dumps(export, ensure_ascii=False)


# Export ---------------------------------------------------------------------


def test_export_holds_every_kind_of_record_about_the_person(zoe, other):
    export = services.export_personal_data(ZOE, by="tester")

    registrations = {row["event"]: row for row in export["registrations"]}
    assert set(registrations) == {"Full evening", "Past evening", "Another evening"}
    place = registrations["Full evening"]
    assert place["reference"] == zoe["place"].reference
    assert place["status"] == "Confirmed"
    assert (place["first_name"], place["last_name"]) == ("Zoë", "Adebayo")
    assert place["phone"] == ZOE_PHONE
    assert place["access_needs"] == "Hearing loop, please"
    assert place["role"] == "Police officer"
    assert place["how_they_heard"] == "Social media"
    assert place["event_starts_at"] == localtime(zoe["full_event"].starts_at).isoformat(
        timespec="seconds"
    )
    assert registrations["Past evening"]["checked_in_at"] is not None
    assert registrations["Another evening"]["status"] == "Cancelled"
    [request] = export["positive_action_requests"]
    assert request["why_under_represented"] == "Few people like me in the force"
    assert request["contact_log"][0]["note"] == "Spoke to Zoë about the fitness test"
    [subscription] = export["alert_subscriptions"]
    assert subscription["roles"] == ["Police officer"]
    assert subscription["confirmed_at"] is not None
    kinds = {email["kind"] for email in export["emails"]}
    assert {"registration_confirmed", "registration_cancelled"} <= kinds
    assert {"mentoring_request_received", "alerts_confirm"} <= kinds
    assert all(email["subject"] and email["status"] for email in export["emails"])


def test_export_holds_nothing_of_anyone_else(zoe, other):
    export = services.export_personal_data(ZOE, by="tester")

    text = export_text(export).casefold()
    assert OTHER not in text
    assert "sam" not in text
    assert other["waiting"].reference.casefold() not in text
    assert len(export["emails"]) == OutgoingEmail.objects.exclude(to=OTHER).count()


def test_export_finds_the_address_in_any_case_and_with_spaces_around_it(zoe):
    as_typed = services.export_personal_data(ZOE, by="tester")

    shouted = services.export_personal_data(f"  {ZOE.upper()} ", by="tester")

    assert shouted["registrations"] == as_typed["registrations"]
    assert shouted["positive_action_requests"] == as_typed["positive_action_requests"]
    assert shouted["alert_subscriptions"] == as_typed["alert_subscriptions"]
    assert shouted["emails"] == as_typed["emails"]


def test_export_says_equality_answers_cannot_be_linked_to_the_person(zoe):
    export = services.export_personal_data(ZOE, by="tester")

    assert export["equality_monitoring"]["status"] == "not linkable"
    assert "cannot be found" in export["equality_monitoring"]["explanation"]


def test_export_leaves_out_email_text_and_secret_links_and_says_why(zoe):
    export = services.export_personal_data(ZOE, by="tester")

    text = export_text(export)
    assert "/registration/" not in text
    assert "/positive-action/request/" not in text
    assert "/alerts/" not in text
    assert all("body" not in email for email in export["emails"])
    assert "secret link" in export["not_included"]["email_text"]


def test_export_of_an_unknown_address_is_empty_and_still_audited(db):
    export = services.export_personal_data("nobody@example.org", by="tester")

    assert export["registrations"] == export["emails"] == []
    entry = AuditEntry.objects.get()
    assert entry.action == AuditAction.EXPORT
    assert entry.operator == "tester"
    assert set(entry.counts.values()) == {0}


def test_export_records_counts_per_kind(zoe, other):
    services.export_personal_data(ZOE, by="tester")

    entry = AuditEntry.objects.get()
    assert entry.counts["registrations"] == 3
    assert entry.counts["positive_action_requests"] == 1
    assert entry.counts["alert_subscriptions"] == 1
    assert entry.counts["emails"] == OutgoingEmail.objects.exclude(to=OTHER).count()


@pytest.mark.parametrize(
    "bad", ["", "   ", "not-an-address", "@", "jo@", "jo @example.org", "jo@exa\x00mple"]
)
def test_something_that_is_not_an_address_is_refused_and_not_audited(db, bad):
    with pytest.raises(ValidationError) as refusal:
        services.export_personal_data(bad, by="tester")

    assert refusal.value.messages == [services.NOT_AN_ADDRESS]
    assert not AuditEntry.objects.exists()


def test_an_operator_name_holding_the_address_is_refused(zoe):
    with pytest.raises(ValidationError) as refusal:
        services.erase_personal_data(ZOE, by=f"erasing {ZOE_LOWER}")

    assert refusal.value.messages == [services.OPERATOR_NAMES_PERSON]
    assert Registration.objects.filter(email=ZOE).exists()
    assert not AuditEntry.objects.exists()


# Erasure --------------------------------------------------------------------


def test_erase_leaves_no_trace_of_the_person_anywhere(zoe, other):
    user = get_user_model().objects.create_user("admin", "admin@example.org", "x" * 20)
    LogEntry.objects.create(
        user=user,
        content_type=ContentType.objects.get_for_model(Subscription),
        object_id=str(zoe["subscription"].pk),
        object_repr=ZOE.upper(),
        action_flag=DELETION,
    )
    needles = [ZOE, "Adebayo", ZOE_PHONE, "Hearing loop", "Few people like me"]
    assert all(traces_of(needle) for needle in needles)

    services.erase_personal_data(ZOE.upper(), by="tester")

    for needle in needles:
        assert traces_of(needle) == []
    assert not Session.objects.filter(session_key=zoe["session"]).exists()


def test_erase_keeps_the_counts_and_everyone_else(zoe, other):
    services.erase_personal_data(ZOE, by="tester")

    came = Registration.objects.get(pk=zoe["came"].pk)
    assert came.status == RegistrationStatus.CONFIRMED
    assert came.checked_in_at is not None
    assert came.email_key == f"erased:{came.pk}"
    assert Registration.objects.filter(event=zoe["full_event"]).count() == 2
    assert Registration.objects.filter(email=OTHER).count() == 1
    assert Subscription.objects.filter(email=OTHER).exists()
    assert MentoringRequest.objects.get().pk == other["request"].pk
    assert not ContactLogEntry.objects.exists()
    assert OutgoingEmail.objects.filter(to=OTHER).count() >= 3
    assert OutgoingEmail.objects.filter(to=ERASED).exists()


def test_erase_frees_a_confirmed_place_for_the_next_person_waiting(zoe, other):
    counts = services.erase_personal_data(ZOE, by="tester")

    waiting = Registration.objects.get(pk=other["waiting"].pk)
    assert waiting.status == RegistrationStatus.CONFIRMED
    assert Registration.objects.get(pk=zoe["place"].pk).status == RegistrationStatus.CANCELLED
    promoted = OutgoingEmail.objects.get(kind="promoted_from_waiting_list")
    assert promoted.to == OTHER
    assert promoted.status == EmailStatus.QUEUED
    assert counts["registrations_cancelled"] == 1
    assert counts["waiting_list_promoted"] == 1


def test_erase_sends_nothing_to_the_person_but_the_promotion_goes(
    zoe, other, django_capture_on_commit_callbacks
):
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.erase_personal_data(ZOE, by="tester")

    assert [message.to for message in mail.outbox] == [[OTHER]]
    cancellations = OutgoingEmail.objects.filter(kind="registration_cancelled")
    assert {(row.to, row.status, row.last_error) for row in cancellations} == {
        (ERASED, EmailStatus.FAILED, ERASED_BEFORE_SENDING)
    }


def test_erase_of_someone_waiting_gives_up_the_entry_and_promotes_nobody(zoe, other):
    services.erase_personal_data(OTHER, by="tester")

    assert Registration.objects.get(pk=other["waiting"].pk).status == RegistrationStatus.CANCELLED
    assert Registration.objects.get(pk=zoe["place"].pk).email == ZOE
    assert not OutgoingEmail.objects.filter(kind="promoted_from_waiting_list").exists()


def test_erase_twice_finds_nothing_the_second_time(zoe):
    services.erase_personal_data(ZOE, by="tester")

    counts = services.erase_personal_data(ZOE, by="tester")

    assert set(counts.values()) == {0}
    assert AuditEntry.objects.filter(action=AuditAction.ERASE).count() == 2


def test_audit_entries_hold_no_trace_of_the_address(zoe):
    services.export_personal_data(ZOE, by="tester")
    services.erase_personal_data(ZOE, by="tester")

    entries = json.dumps(list(AuditEntry.objects.values()), default=str).casefold()
    assert "adebayo" not in entries
    assert "example.org" not in entries
    for spelling in [ZOE, ZOE_LOWER, ZOE.upper()]:
        for algorithm in ["md5", "sha1", "sha256", "sha512"]:
            assert hashlib.new(algorithm, spelling.encode()).hexdigest() not in entries
    assert [entry.action for entry in AuditEntry.objects.order_by("pk")] == ["export", "erase"]


def test_erase_records_what_it_did_per_kind(zoe):
    services.erase_personal_data(ZOE, by="tester")

    entry = AuditEntry.objects.get()
    assert entry.operator == "tester"
    assert entry.counts["registrations_anonymised"] == 3
    assert entry.counts["registrations_cancelled"] == 1
    assert entry.counts["positive_action_requests_erased"] == 1
    assert entry.counts["alert_subscriptions_deleted"] == 1
    assert entry.counts["browser_sessions_deleted"] == 1
    assert entry.counts["emails_erased"] >= 5


def test_unicode_in_any_case_is_matched(zoe):
    counts = services.erase_personal_data("ZOË.ADEBAYO@EXAMPLE.ORG", by="tester")

    assert counts["registrations_anonymised"] == 3
    assert counts["alert_subscriptions_deleted"] == 1
    assert counts["positive_action_requests_erased"] == 1
    assert traces_of(ZOE) == []
