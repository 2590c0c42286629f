"""Login lockout: five wrong passwords for one account from one address
lock it for half an hour, with a clear page; an administrator can unlock."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

pytestmark = pytest.mark.django_db
LOGIN = "/admin/login/?next=/admin/"


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_user(
        "jo@herts.example.org", "jo@herts.example.org", "right-password-123", is_staff=True
    )


def sign_in(client, password, *, address="10.0.0.1"):
    return client.post(
        LOGIN,
        {"username": "jo@herts.example.org", "password": password},
        REMOTE_ADDR=address,
    )


def test_the_login_page_says_when_sign_in_is_locked(client):
    page = client.get(LOGIN).content.decode()

    assert "After 5 wrong passwords in a row" in page
    assert "locked for 30 minutes" in page


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(client, staff):
    for _ in range(4):
        assert sign_in(client, "wrong").status_code == 200

    fifth = sign_in(client, "wrong")
    right = sign_in(client, "right-password-123")

    assert fifth.status_code == 429
    assert right.status_code == 429
    page = right.content.decode()
    assert "Sign-in is locked for now" in page
    assert "locked for 30 minutes" in page
    assert "_auth_user_id" not in client.session


def test_the_lock_is_per_address_so_the_right_person_elsewhere_still_signs_in(client, staff):
    for _ in range(5):
        sign_in(client, "wrong", address="10.0.0.1")

    elsewhere = sign_in(client, "right-password-123", address="10.0.0.2")

    assert elsewhere.status_code == 302


def test_an_administrator_unlocks_with_axes_reset_username(client, staff):
    for _ in range(5):
        sign_in(client, "wrong")

    call_command("axes_reset_username", "jo@herts.example.org", verbosity=0)
    response = sign_in(client, "right-password-123")

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(staff.pk)


def test_a_right_password_resets_the_count(client, staff):
    for _ in range(4):
        sign_in(client, "wrong")
    sign_in(client, "right-password-123")
    client.logout()

    for _ in range(4):
        sign_in(client, "wrong")
    response = sign_in(client, "right-password-123")

    assert response.status_code == 302
