"""Claiming a row, waiting for its place in the shared sending rate, sending
it over the worker's open connection, and recording what happened."""

import base64
import logging
import smtplib
import time
from dataclasses import dataclass
from datetime import timedelta
from email import encoders
from email.mime.base import MIMEBase

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import InterfaceError, OperationalError
from django.db.models import F
from django.utils import timezone

from .. import ratelimit
from ..connection import deliver
from ..models import DROP, EmailStatus, OutgoingEmail
from ..rendering import render_stored

logger = logging.getLogger(__name__)

# A worker waits this long in a task for its place in the rate; a longer
# wait (a daily limit reached, a long pause) puts the row back for later.
MAX_WAIT_SECONDS = 5.0
# A relay's "too many" answers (421 at any stage, 452 insufficient
# resources / too many recipients): the message is fine, the rate is not.
THROTTLE_CODES = frozenset({421, 452})
THROTTLES_PER_TASK = 3


@dataclass(frozen=True)
class RetryPolicy:
    """How a temporary failure is retried: after `first_delay`, doubling each
    time up to `max_delay`; the attempt numbered `max_attempts` is the last."""

    first_delay: timedelta
    max_delay: timedelta
    max_attempts: int

    def delay_after(self, attempts: int) -> timedelta:
        return min(self.first_delay * 2 ** max(attempts - 1, 0), self.max_delay)


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
        if attachment.get("encoding") == "base64":
            message.attach(_binary_part(attachment))
        else:
            message.attach(attachment["filename"], attachment["content"], attachment["mimetype"])
    return message


def _binary_part(attachment: dict) -> MIMEBase:
    """A binary attachment, stored base64-encoded in the row's JSON. One
    with a "content_id" is an image the HTML shows inline (src="cid:...")."""
    main, sub = attachment["mimetype"].split("/", 1)
    part = MIMEBase(main, sub)
    part.set_payload(base64.b64decode(attachment["content"]))
    encoders.encode_base64(part)
    if attachment.get("content_id"):
        part.add_header("Content-ID", f"<{attachment['content_id']}>")
        part.add_header("Content-Disposition", "inline", filename=attachment["filename"])
    else:
        part.add_header("Content-Disposition", "attachment", filename=attachment["filename"])
    return part


def send_email(email: OutgoingEmail, *, retry: RetryPolicy) -> OutgoingEmail:
    """Send a row claimed by claim_email and record what happened: sent;
    queued again after a growing delay for a temporary failure; failed for a
    permanent one, or once `retry.max_attempts` attempts have failed. An
    email queued with a stored context is rendered first, and keeps what it
    was rendered to. A row queued to be dropped (DROP) is marked dropped,
    unsent. It waits for its place in the shared rate
    (emails/ratelimit.py); a relay's "too many" slows every worker down and
    the email is tried again, never counted as its failure."""
    if email.context.get(DROP):
        return _record(email, status=EmailStatus.DROPPED, context={}, last_error="")
    try:
        if email.context:
            _render_stored(email)
        message = build_message(email)
    except Exception as error:  # noqa: BLE001 - every failure is recorded on the row
        return _record_failure(email, error, retry=retry)
    for _ in range(THROTTLES_PER_TASK):
        wait = _wait_for_rate(email.lane)
        if wait:
            return _put_back(email, after=wait, reason="Waiting for the sending rate.")
        try:
            deliver(message)
        except Exception as error:  # noqa: BLE001 - every failure is recorded on the row
            if not is_throttled(error):
                return _record_failure(email, error, retry=retry)
            ratelimit.slow_down()
            last_throttle = error
            continue
        return _record(email, status=EmailStatus.SENT, sent_at=timezone.now(), last_error="")
    return _put_back(email, after=1.0, reason=describe_error(last_throttle))


def _wait_for_rate(lane: str) -> float:
    """Wait here for a place in the rate; returns 0 once it may go, or the
    wait left when that is longer than a task should sit."""
    while wait := ratelimit.take(lane):
        if wait > MAX_WAIT_SECONDS:
            return wait
        time.sleep(wait)
    return 0


