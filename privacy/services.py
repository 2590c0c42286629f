"""Subject access and erasure on request, across the apps that hold
personal data (docs/conventions.md: services write). Each app's own services do the
work: events cancels and anonymises, mentoring erases, alerts unsubscribes,
emails blanks the outbox. Both leave an AuditEntry that holds no personal
data. Equality monitoring is not touched: its answers cannot be found for a
person (see EQUALITY_MONITORING)."""

from datetime import date, datetime

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from alerts.models import Subscription
from alerts.services import unsubscribe
from emails.models import OutgoingEmail
from emails.retention import ERASED, erase_emails_to
from events.models import EventStatus, Registration
from events.retention import anonymise_registrations
from events.services import cancel_registration
from mentoring.models import MentoringRequest
from mentoring.services import erase_requests

from . import queries
from .models import AuditAction, AuditEntry

NOT_AN_ADDRESS = "Give the email address the person used, for example jo@example.com."
OPERATOR_NAMES_PERSON = (
    "The operator's name must not contain the person's address: "
    "the audit entry keeps no trace of whom it was about."
)

EQUALITY_MONITORING = {
    "status": "not linkable",
    "explanation": (
        "If you answered the optional equality monitoring questions, your answers were "
        "stored without your name, email address, registration or the time you gave them. "
        "Once they are mixed with other people's answers (at the latest an hour after the "
        "event closes to registrations), nothing links them to you, so they cannot be found, "
        "shown to you or erased for you. They are only ever counted, with small numbers hidden."
    ),
}
# The lists in an export, one per kind of record.
EXPORTED_KINDS = ["registrations", "positive_action_requests", "alert_subscriptions", "emails"]
NOT_INCLUDED = {
    "email_text": (
        "The text of each email is not included. It is our standard wording for that kind "
        "of email, and most carry a secret link that lets whoever has it see, change or "
        "cancel a registration or a request: in this export it would let anyone who saw "
        "the export do that. Ask us if you want the text of a particular email."
    ),
    "secret_links": (
        "We keep only a one-way fingerprint of each secret link we sent you, which cannot "
        "be turned back into the link."
    ),
    "staff": ("The names of staff who dealt with a positive-action request are not included."),
}


def clean_address(email: str) -> str:
    """The address as given, trimmed; raises ValidationError(NOT_AN_ADDRESS)
    for something that cannot be one. Any script and any case: matching is
    case-insensitive (case-folded where the address is stored so)."""
    address = email.strip()
    local, _, domain = address.rpartition("@")
    if (
        not local
        or not domain
        or len(address) > 254
        or any(char.isspace() or not char.isprintable() for char in address)
    ):
        raise ValidationError(NOT_AN_ADDRESS, code="not_an_address")
    return address


def _operator(by: str, *, address: str) -> str:
    operator = by.strip()[:150] or "unknown"
    if address.casefold() in operator.casefold():
        raise ValidationError(OPERATOR_NAMES_PERSON, code="operator_names_person")
    return operator


def export_personal_data(email: str, *, by: str, now: datetime | None = None) -> dict:
    """Everything held about `email` (any case), ready for json.dumps: their
    registrations, positive-action requests, alert subscriptions and the
    emails sent to them, and what is not included and why. Writes an
    AuditEntry ("export", counts per kind, `by`), even when nothing is held:
    the request was answered. Raises ValidationError for a bad address."""
    address = clean_address(email)
    operator = _operator(by, address=address)
    now = now or timezone.now()
    held = queries.held_about(address)
    export = {
        "email_address": address,
        "produced_at": _when(now),
        "produced_by": settings.FORCE_NAME,
        "registrations": [_registration(row) for row in held.registrations],
        "positive_action_requests": [_mentoring_request(row) for row in held.mentoring_requests],
        "alert_subscriptions": [_subscription(row) for row in held.subscriptions],
        "emails": [_email(row) for row in held.emails],
        "equality_monitoring": EQUALITY_MONITORING,
        "not_included": NOT_INCLUDED,
    }
    AuditEntry.objects.create(
        action=AuditAction.EXPORT, created_at=now, counts=held.counts(), operator=operator
    )
    return export


