"""Erasing what the outbox holds about people once it is no longer needed."""

from datetime import datetime

from .models import EmailStatus, OutgoingEmail

ERASED = "[erased]"


def erase_emails_before(cutoff: datetime) -> int:
    """Blank the recipient, text and attachments of every email created
    before `cutoff` that is not being sent right now, keeping the row (kind,
    status, dates) so counts survive. One UPDATE; returns rows erased."""
    return (
        OutgoingEmail.objects.filter(created_at__lt=cutoff)
        .exclude(status=EmailStatus.SENDING)
        .exclude(to=ERASED)
        .update(
            to=ERASED,
            subject=ERASED,
            body_text="",
            body_html="",
            attachments=[],
            headers={},
            last_error="",
            about="",
        )
    )
