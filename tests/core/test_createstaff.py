"""manage.py createstaff: a staff account in one of the staff groups."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from core.groups import POSITIVE_ACTION, WORKFORCE_DEVELOPMENT

pytestmark = pytest.mark.django_db


def createstaff(*args, **options):
    out = StringIO()
    call_command("createstaff", *args, stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


def test_no_input_makes_a_staff_account_in_the_group_and_prints_a_one_time_password(client):
    output = createstaff(
        "Jo.Bloggs@herts.example.org", "--group", WORKFORCE_DEVELOPMENT, "--no-input"
    )

    user = get_user_model().objects.get(username="Jo.Bloggs@herts.example.org")
    password = output.split("One-time password: ")[1].split()[0]
    assert user.is_staff
    assert not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == [WORKFORCE_DEVELOPMENT]
    assert len(password) >= 16
    assert user.check_password(password)
    assert user.has_perm("events.change_event")


def test_it_asks_for_the_password_twice_and_checks_the_rules(monkeypatch):
    answers = iter(["short", "short", "a-much-longer-passphrase", "a-much-longer-passphrase"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))

    output = createstaff("sam@herts.example.org", "--group", POSITIVE_ACTION)

    user = get_user_model().objects.get(username="sam@herts.example.org")
    assert user.check_password("a-much-longer-passphrase")
    assert "One-time password" not in output
    assert not user.has_perm("events.view_event")


def test_an_existing_account_is_added_to_the_group_with_its_password_kept():
    user = get_user_model().objects.create_user("jo@herts.example.org", password="kept-password-1")

    createstaff("jo@herts.example.org", "--group", POSITIVE_ACTION, "--no-input")

    user.refresh_from_db()
    assert user.is_staff
    assert user.check_password("kept-password-1")
    assert user.groups.filter(name=POSITIVE_ACTION).exists()


def test_an_unknown_group_or_a_bad_address_is_refused():
    with pytest.raises(CommandError):
        createstaff("jo@herts.example.org", "--group", "Everyone", "--no-input")
    with pytest.raises(CommandError):
        createstaff("not-an-address", "--group", WORKFORCE_DEVELOPMENT, "--no-input")

    assert not get_user_model().objects.exists()
