import re

import pytest
from django.conf import settings

from emails.models import OutgoingEmail
from tests.factories import ensure_roles


@pytest.fixture(autouse=True)
def _roles(db):
    """The roles come from a migration; a transactional test elsewhere may
    have emptied the reused test database of them."""
    ensure_roles()


def link_token(email: OutgoingEmail, *, path: str = "confirm") -> str:
    """The secret token in an email's /alerts/<path>/<token>/ link."""
    match = re.search(re.escape(settings.SITE_URL) + rf"/alerts/{path}/([^/\s]+)/", email.body_text)
    assert match, f"no /alerts/{path}/ link in:\n{email.body_text}"
    return match.group(1)


def emails_of_kind(kind: str) -> list[OutgoingEmail]:
    return list(OutgoingEmail.objects.filter(kind=kind).order_by("pk"))
