"""Reading the outbox in tests. A registration's emails are rendered by the
worker from a stored context (events/registration_emails.py); tests run in
a transaction whose on-commit hooks, which would send them, never fire, so
`as_sent` renders a row here exactly as the worker would."""

from emails.models import OutgoingEmail
from emails.rendering import render_stored


def as_sent(email: OutgoingEmail) -> OutgoingEmail:
    if email.context:
        subject, text, html, attachments = render_stored(email.kind, email.context)
        email.subject, email.body_text, email.body_html = subject, text, html
        email.attachments = attachments
    return email
