"""manage.py export_personal_data EMAIL [--output FILE] [--by NAME]"""

import json
import os
import stat
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from privacy.models import AuditEntry

from .conftest import OTHER, ZOE

pytestmark = pytest.mark.django_db


def export(*args):
    out, err = StringIO(), StringIO()
    call_command("export_personal_data", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_prints_the_export_as_json(zoe, other):
    out, err = export(ZOE.upper(), "--by", "jo.ops")

    data = json.loads(out)
    assert len(data["registrations"]) == 3
    assert data["registrations"][0]["first_name"] == "Zoë"
    assert data["equality_monitoring"]["status"] == "not linkable"
    assert OTHER not in out
    assert err == ""
    assert AuditEntry.objects.get().operator == "jo.ops"


def test_the_operator_defaults_to_the_login_on_the_server(zoe, monkeypatch):
    monkeypatch.setenv("LOGNAME", "ops-login")

    export(ZOE)

    assert AuditEntry.objects.get().operator == "ops-login"


def test_output_goes_to_a_new_file_only_its_owner_can_read(zoe, tmp_path):
    path = tmp_path / "sar.json"

    out, _ = export(ZOE, "--output", str(path))

    assert json.loads(path.read_text(encoding="utf-8"))["alert_subscriptions"]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert str(path) in out
    assert ZOE not in out


def test_an_existing_file_is_never_overwritten(zoe, tmp_path):
    path = tmp_path / "sar.json"
    path.write_text("keep me")

    with pytest.raises(CommandError, match="exists already"):
        export(ZOE, "--output", str(path))

    assert path.read_text() == "keep me"
    assert not AuditEntry.objects.exists()


def test_an_unknown_address_gets_an_empty_export_a_clear_message_and_an_audit_entry(db):
    out, err = export("nobody@example.org")

    assert json.loads(out)["registrations"] == []
    assert "Nothing is held about that address" in err
    assert AuditEntry.objects.count() == 1


def test_a_bad_address_is_refused_and_leaves_no_file(db, tmp_path):
    path = tmp_path / "sar.json"

    with pytest.raises(CommandError, match="Give the email address"):
        export("not an address", "--output", str(path))

    assert not path.exists()
    assert not AuditEntry.objects.exists()
