import re

from django.conf import settings

from emails.models import OutgoingEmail
from tests.outbox import as_sent, to_be_sent


def link_token(email: OutgoingEmail, *, path: str = "confirm") -> str:
    """The secret token in an email's /alerts/<path>/<token>/ link."""
    match = re.search(re.escape(settings.SITE_URL) + rf"/alerts/{path}/([^/\s]+)/", email.body_text)
    assert match, f"no /alerts/{path}/ link in:\n{email.body_text}"
    return match.group(1)


def emails_of_kind(kind: str) -> list[OutgoingEmail]:
    """The `kind` emails that will go, as the worker writes them."""
    return [as_sent(email) for email in to_be_sent().filter(kind=kind).order_by("pk")]