def _put_back(email: OutgoingEmail, *, after: float, reason: str) -> OutgoingEmail:
    """Queue the row again for the sweeper, this attempt not counted."""
    logger.info("Email %s put back for %.1f s: %s", email.pk, after, reason)
    return _record(
        email,
        status=EmailStatus.QUEUED,
        attempts=F("attempts") - 1,
        next_attempt_at=timezone.now() + timedelta(seconds=after),
        enqueued_at=None,
        last_error=reason,
    )


def _render_stored(email: OutgoingEmail) -> None:
    subject, text, html, attachments = render_stored(email.kind, email.context)
    _record(
        email, subject=subject, body_text=text, body_html=html, attachments=attachments, context={}
    )
    # Sent as rendered even if the sweeper released the row meanwhile.
    email.subject, email.body_text, email.body_html = subject, text, html
    email.attachments, email.context = attachments, {}


def _record_failure(email: OutgoingEmail, error: Exception, *, retry: RetryPolicy):
    reason = describe_error(error)
    if not is_temporary(error):
        logger.error("Email %s failed for good: %s", email.pk, reason)
        return _record(email, status=EmailStatus.FAILED, last_error=reason)
    if email.attempts >= retry.max_attempts:
        logger.error("Email %s failed %s times; giving up: %s", email.pk, email.attempts, reason)
        reason = f"Gave up after {email.attempts} attempts. {reason}"
        return _record(email, status=EmailStatus.FAILED, last_error=reason)
    delay = retry.delay_after(email.attempts)
    logger.warning("Email %s will be retried in %s: %s", email.pk, delay, reason)
    return _record(
        email,
        status=EmailStatus.QUEUED,
        last_error=reason,
        next_attempt_at=timezone.now() + delay,
        enqueued_at=None,
    )


def _record(email: OutgoingEmail, **fields) -> OutgoingEmail:
    """Write the outcome only while this worker still holds the claim: a row
    released by the sweeper as stuck may be another worker's by now."""
    fields["updated_at"] = timezone.now()
    updated = OutgoingEmail.objects.filter(
        pk=email.pk, status=EmailStatus.SENDING, claimed_at=email.claimed_at
    ).update(**fields)
    if not updated:
        logger.warning("Email %s was released while it was being sent", email.pk)
        return email
    for name, value in fields.items():
        if isinstance(value, F):
            email.refresh_from_db(fields=[name])
        else:
            setattr(email, name, value)
    return email


def is_throttled(error: Exception) -> bool:
    """Whether the relay refused for its rate ("too many"), not the message."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return bool(codes) and all(code in THROTTLE_CODES for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code in THROTTLE_CODES
    return False


def is_temporary(error: Exception) -> bool:
    """Whether trying the same email again later may work. SMTP 4xx,
    timeouts and connection errors may; 5xx and a refused address will not.
    A refused login is counted as temporary: it is our configuration, not
    this email, and the queue should drain once an operator fixes it."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return bool(codes) and all(400 <= code < 500 for code in codes)
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return True
    if isinstance(error, smtplib.SMTPResponseException):
        return not 500 <= error.smtp_code < 600
    # Connection refused or reset, timeouts, SMTPServerDisconnected, and the
    # database lost while rendering a stored context.
    return isinstance(error, OSError | OperationalError | InterfaceError)


def describe_error(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        message = error.smtp_error
        if isinstance(message, bytes):
            message = message.decode(errors="replace")
        text = f"SMTP {error.smtp_code}: {message}"
    elif isinstance(error, smtplib.SMTPRecipientsRefused):
        refusals = [
            f"{address}: SMTP {code} {reply.decode(errors='replace')}"
            for address, (code, reply) in error.recipients.items()
        ]
        text = "Recipient refused: " + "; ".join(refusals)
    else:
        text = str(error) or "no details"
    return f"{type(error).__name__}: {text}"[:2000]