def _when(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    return value.isoformat()


def _registration(registration: Registration) -> dict:
    return {
        "reference": registration.reference,
        "event": registration.event.title,
        "event_starts_at": _when(registration.event.starts_at),
        "status": registration.get_status_display(),
        "first_name": registration.first_name,
        "last_name": registration.last_name,
        "email": registration.email,
        "phone": registration.phone,
        "role": registration.role.name,
        "access_needs": registration.access_needs,
        "how_they_heard": registration.get_heard_from_display(),
        "how_registered": registration.get_source_display(),
        "registered_at": _when(registration.created_at),
        "privacy_notice_accepted_at": _when(registration.privacy_accepted_at),
        "promoted_from_waiting_list_at": _when(registration.promoted_at),
        "cancelled_at": _when(registration.cancelled_at),
        "checked_in_at": _when(registration.checked_in_at),
    }


def _mentoring_request(request: MentoringRequest) -> dict:
    return {
        "name": request.name,
        "email": request.email,
        "phone": request.phone,
        "contact_method": request.get_contact_method_display(),
        "role": request.role.name if request.role else None,
        "journey_stage": request.get_journey_stage_display(),
        "support_asked_for": request.support_labels(),
        "why_under_represented": request.under_represented,
        "anything_else": request.anything_else,
        "consent_given_at": _when(request.consented_at),
        "requested_at": _when(request.created_at),
        "status": request.get_status_display(),
        "mentor_assigned": request.assigned_mentor_id is not None,
        "outcome": request.get_outcome_display() if request.outcome else None,
        "closed_at": _when(request.closed_at),
        "contact_log": [
            {"date": _when(entry.contacted_on), "how": entry.get_how_display(), "note": entry.note}
            for entry in request.contacts.all()
        ],
    }


def _subscription(subscription: Subscription) -> dict:
    return {
        "email": subscription.email,
        "roles": [role.name for role in subscription.roles.all()],
        "format": subscription.get_format_display(),
        "asked_at": _when(subscription.consented_at),
        "confirmed_at": _when(subscription.confirmed_at),
        "asked_to_reconfirm_at": _when(subscription.reconfirm_requested_at),
        "subscribed_at": _when(subscription.created_at),
    }


def _email(email: OutgoingEmail) -> dict:
    return {
        "kind": email.kind,
        "subject": email.shown_subject,
        "status": email.get_status_display(),
        "written_at": _when(email.created_at),
        "sent_at": _when(email.sent_at),
    }


def registrations_to_cancel(
    registrations: list[Registration], *, now: datetime
) -> list[Registration]:
    """The places and waiting-list entries for published events still to
    come: an erasure gives them up, so the next person waiting gets the place.
    Registrations for past or cancelled events keep their status for the
    counts."""
    return [
        registration
        for registration in registrations
        if registration.is_active
        and registration.event.status == EventStatus.PUBLISHED
        and registration.event.starts_at > now
    ]


def erase_personal_data(email: str, *, by: str, now: datetime | None = None) -> dict[str, int]:
    """Erase everything held about `email` (any case), in one transaction:

    - places and waiting-list entries for events still to come are cancelled
      through events.services.cancel_registration (event rows locked), so
      freed places go to the waiting list and those promoted are emailed;
    - every email to the address or about its records is blanked, and any
      not yet sent is stopped (including the cancellation just queued);
    - registrations are anonymised (events.retention), their links deleted;
    - positive-action requests and their contact logs are deleted;
    - alert subscriptions and their links are deleted;
    - browser sessions and admin history entries naming the address go.

    Writes an AuditEntry ("erase", counts per kind, `by`), even when nothing
    was held. Returns the counts. Raises ValidationError for a bad address."""
    address = clean_address(email)
    operator = _operator(by, address=address)
    now = now or timezone.now()
    with transaction.atomic():
        held = queries.held_about(address)
        counts = _give_up_places(held.registrations, now=now)
        counts["emails_erased"] = erase_emails_to(held.spellings, abouts=held.abouts)
        counts["registrations_anonymised"] = anonymise_registrations(
            Registration.objects.filter(pk__in=[row.pk for row in held.registrations])
        )
        counts["positive_action_requests_erased"] = erase_requests(
            [row.pk for row in held.mentoring_requests]
        )
        for subscription in held.subscriptions:
            unsubscribe(subscription)
        counts["alert_subscriptions_deleted"] = len(held.subscriptions)
        counts.update(_forget_elsewhere(held.spellings))
        AuditEntry.objects.create(
            action=AuditAction.ERASE, created_at=now, counts=counts, operator=operator
        )
    return counts


def _give_up_places(registrations: list[Registration], *, now: datetime) -> dict[str, int]:
    cancelled = []
    for registration in registrations_to_cancel(registrations, now=now):
        try:
            cancelled.append(cancel_registration(registration, now=now))
        except ValidationError:
            continue  # cancelled by the person a moment ago: nothing to give up
    promoted = Registration.objects.filter(
        event_id__in={row.event_id for row in cancelled}, promoted_at=now
    ).count()
    return {"registrations_cancelled": len(cancelled), "waiting_list_promoted": promoted}


def _forget_elsewhere(spellings: frozenset[str]) -> dict[str, int]:
    """Where the address lingers outside the apps' own tables."""
    sessions = queries.sessions_holding(spellings)
    deleted, _ = Session.objects.filter(session_key__in=sessions).delete()
    blanked = queries.admin_history_naming(spellings).update(object_repr=ERASED, change_message="")
    return {"browser_sessions_deleted": deleted, "admin_history_blanked": blanked}
