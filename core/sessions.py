"""SESSION_ENGINE: Django's database sessions, without a query per new
session to ask whether its random key is taken. A key is 32 characters from
36 (about 165 bits); the insert with must_create still refuses a clash, and
Django then tries another key. One statement less for every candidate who
registers."""

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.utils.crypto import get_random_string


class SessionStore(db.SessionStore):
    def _get_new_session_key(self):
        return get_random_string(32, VALID_KEY_CHARS)


def forget(request, *keys: str) -> None:
    """Drop `keys` from the visitor's session, once what they pointed at is
    withdrawn or erased. A session left empty is deleted, row and all:
    Django would otherwise keep the old row (with the address in it) until
    it expired, as it never saves an empty session."""
    session = request.session
    for key in keys:
        session.pop(key, None)
    if not session.keys():
        session.flush()
