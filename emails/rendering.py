"""Turns a kind and its context into the subject, text and HTML of an email,
from templates/emails/<kind>_subject.txt, <kind>.txt and <kind>.html.

Most emails are rendered when they are queued, so their text is fixed when
the reason happens. A kind whose context can be read again later (a
registration's emails, caused by the POSTs of a rush) may be rendered by the
worker instead: its app registers a loader with `render_later`, queues a
small JSON context, and the worker turns that back into the templates'
context and attachments just before sending."""

from collections.abc import Callable

from django.conf import settings
from django.template.loader import render_to_string

# stored JSON context -> (the templates' context, attachments)
Loader = Callable[[dict], tuple[dict, list[dict]]]

_loaders: dict[str, Loader] = {}


def render_email(kind: str, context: dict) -> tuple[str, str, str]:
    context = {
        "force_name": settings.FORCE_NAME,
        "site_url": settings.SITE_URL,
        "contact_email": settings.CONTACT_EMAIL,
        "contact_phone": settings.CONTACT_PHONE,
        **context,
    }
    subject = render_to_string(f"emails/{kind}_subject.txt", context)
    subject = " ".join(subject.split())
    text = render_to_string(f"emails/{kind}.txt", context)
    html = render_to_string(f"emails/{kind}.html", context)
    return subject, text, html


def render_later(kind: str, loader: Loader) -> None:
    """Let the worker render emails of `kind` from their stored context.
    Call from an AppConfig.ready(), so web and worker processes both have it."""
    _loaders[kind] = loader


def renders_later(kind: str) -> bool:
    return kind in _loaders


def render_stored(kind: str, stored: dict) -> tuple[str, str, str, list[dict]]:
    """Subject, text, HTML and attachments of an email queued with a stored context."""
    context, attachments = _loaders[kind](stored)
    return (*render_email(kind, context), attachments)
