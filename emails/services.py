"""Writes to the outbox. Callers (events, mentoring, alerts) hand over the
kind, the recipient, the context and a dedupe key; this app knows nothing of
their models.

The row is the truth, the broker only a doorbell: a row is written in the
caller's transaction, a task is enqueued on commit, and the beat sweeper
enqueues whatever is due and was never handed over (broker down), was lost
(broker restarted) or is waiting to be retried. Retries are rows with a later
`next_attempt_at`, never Celery countdowns, which Redis would redeliver after
its visibility timeout and forget if it restarted."""

import base64
import logging
import smtplib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email import encoders
from email.mime.base import MIMEBase
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F
from django.utils import timezone

from .models import EmailStatus, OutgoingEmail
from .queries import email_queued, queued_keys
from .rendering import render_email, render_stored, renders_later
from .retention import ERASED

logger = logging.getLogger(__name__)

WORKER_LOST = "The worker stopped while sending this email."
# What a new row takes from _new_row, and what a resent copy takes from its original.
_ROW_FIELDS = [
    *["kind", "to", "subject", "body_text", "body_html", "attachments", "context", "about"],
    *["next_attempt_at", "enqueued_at", "message_id"],
]


@dataclass(frozen=True)
class EmailToQueue:
    """One email for queue_emails: the same arguments as queue_email. For a
    kind the worker renders (rendering.render_later), `context` is the JSON
    its loader reads."""

    kind: str
    to: str
    context: dict
    dedupe_key: str
    about: str = ""
    attachments: list[dict] = field(default_factory=list)
    # Extra headers for this email only, e.g. List-Unsubscribe (RFC 8058).
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RetryPolicy:
    """How a temporary failure is retried: after `first_delay`, doubling each
    time up to `max_delay`; the attempt numbered `max_attempts` is the last."""

    first_delay: timedelta
    max_delay: timedelta
    max_attempts: int

    def delay_after(self, attempts: int) -> timedelta:
        return min(self.first_delay * 2 ** max(attempts - 1, 0), self.max_delay)


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
    row = _new_row(EmailToQueue(kind, to, context, dedupe_key, about, attachments or []))
    fields = {name: getattr(row, name) for name in _ROW_FIELDS}
    email, created = OutgoingEmail.objects.get_or_create(dedupe_key=dedupe_key, defaults=fields)
    if not created:
        return None
    transaction.on_commit(lambda: enqueue_sends([email.pk], mark=False), robust=True)
    return email


def queue_emails(
    emails: Sequence[EmailToQueue], *, new_reasons: bool = False
) -> list[OutgoingEmail]:
    """Write many outbox rows in one INSERT, skipping reasons queued before,
    and enqueue them together on commit. Call inside the caller's
    transaction, holding a lock that keeps a second run for the same reasons
    out (the unique dedupe_key would otherwise fail the whole batch).
    `new_reasons`: the caller knows no email was queued for these reasons
    (their keys name a row it has just inserted), so nothing is looked up.
    Returns the new rows."""
    skip = set() if new_reasons else queued_keys(email.dedupe_key for email in emails)
    rows = []
    for email in emails:
        if email.dedupe_key not in skip:
            skip.add(email.dedupe_key)
            rows.append(_new_row(email))
    OutgoingEmail.objects.bulk_create(rows)
    if rows:
        ids = [row.pk for row in rows]
        transaction.on_commit(lambda: enqueue_sends(ids, mark=False), robust=True)
    return rows


def _new_row(email: EmailToQueue) -> OutgoingEmail:
    """An unsaved row, rendered now (the text is fixed when the reason
    happens), or holding the context the worker will render it from. The
    Message-ID is fixed too, so a retry after a worker died mid-send carries
    the same one and the receiving server can drop the duplicate. It is
    marked as handed to the broker: its transaction's on-commit hook does
    that, and clears the mark if the broker refuses."""
    now = timezone.now()
    row = OutgoingEmail(
        kind=email.kind,
        dedupe_key=email.dedupe_key,
        to=email.to,
        attachments=email.attachments,
        headers=email.headers,
        about=email.about,
        next_attempt_at=now,
        enqueued_at=now,
        message_id=make_msgid(domain=_message_id_domain()),
    )
    if renders_later(email.kind):
        row.context = email.context
    else:
        row.subject, row.body_text, row.body_html = render_email(email.kind, email.context)
    return row


