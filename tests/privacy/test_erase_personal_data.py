"""manage.py erase_personal_data EMAIL [--yes] [--by NAME]"""

import io
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from events.models import Registration
from privacy.models import AuditAction, AuditEntry

from .conftest import ZOE
from .support import traces_of

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parents[2]


class Terminal(io.StringIO):
    """Standard input at a terminal, with what the operator types."""

    def isatty(self):
        return True


def erase(*args, stdin=None, monkeypatch=None):
    if monkeypatch is not None:
        monkeypatch.setattr(sys, "stdin", stdin)
    out = StringIO()
    call_command("erase_personal_data", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_with_yes_it_erases_and_says_what_it_did(zoe):
    out = erase(ZOE, "--yes", "--by", "jo.ops")

    assert "Erased." in out
    assert "registrations anonymised: 3" in out
    assert traces_of(ZOE) == []
    assert AuditEntry.objects.get().action == AuditAction.ERASE


def test_at_a_terminal_it_says_what_it_found_and_erases_on_yes(zoe, monkeypatch):
    out = erase(ZOE.upper(), stdin=Terminal("yes\n"), monkeypatch=monkeypatch)

    assert "3 registration(s), anonymised; 1 of them for events still to come" in out
    assert "1 positive-action request(s)" in out
    assert "Erased." in out
    assert traces_of(ZOE) == []


def test_at_a_terminal_anything_but_yes_erases_nothing(zoe, monkeypatch):
    out = erase(ZOE, stdin=Terminal("y\n"), monkeypatch=monkeypatch)

    assert out.endswith("Nothing erased.\n")
    assert Registration.objects.filter(email=ZOE).exists()
    assert not AuditEntry.objects.exists()


def test_without_a_terminal_it_refuses_unless_told_yes(zoe, monkeypatch):
    with pytest.raises(CommandError, match="no terminal"):
        erase(ZOE, stdin=io.StringIO("yes\n"), monkeypatch=monkeypatch)

    assert Registration.objects.filter(email=ZOE).exists()
    assert not AuditEntry.objects.exists()


def test_run_with_no_terminal_it_exits_with_an_error_before_touching_anything():
    # The real process, stdin from /dev/null as under cron or a pipeline.
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}

    result = subprocess.run(
        [sys.executable, "manage.py", "erase_personal_data", ZOE],
        cwd=BASE_DIR,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 1
    assert "no terminal to ask for confirmation" in result.stderr


def test_an_unknown_address_is_a_clear_message_not_an_error(db):
    out = erase("Nobody.Ünknown@example.org", "--yes")

    assert "Nothing was held about that address" in out
    entry = AuditEntry.objects.get()
    assert set(entry.counts.values()) == {0}


def test_a_bad_address_is_refused(db):
    with pytest.raises(CommandError, match="Give the email address"):
        erase("@", "--yes")

    assert not AuditEntry.objects.exists()
