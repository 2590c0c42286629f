"""Writes to the outbox. Callers (events, mentoring, alerts) hand over the
kind, the recipient, the context and a dedupe key; this app knows nothing of
their models."""

import logging
from datetime import timedelta
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import EmailStatus, OutgoingEmail
from .queries import email_queued
from .rendering import render_email

logger = logging.getLogger(__name__)


def queue_email(
    *,
    kind: str,
    to: str,
    context: dict,
    dedupe_key: str,
    about: str = "",
    attachments: list[dict] | None = None,
) -> OutgoingEmail | None:
    """Write one outbox row, unless one with `dedupe_key` exists already.

    Call inside the transaction of the change that causes the email: the row
    commits or rolls back with it, and the send task is enqueued on commit.
    Returns the new row, or None when the email was queued before.
    """
    if email_queued(dedupe_key):
        return None
    subject, text, html = render_email(kind, context)
    email, created = OutgoingEmail.objects.get_or_create(
        dedupe_key=dedupe_key,
        defaults={
            "kind": kind,
            "to": to,
            "subject": subject,
            "body_text": text,
            "body_html": html,
            "attachments": attachments or [],
            "about": about,
            "next_attempt_at": timezone.now(),
            "message_id": make_msgid(domain=_message_id_domain()),
        },
    )
    if not created:
        return None
    transaction.on_commit(lambda: enqueue_send(email.pk))
    return email


def _message_id_domain() -> str:
    return settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(" >") or "localhost"


def enqueue_send(email_id: int) -> None:
    """Hand a row to the broker; if the broker is down, log it and let the
    beat sweeper send the row later. Never raises into a web request."""
    from .tasks import task_send_email

    try:
        task_send_email.apply_async(kwargs={"email_id": email_id}, retry=False)
    except Exception:  # noqa: BLE001 - the row is committed; the sweeper will send it
        logger.warning(
            "Could not enqueue email %s; the sweeper will send it", email_id, exc_info=True
        )


def claim_email(email_id: int) -> OutgoingEmail | None:
    """Mark a due row as sending, unless another worker has it. One UPDATE,
    so two workers can never both claim it."""
    now = timezone.now()
    claimed = OutgoingEmail.objects.filter(
        pk=email_id, status=EmailStatus.QUEUED, next_attempt_at__lte=now
    ).update(status=EmailStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return None
    return OutgoingEmail.objects.get(pk=email_id)


def build_message(email: OutgoingEmail) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to],
        reply_to=[settings.DEFAULT_FROM_EMAIL],
        headers={
            "Message-ID": email.message_id,
            "Auto-Submitted": "auto-generated",
            **email.headers,
        },
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    for attachment in email.attachments:
        message.attach(attachment["filename"], attachment["content"], attachment["mimetype"])
    return message


def send_email(email: OutgoingEmail) -> OutgoingEmail:
    """Send a claimed row and record the result."""
    try:
        build_message(email).send()
    except Exception as error:
        email.status = EmailStatus.QUEUED
        email.last_error = f"{type(error).__name__}: {error}"[:2000]
        email.next_attempt_at = timezone.now() + timedelta(minutes=2**email.attempts)
        email.save(update_fields=["status", "last_error", "next_attempt_at", "updated_at"])
        raise
    email.status = EmailStatus.SENT
    email.sent_at = timezone.now()
    email.last_error = ""
    email.save(update_fields=["status", "sent_at", "last_error", "updated_at"])
    return email
