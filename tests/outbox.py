"""Reading the outbox in tests. A registration's emails are rendered by the
worker from a stored context (events/registration_emails.py); tests run in
a transaction whose on-commit hooks, which would send them, never fire, so
`as_sent` renders a row here exactly as the worker would."""

from django.db.models import Q

from emails.models import EmailStatus, OutgoingEmail
from emails.rendering import render_stored
from emails.services import DROP, EmailToQueue


def to_be_sent():
    """The outbox without the rows a repeat on a public form writes only to
    do the same work as a first time, which the worker drops unsent."""
    dropped = Q(context__has_key=DROP) | Q(status=EmailStatus.DROPPED)
    return OutgoingEmail.objects.exclude(dropped)


def as_sent(email: OutgoingEmail) -> OutgoingEmail:
    if email.context:
        subject, text, html, attachments = render_stored(email.kind, email.context)
        email.subject, email.body_text, email.body_html = subject, text, html
        email.attachments = attachments
    return email


def alert(n: int, event) -> EmailToQueue:
    """Event alert number `n` (to n@example.com), as an alert run queues it:
    bulk, rendered when written."""
    context = {
        "event": event,
        "event_url": "https://events.example.org/e/",
        "role_names": "Police officer",
        "manage_url": "https://events.example.org/m/",
        "unsubscribe_url": "https://events.example.org/u/",
    }
    return EmailToQueue("event_alert", f"{n}@example.com", context, f"alert:{n}")
