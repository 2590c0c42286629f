"""core/sessions.py: a new session costs one INSERT, and a key that is
taken already is never reused: the insert refuses it and another is drawn."""

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import sessions
from core.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_a_new_session_is_saved_without_asking_whether_its_key_is_taken():
    store = SessionStore()
    store["registered_email"] = "sam@example.com"

    with CaptureQueriesContext(connection) as queries:
        store.save()

    statements = [query["sql"].split()[0] for query in queries]
    assert "SELECT" not in statements
    assert Session.objects.filter(session_key=store.session_key).exists()


def test_a_key_already_taken_is_not_reused(monkeypatch):
    taken = SessionStore()
    taken["registered_email"] = "first@example.com"
    taken.save()
    keys = iter([taken.session_key, "b" * 32])
    monkeypatch.setattr(sessions, "get_random_string", lambda *args: next(keys))

    second = SessionStore()
    second["registered_email"] = "second@example.com"
    second.save()

    assert second.session_key == "b" * 32
    assert SessionStore(taken.session_key).load()["registered_email"] == "first@example.com"
