"""Claiming rows, waiting for their place in the shared sending rate,
sending them over the worker's open connection, and recording what
happened.

A send task carries a batch of row ids (broker.py hands them over fifty at a
time). The worker claims them a few at a time, one UPDATE for each few, and
writes each email's outcome, with the text it was rendered to, in one UPDATE
right after the relay answers: a worker that dies leaves at most a few rows
"sending" for the sweeper, and at most the one in flight may go twice (with
the same Message-ID). A task stops after about a second (checked before each
email) and hands the rest of its batch back to the broker, behind any
transactional email that came in meanwhile."""

import base64
import contextlib
import logging
import smtplib
import time
from dataclasses import dataclass
from datetime import timedelta
from email import encoders
from email.mime.base import MIMEBase

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import InterfaceError, OperationalError, connection
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
# Rows claimed by one UPDATE: few enough that a worker dying mid-batch leaves
# only these for the sweeper, enough that the claim costs little per email.
CLAIM_SIZE = 10


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
    """Claim one row; see claim_emails."""
    claimed = claim_emails([email_id])
    return claimed[0] if claimed else None


# Claiming and recording a sent email are the two statements a bulk send
# makes for every email, so they are written out: the ORM spent three times
# the statement's own time building them (1 ms against 0.3 here).
_CLAIM = """
    UPDATE {table} SET status = %s, claimed_at = %s, attempts = attempts + 1
    WHERE id IN ({ids}) AND status = %s AND next_attempt_at <= %s
    RETURNING *
"""
_SENT = """
    UPDATE {table} SET status = %s, sent_at = %s, last_error = '', updated_at = %s
    WHERE id = %s AND status = %s AND claimed_at = %s
"""


def _as_stored(moment):
    """A time as the ORM would write it (SQLite keeps text: the ORM's and the
    driver's differ, and a claim is matched by equality)."""
    return connection.ops.adapt_datetimefield_value(moment)


def claim_emails(email_ids: list[int]) -> list[OutgoingEmail]:
    """Mark the due rows among `email_ids` as sending, unless another worker
    has them, and return them in the order given. One UPDATE ... RETURNING:
    a worker claiming the same rows at the same moment waits for this one's
    row locks, then finds them sending and skips them, so no row is ever
    claimed twice."""
    if not email_ids:
        return []
    now = timezone.now()
    sql = _CLAIM.format(table=OutgoingEmail._meta.db_table, ids=", ".join(["%s"] * len(email_ids)))
    at = _as_stored(now)
    params = [EmailStatus.SENDING, at, *email_ids, EmailStatus.QUEUED, at]
    rows = list(OutgoingEmail.objects.raw(sql, params))
    order = {pk: position for position, pk in enumerate(email_ids)}
    return sorted(rows, key=lambda row: order[row.pk])


def send_emails(email_ids: list[int], *, retry: RetryPolicy, budget: float) -> list[int]:
    """Claim and send the due rows among `email_ids`, CLAIM_SIZE at a time,
    each as send_email does. Once `budget` seconds have passed, stop before
    the next email, put back the rows claimed and not sent, and return them
    with the ids not yet claimed, for the caller to hand back to the broker:
    so no row stays claimed for longer than its own send takes. When the
    rate says wait longer than a task should (a daily limit reached, a long
    pause), everything left is put back for the sweeper once the wait is
    over, and nothing is returned. If sending fails with an error of its own
    (the database gone), the rows not claimed are left for the sweeper too."""
    todo = list(email_ids)
    deadline = time.monotonic() + budget
    try:
        with _not_waiting_for_the_disk():
            return _send_batch(todo, retry=retry, deadline=deadline)
    except Exception:
        with contextlib.suppress(Exception):
            _leave_for_sweeper(todo, after=0)
        raise


def _send_batch(todo: list[int], *, retry: RetryPolicy, deadline: float) -> list[int]:
    """send_emails's loop. `todo` holds the ids not claimed yet; it shrinks as
    rows are claimed, so that the caller knows what is left after an error."""
    started = False
    while todo:
        claimed = claim_emails(todo[:CLAIM_SIZE])
        del todo[:CLAIM_SIZE]
        for position, email in enumerate(claimed):
            # Every task sends one email at least, however late it starts.
            if started and time.monotonic() >= deadline:
                left = claimed[position:]
                _release(left)
                return [row.pk for row in left] + todo
            started = True
            if wait := _send_claimed(email, retry=retry):
                for left in claimed[position + 1 :]:
                    _put_back(left, after=wait, reason="Waiting for the sending rate.")
                _leave_for_sweeper(todo, after=wait)
                return []
    return []


def _release(emails: list[OutgoingEmail]) -> None:
    """Give up this worker's claim on rows it has not started to send: they
    are queued again as they were (still with the broker), the attempt not
    counted."""
    OutgoingEmail.objects.filter(
        pk__in=[email.pk for email in emails],
        status=EmailStatus.SENDING,
        claimed_at=emails[0].claimed_at,  # one claim: claim_emails gave them one time
    ).update(status=EmailStatus.QUEUED, attempts=F("attempts") - 1, updated_at=timezone.now())


