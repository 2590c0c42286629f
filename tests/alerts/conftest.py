import re

from django.conf import settings

from emails.models import OutgoingEmail


def link_token(email: OutgoingEmail, *, path: str = "confirm") -> str:
    """The secret token in an email's /alerts/<path>/<token>/ link."""
    match = re.search(re.escape(settings.SITE_URL) + rf"/alerts/{path}/([^/\s]+)/", email.body_text)
    assert match, f"no /alerts/{path}/ link in:\n{email.body_text}"
    return match.group(1)


def emails_of_kind(kind: str) -> list[OutgoingEmail]:
    return list(OutgoingEmail.objects.filter(kind=kind).order_by("pk"))
