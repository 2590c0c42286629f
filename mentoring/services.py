"""Writes for positive-action requests (docs/conventions.md: services write). The
candidate asks and withdraws; the Positive Action team assigns a mentor,
records contacts and closes; the retention task erases. Erasing a request
deletes its contact log too and blanks its emails in the outbox."""

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from core import tokens
from core.dates import months_before
from core.groups import POSITIVE_ACTION
from core.names import check_names, clean_name
from emails.retention import erase_emails_about
from emails.services import queue_email
from events.models import Role

from .models import (
    ContactHow,
    ContactLogEntry,
    MentoringRequest,
    Outcome,
    RequestStatus,
    SupportKind,
)

REQUEST_CLOSED = "This request is closed, so it cannot be changed."
MENTOR_NOT_IN_TEAM = "Choose a member of the Positive action group as the mentor."
OUTCOME_REQUIRED = "Choose an outcome to close the request."
SUPPORT_REQUIRED = "Select the support you would like"


@dataclass(frozen=True)
class RequestOutcome:
    request: MentoringRequest
    created: bool
    token: str | None


def request_support(
    *,
    name: str,
    email: str,
    contact_method: str,
    journey_stage: str,
    support_kinds: list[str],
    submission_key: str,
    role: Role | None = None,
    phone: str = "",
    under_represented: str = "",
    anything_else: str = "",
    now: datetime | None = None,
) -> RequestOutcome:
    """Record a request for support, with the candidate's consent given now,
    and queue the `mentoring_request_received` email with the secret link.

    The same form sent twice (a double click, a refresh) carries the same
    `submission_key` and says the same: the second gets the first request
    back, with no new email, even when both arrive at once (the key is
    unique in the table). Sent again with something changed (an address
    corrected after the answer was lost on a bad connection), it is a new
    request, emailed to the new address: nothing the candidate corrected is
    dropped, and the first request's link, emailed to the first address,
    never shows the second's answers.
    Raises ValidationError at `name` when it is not a name (core.names).
    """
    check_names(name=name)
    now = now or timezone.now()
    chosen = set(support_kinds)
    kinds = [kind for kind in SupportKind.values if kind in chosen]
    if not kinds:
        raise ValidationError(SUPPORT_REQUIRED, code="support_required")
    token = tokens.new_token()
    request = MentoringRequest(
        name=clean_name(name),
        email=email.strip(),
        phone=phone.strip(),
        contact_method=contact_method,
        role=role,
        journey_stage=journey_stage,
        support_kinds=kinds,
        under_represented=under_represented.strip(),
        anything_else=anything_else.strip(),
        consented_at=now,
        token_hash=tokens.hash_token(token),
    )
    request.submission_key = _submission(submission_key, request)
    try:
        with transaction.atomic():
            request.save()
            _queue_received_email(request, token=token)
    except IntegrityError:
        existing = MentoringRequest.objects.filter(submission_key=request.submission_key).first()
        if existing is None:
            raise
        return RequestOutcome(existing, created=False, token=None)
    return RequestOutcome(request, created=True, token=token)


def _submission(key: str, request: MentoringRequest) -> str:
    """What is kept of the form's key: a hash of it with everything the form
    said, so that only the same key saying the same is the same request (and
    the key, a secret of the candidate's browser, is not kept as sent)."""
    said = [
        key,
        request.name,
        request.email,
        request.phone,
        request.contact_method,
        request.role_id,
        request.journey_stage,
        request.support_kinds,
        request.under_represented,
        request.anything_else,
    ]
    return hashlib.sha256(json.dumps(said).encode()).hexdigest()


def request_url(token: str) -> str:
    return settings.SITE_URL + reverse("mentoring:detail", kwargs={"token": token})


def _about(request_id: int) -> str:
    return f"mentoring_request:{request_id}"


# How the email says we will be in touch: "contact you by phone".
CONTACT_BY = {"email": "email", "phone": "phone", "text": "text message"}


def _queue_received_email(request: MentoringRequest, *, token: str) -> None:
    # Only what the candidate needs to find the request again: what they
    # told us stays on the page behind the secret link, not in mailboxes.
    queue_email(
        kind="mentoring_request_received",
        to=request.email,
        context={
            "name": request.name,
            "contact_by": CONTACT_BY[request.contact_method],
            "request_url": request_url(token),
        },
        dedupe_key=f"mentoring_request_received:{request.pk}",
        about=_about(request.pk),
    )