def _leave_for_sweeper(email_ids: list[int], *, after: float) -> None:
    """Unclaimed rows of a batch that cannot go for a while: not due before
    `after` seconds, and no longer marked as handed to the broker, so the
    sweeper hands them over again once they are due."""
    OutgoingEmail.objects.filter(pk__in=email_ids, status=EmailStatus.QUEUED).update(
        next_attempt_at=timezone.now() + timedelta(seconds=after),
        enqueued_at=None,
        updated_at=timezone.now(),
    )


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
    """Send a row claimed by claim_email(s) and record what happened: sent;
    queued again after a growing delay for a temporary failure; failed for a
    permanent one, or once `retry.max_attempts` attempts have failed. An
    email queued with a stored context is rendered first, and keeps what it
    was rendered to (written with the outcome, in the same UPDATE). A row
    queued to be dropped (DROP) is marked dropped, unsent. It waits for its
    place in the shared rate (emails/ratelimit.py); a relay's "too many"
    slows every worker down and the email is tried again, never counted as
    its failure."""
    _send_claimed(email, retry=retry)
    return email


def _send_claimed(email: OutgoingEmail, *, retry: RetryPolicy) -> float:
    """send_email's work. Returns 0, or the seconds to wait for the rate when
    the email was put back because that wait is longer than a task should sit."""
    if email.context.get(DROP):
        _record(email, status=EmailStatus.DROPPED, context={}, last_error="")
        return 0
    rendered: dict = {}
    try:
        if email.context:
            rendered = _render_stored(email)
        message = build_message(email)
    except Exception as error:  # noqa: BLE001 - every failure is recorded on the row
        _record_failure(email, error, retry=retry, **rendered)
        return 0
    for _ in range(THROTTLES_PER_TASK):
        if wait := _wait_for_rate(email.lane):
            _put_back(email, after=wait, reason="Waiting for the sending rate.", **rendered)
            return wait
        try:
            deliver(message)
        except Exception as error:  # noqa: BLE001 - every failure is recorded on the row
            if not is_throttled(error):
                _record_failure(email, error, retry=retry, **rendered)
                return 0
            ratelimit.slow_down()
            last_throttle = error
            continue
        _record_sent(email, **rendered)
        return 0
    _put_back(email, after=1.0, reason=describe_error(last_throttle), **rendered)
    return 0


def _wait_for_rate(lane: str) -> float:
    """Wait here for a place in the rate; returns 0 once it may go, or the
    wait left when that is longer than a task should sit."""
    while wait := ratelimit.take(lane):
        if wait > MAX_WAIT_SECONDS:
            return wait
        time.sleep(wait)
    return 0


def _put_back(email: OutgoingEmail, *, after: float, reason: str, **fields) -> OutgoingEmail:
    """Queue the row again for the sweeper, this attempt not counted."""
    logger.info("Email %s put back for %.1f s: %s", email.pk, after, reason)
    return _record(
        email,
        **fields,
        status=EmailStatus.QUEUED,
        attempts=F("attempts") - 1,
        next_attempt_at=timezone.now() + timedelta(seconds=after),
        enqueued_at=None,
        last_error=reason,
    )


def _render_stored(email: OutgoingEmail) -> dict:
    """Render a row queued with a stored context. Returns the fields to
    write with the outcome; the row in hand is sent as rendered even if the
    sweeper released it meanwhile."""
    subject, text, html, attachments = render_stored(email.kind, email.context)
    rendered = {
        "subject": subject,
        "body_text": text,
        "body_html": html,
        "attachments": attachments,
        "context": {},
    }
    for name, value in rendered.items():
        setattr(email, name, value)
    return rendered


def _record_failure(email: OutgoingEmail, error: Exception, *, retry: RetryPolicy, **fields):
    reason = describe_error(error)
    if not is_temporary(error):
        logger.error("Email %s failed for good: %s", email.pk, reason)
        return _record(email, status=EmailStatus.FAILED, last_error=reason, **fields)
    if email.attempts >= retry.max_attempts:
        logger.error("Email %s failed %s times; giving up: %s", email.pk, email.attempts, reason)
        reason = f"Gave up after {email.attempts} attempts. {reason}"
        return _record(email, status=EmailStatus.FAILED, last_error=reason, **fields)
    delay = retry.delay_after(email.attempts)
    logger.warning("Email %s will be retried in %s: %s", email.pk, delay, reason)
    return _record(
        email,
        status=EmailStatus.QUEUED,
        last_error=reason,
        next_attempt_at=timezone.now() + delay,
        enqueued_at=None,
        **fields,
    )


def _record_sent(email: OutgoingEmail, **rendered) -> None:
    """Record a sent email, as _record does (only while this worker holds the
    claim), in the written-out statement when there is no rendered text to
    keep (every bulk email: it was rendered when queued)."""
    now = timezone.now()
    if rendered:
        _record(email, status=EmailStatus.SENT, sent_at=now, last_error="", **rendered)
        return
    at, claim = _as_stored(now), _as_stored(email.claimed_at)
    params = [EmailStatus.SENT, at, at, email.pk, EmailStatus.SENDING, claim]
    with connection.cursor() as cursor:
        cursor.execute(_SENT.format(table=OutgoingEmail._meta.db_table), params)
        if not cursor.rowcount:
            logger.warning("Email %s was released while it was being sent", email.pk)
            return
    email.status, email.sent_at, email.last_error, email.updated_at = (
        EmailStatus.SENT,
        now,
        "",
        now,
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


@contextlib.contextmanager
def _not_waiting_for_the_disk():
    """While a batch is sent, its claims and outcomes commit without waiting
    for PostgreSQL to flush them to disk (asynchronous commit: 0.3 ms a
    write instead of about 5 here). Only a crash of PostgreSQL itself can
    lose them, and only the last fraction of a second's: a row is then
    queued or "sending" again and goes once more with the same Message-ID,
    as after a worker died mid-send. Nothing else commits this way: the
    setting is the connection's for the batch and is reset after it."""
    postgresql = connection.vendor == "postgresql"
    if postgresql:
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        if postgresql:
            with contextlib.suppress(Exception), connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")


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
