"""Erasing what the outbox holds about people once it is no longer needed."""

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Value
from django.db.models.functions import StrIndex, Substr

from .models import EmailStatus, OutgoingEmail
from .queries import emails_to

ERASED = "[erased]"
# Everything that could identify the person; kind, status and dates stay.
ERASED_FIELDS = {
    "to": ERASED,
    "subject": ERASED,
    "body_text": "",
    "body_html": "",
    "attachments": [],
    "headers": {},
    "context": {},
    "last_error": "",
    # "mentoring_request:7" becomes "mentoring_request:": the record is gone,
    # but what kind of record it was stays, so a row hidden from some staff
    # (emails/restrictions.py) stays hidden from them once blanked.
    "about": Substr("about", 1, StrIndex("about", Value(":"))),
}
# What an email that was still waiting to go says once its person is erased.
ERASED_BEFORE_SENDING = "Not sent: erased on request before it went."


def erase_emails_before(cutoff: datetime) -> int:
    """Blank the recipient, text and attachments of every email created
    before `cutoff` that is not being sent right now, keeping the row (kind,
    status, dates) so counts survive. One UPDATE; returns rows erased."""
    ids = list(
        OutgoingEmail.objects.filter(created_at__lt=cutoff)
        .exclude(status=EmailStatus.SENDING)
        .exclude(to=ERASED)
        .values_list("pk", flat=True)
    )
    return _erase(ids)


def erase_emails_about(abouts: Iterable[str]) -> int:
    """Blank every email about these records (`about`, e.g. "mentoring_request:7")
    at once, whatever its status, when the records themselves are erased
    (a withdrawn mentoring request). Call it in the caller's transaction.
    Returns rows erased."""
    return _erase(
        list(OutgoingEmail.objects.filter(about__in=list(abouts)).values_list("pk", flat=True))
    )


def erase_emails_to(addresses: Iterable[str], *, abouts: Iterable[str] = ()) -> int:
    """Blank every email to any of `addresses` (case-insensitive) or about
    any of `abouts`, whatever its status, when a person asks to be erased.
    An email still waiting to go is stopped (failed, with
    ERASED_BEFORE_SENDING): it would otherwise be sent to "[erased]". Call
    it in the caller's transaction. Returns rows erased."""
    return _erase(list(emails_to(addresses, abouts=abouts).values_list("pk", flat=True)))


def _erase(ids: list[int]) -> int:
    """Blank these rows; stop any still waiting to go (failed, with
    ERASED_BEFORE_SENDING): it would otherwise be sent to "[erased]"."""
    erased = OutgoingEmail.objects.filter(pk__in=ids).update(**ERASED_FIELDS)
    OutgoingEmail.objects.filter(pk__in=ids, status=EmailStatus.QUEUED).update(
        status=EmailStatus.FAILED, last_error=ERASED_BEFORE_SENDING
    )
    return erased
