"""Staff sending an email again (the outbox admin's action)."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from ..models import EmailStatus, OutgoingEmail
from ..retention import ERASED
from .broker import enqueue_send
from .queueing import ROW_FIELDS, new_message_id


def resend_email(email: OutgoingEmail) -> OutgoingEmail | None:
    """Send an email again, for staff. A queued or failed row never reached
    the recipient, so it goes back to the front of the queue as it is, with
    its attempts reset. A sent row stays as the record of that sending and a
    copy is queued with a new dedupe key and a new Message-ID, since
    receiving servers may drop a message whose Message-ID they have seen.
    Returns the row that will go, or None for a row being sent right now or
    a copy already made this minute (a double click)."""
    now = timezone.now()
    if email.to == ERASED:
        return None  # Its person was erased: there is nobody to send it to.
    if email.status in {EmailStatus.QUEUED, EmailStatus.FAILED}:
        updated = OutgoingEmail.objects.filter(pk=email.pk, status=email.status).update(
            status=EmailStatus.QUEUED,
            attempts=0,
            next_attempt_at=now,
            enqueued_at=None,
            last_error="",
            updated_at=now,
        )
        if not updated:
            return None
        transaction.on_commit(lambda: enqueue_send(email.pk), robust=True)
        return OutgoingEmail.objects.get(pk=email.pk)
    if email.status == EmailStatus.SENT:
        return _queue_copy(email, now=now)
    return None


def _queue_copy(email: OutgoingEmail, *, now: datetime) -> OutgoingEmail | None:
    reason = email.dedupe_key.split(":resend:")[0]
    copy, created = OutgoingEmail.objects.get_or_create(
        dedupe_key=f"{reason}:resend:{now:%Y%m%d%H%M}",
        defaults={
            **{name: getattr(email, name) for name in ROW_FIELDS},
            "headers": email.headers,
            "next_attempt_at": now,
            "enqueued_at": None,
            "message_id": new_message_id(),
        },
    )
    if not created:
        return None
    transaction.on_commit(lambda: enqueue_send(copy.pk), robust=True)
    return copy