def withdraw_request(request: MentoringRequest) -> int:
    """The candidate withdraws: erase the request at once (see erase_requests).
    Returns how many requests were erased (0 if it had gone already)."""
    return erase_requests([request.pk])


def erase_requests(request_ids: list[int]) -> int:
    """Delete requests and their contact logs, and blank their emails in the
    outbox, in one transaction. Returns how many requests were erased."""
    ids = list(request_ids)
    with transaction.atomic():
        erased = list(
            MentoringRequest.objects.select_for_update()
            .filter(pk__in=ids)
            .values_list("pk", flat=True)
        )
        ContactLogEntry.objects.filter(request_id__in=erased).delete()
        MentoringRequest.objects.filter(pk__in=erased).delete()
        erase_emails_about(_about(pk) for pk in erased)
    return len(erased)


def erase_expired_requests(*, now: datetime | None = None) -> int:
    """What the daily retention task runs: erase requests closed more than
    RETENTION_MONTHS ago. Open requests are kept however old: the team is
    still working on them. Returns how many were erased."""
    now = now or timezone.now()
    cutoff = months_before(now, settings.RETENTION_MONTHS)
    expired = MentoringRequest.objects.filter(
        status=RequestStatus.CLOSED, closed_at__lt=cutoff
    ).values_list("pk", flat=True)
    return erase_requests(list(expired))


# The Positive Action team's workflow, from the admin ----------------------


def _lock_open(request: MentoringRequest) -> MentoringRequest:
    locked = MentoringRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status == RequestStatus.CLOSED:
        raise ValidationError(REQUEST_CLOSED, code="closed")
    return locked


def assign_mentor(
    request: MentoringRequest, *, mentor: AbstractBaseUser | None
) -> MentoringRequest:
    """Give the request a mentor from the Positive action group (status
    "mentor assigned"), or take the mentor away (back to "contacted" or
    "new"). Locks the request row. No email: the mentor gets in touch."""
    if mentor is not None and not mentor.groups.filter(name=POSITIVE_ACTION).exists():
        raise ValidationError(MENTOR_NOT_IN_TEAM, code="not_in_team")
    with transaction.atomic():
        locked = _lock_open(request)
        locked.assigned_mentor = mentor
        if mentor is not None:
            locked.status = RequestStatus.MENTOR_ASSIGNED
        elif locked.contacts.exists():
            locked.status = RequestStatus.CONTACTED
        else:
            locked.status = RequestStatus.NEW
        locked.save(update_fields=["assigned_mentor", "status", "updated_at"])
    return locked


def record_contact(
    request: MentoringRequest,
    *,
    how: str,
    contacted_on: date | None = None,
    note: str = "",
    by: AbstractBaseUser | None = None,
) -> ContactLogEntry:
    """Add a contact to the log. A new request becomes "contacted"; a
    request with a mentor stays as it is. Locks the request row."""
    if how not in ContactHow.values:
        raise ValidationError("Choose how you contacted the candidate.", code="how")
    with transaction.atomic():
        locked = _lock_open(request)
        entry = ContactLogEntry.objects.create(
            request=locked,
            how=how,
            contacted_on=contacted_on or timezone.localdate(),
            note=note.strip(),
            recorded_by=by,
        )
        if locked.status == RequestStatus.NEW:
            locked.status = RequestStatus.CONTACTED
            locked.save(update_fields=["status", "updated_at"])
    return entry


def close_request(
    request: MentoringRequest, *, outcome: str, now: datetime | None = None
) -> MentoringRequest:
    """Close with an outcome. The retention period starts now: the request
    is erased RETENTION_MONTHS after `closed_at`. Locks the request row."""
    if outcome not in Outcome.values:
        raise ValidationError(OUTCOME_REQUIRED, code="outcome")
    with transaction.atomic():
        locked = _lock_open(request)
        locked.status = RequestStatus.CLOSED
        locked.outcome = outcome
        locked.closed_at = now or timezone.now()
        locked.save(update_fields=["status", "outcome", "closed_at", "updated_at"])
    return locked