def _message_id_domain() -> str:
    return settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(" >") or "localhost"


def enqueue_send(email_id: int) -> bool:
    """Hand one row to the broker; see enqueue_sends."""
    return enqueue_sends([email_id]) == 1


def enqueue_sends(email_ids: Iterable[int], *, mark: bool = True) -> int:
    """Hand rows to the broker. Never raises into a web request: when the
    broker is down or silent, stop at the first failure (one short timeout,
    not one per row), log it, and leave the rows to the sweeper. `mark`
    False: the rows were written marked as handed over (new rows are).
    Returns how many were handed over."""
    from .tasks import task_send_email

    ids = list(email_ids)
    if mark:
        # Marked before publishing: a worker may fail the row (and clear the
        # mark, so the sweeper retries it) before apply_async even returns.
        _pending(ids).update(enqueued_at=timezone.now())
    done = 0
    try:
        # One producer for all of them: a pooled connection taken once, not
        # once per row (an event alert hands over a thousand at a time).
        with task_send_email.app.producer_or_acquire() as producer:
            for done, email_id in enumerate(ids):  # noqa: B007 - read in the except
                task_send_email.apply_async(
                    kwargs={"email_id": email_id}, retry=False, producer=producer
                )
    except Exception:  # noqa: BLE001 - the rows are committed; the sweeper sends them
        logger.warning(
            "Broker unavailable: %s email(s) left for the sweeper",
            len(ids) - done,
            exc_info=True,
        )
        _pending(ids[done:]).update(enqueued_at=None)
        return done
    return len(ids)


def _pending(ids: list[int]):
    return OutgoingEmail.objects.filter(pk__in=ids, status=EmailStatus.QUEUED)


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
    was rendered to."""
    try:
        if email.context:
            _render_stored(email)
        build_message(email).send()
    except Exception as error:  # noqa: BLE001 - every failure is recorded on the row
        return _record_failure(email, error, retry=retry)
    return _record(email, status=EmailStatus.SENT, sent_at=timezone.now(), last_error="")


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
    if updated:
        for name, value in fields.items():
            setattr(email, name, value)
    else:
        logger.warning("Email %s was released while it was being sent", email.pk)
    return email


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


def release_stuck_emails(*, now: datetime, stuck_after: timedelta, max_attempts: int) -> int:
    """Queue again the rows a worker claimed and never finished (it died, or
    lost the database). If the SMTP server had accepted the message, the
    retry repeats it with the same Message-ID. A row that keeps killing its
    worker fails after `max_attempts`. Returns how many were released."""
    stuck = OutgoingEmail.objects.stuck(now=now, stuck_after=stuck_after)
    failed = stuck.filter(attempts__gte=max_attempts).update(
        status=EmailStatus.FAILED, last_error=f"{WORKER_LOST} Gave up.", updated_at=now
    )
    released = stuck.update(
        status=EmailStatus.QUEUED,
        next_attempt_at=now,
        enqueued_at=None,
        last_error=WORKER_LOST,
        updated_at=now,
    )
    if failed or released:
        logger.warning("Outbox: %s stuck email(s) queued again, %s failed", released, failed)
    return released


def sweep_outbox(
    *,
    now: datetime | None = None,
    stuck_after: timedelta,
    lost_after: timedelta,
    max_attempts: int,
    batch_size: int = 500,
) -> int:
    """What beat runs every minute: release stuck rows, then hand the broker
    the due rows it has not got (never handed over, lost, or retries), the
    longest waiting first. Returns how many were handed over."""
    now = now or timezone.now()
    release_stuck_emails(now=now, stuck_after=stuck_after, max_attempts=max_attempts)
    due = (
        OutgoingEmail.objects.to_enqueue(now=now, lost_after=lost_after)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:batch_size]
    )
    return enqueue_sends(list(due))


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
            **{name: getattr(email, name) for name in _ROW_FIELDS},
            "headers": email.headers,
            "next_attempt_at": now,
            "enqueued_at": None,
            "message_id": make_msgid(domain=_message_id_domain()),
        },
    )
    if not created:
        return None
    transaction.on_commit(lambda: enqueue_send(copy.pk), robust=True)
    return copy
