"""Login lockout (django-axes): ten failures (wrong passwords, wrong
second-factor codes or failed passkeys) lock the username for half an hour
from every address, and LOGIN_ADDRESS_FAILURE_LIMIT (default 50: an office
may share one NAT address) from one address lock that address; a clear page says so; an
administrator can unlock; only a complete sign-in clears the count."""

import pytest
from django.core.management import call_command
from django.test import Client

from tests.support.staff import authenticator_app, current_code, make_staff_user

pytestmark = pytest.mark.django_db
LOGIN = "/admin/login/?next=/admin/"
USERNAME = "jo@herts.example.org"
PASSWORD = "right-password-123"
LIMIT = 10
ADDRESS_LIMIT = 50  # LOGIN_ADDRESS_FAILURE_LIMIT's default


@pytest.fixture
def staff(db):
    return make_staff_user(username=USERNAME, password=PASSWORD)


def sign_in(client, password, *, address="10.0.0.1", username=USERNAME):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def second_factor(client, code, *, address="10.0.0.1"):
    return client.post("/admin/second-factor/", {"code": code}, REMOTE_ADDR=address)


def wrong_code(device) -> str:
    return f"{(int(current_code(device)) + 1) % 1_000_000:06d}"


def test_the_login_page_says_when_sign_in_is_locked(client):
    page = client.get(LOGIN).content.decode()

    assert f"After {LIMIT} wrong passwords, codes or passkeys for one account" in page
    assert f"after {ADDRESS_LIMIT} from one computer or network" in page
    assert "locked for 30 minutes" in page


def test_ten_wrong_passwords_lock_the_account_even_for_the_right_one(client, staff):
    for _ in range(LIMIT - 1):
        assert sign_in(client, "wrong").status_code == 200

    last = sign_in(client, "wrong")
    right = sign_in(client, PASSWORD)

    assert last.status_code == 429
    assert right.status_code == 429
    page = right.content.decode()
    assert "Sign-in is locked for now" in page
    assert "locked for 30 minutes" in page
    assert "_auth_user_id" not in client.session


def test_wrong_passwords_spread_over_many_addresses_lock_the_username(client, staff):
    for number in range(LIMIT):
        sign_in(Client(), "wrong", address=f"203.0.113.{number + 1}")

    from_elsewhere = sign_in(client, PASSWORD, address="198.51.100.7")

    assert from_elsewhere.status_code == 429
    assert "_auth_user_id" not in client.session


def test_wrong_passwords_for_many_usernames_lock_the_address_at_its_own_limit(client, staff):
    for number in range(ADDRESS_LIMIT - 1):
        sign_in(Client(), "wrong", username=f"guess{number}@herts.example.org")
    below_the_limit = sign_in(Client(), PASSWORD)  # an office's typos lock nobody out
    Client().post("/admin/logout/")
    sign_in(Client(), "wrong", username="one.more@herts.example.org")

    same_address = sign_in(client, PASSWORD, address="10.0.0.1")
    other_address = sign_in(Client(), PASSWORD, address="10.0.0.2")

    assert below_the_limit.status_code == 302
    assert same_address.status_code == 429
    assert "Sign-in is locked for now" in same_address.content.decode()
    assert other_address.status_code == 302


def test_the_address_limit_is_a_setting_of_its_own(client, staff, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    for number in range(3):
        sign_in(Client(), "wrong", username=f"guess{number}@herts.example.org")

    same_address = sign_in(client, PASSWORD)
    username_elsewhere = sign_in(Client(), PASSWORD, address="10.0.0.2")

    assert same_address.status_code == 429
    assert username_elsewhere.status_code == 302  # the username's own limit is still 10


def test_a_username_locks_at_ten_whatever_the_address_limit(client, staff, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 1000
    for _ in range(LIMIT):
        sign_in(Client(), "wrong")  # all from one address

    response = sign_in(client, PASSWORD, address="198.51.100.7")

    assert response.status_code == 429


def test_wrong_second_factor_codes_count_and_lock_the_username(client, staff):
    device = authenticator_app(staff)
    sign_in(client, PASSWORD)
    for _ in range(LIMIT - 1):
        assert second_factor(client, wrong_code(device)).status_code == 200

    last = second_factor(client, wrong_code(device))
    again = Client()
    password_again = sign_in(again, PASSWORD, address="198.51.100.7")

    assert last.status_code == 429
    assert "Sign-in is locked for now" in last.content.decode()
    assert "_auth_user_id" not in client.session  # signed out of the half-done sign-in
    assert password_again.status_code == 429


def test_a_right_password_alone_does_not_reset_the_count(client, staff):
    authenticator_app(staff)
    for _ in range(LIMIT - 1):
        sign_in(client, "wrong")
    sign_in(client, PASSWORD)  # then no second factor
    client.post("/admin/logout/")

    response = sign_in(client, "wrong")

    assert response.status_code == 429


def test_a_complete_sign_in_resets_the_count(client, staff):
    device = authenticator_app(staff)
    for _ in range(LIMIT - 1):
        sign_in(client, "wrong")
    sign_in(client, PASSWORD)
    assert second_factor(client, current_code(device)).status_code == 302
    client.post("/admin/logout/")

    for _ in range(LIMIT - 1):
        sign_in(client, "wrong")
    response = sign_in(client, PASSWORD)

    assert response.status_code == 302


def test_an_administrator_unlocks_with_axes_reset_username(client, staff):
    for number in range(LIMIT):
        sign_in(Client(), "wrong", address=f"203.0.113.{number + 1}")

    call_command("axes_reset_username", USERNAME, verbosity=0)
    response = sign_in(client, PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(staff.pk)


PASSKEY_BEGIN = "/admin/passkeys/authentication/begin/"
PASSKEY_COMPLETE = "/admin/passkeys/authentication/complete/"
# What a browser sends back for a passkey this site never registered.
UNKNOWN_PASSKEY = {
    "id": "bm90LWEtcGFzc2tleQ",
    "rawId": "bm90LWEtcGFzc2tleQ",
    "type": "public-key",
    "response": {
        "clientDataJSON": "e30",
        "authenticatorData": "AAAA",
        "signature": "AAAA",
        "userHandle": None,
    },
    "clientExtensionResults": {},
}


def failed_passkey(client, *, address="10.0.0.1"):
    client.post(PASSKEY_BEGIN, content_type="application/json", REMOTE_ADDR=address)
    return client.post(
        PASSKEY_COMPLETE, UNKNOWN_PASSKEY, content_type="application/json", REMOTE_ADDR=address
    )


def test_failed_passkeys_count_with_wrong_codes_and_lock_the_username(client, staff):
    device = authenticator_app(staff)
    sign_in(client, PASSWORD)
    for number in range(LIMIT - 1):
        if number % 2:
            assert second_factor(client, wrong_code(device)).status_code == 200
        else:
            refused = failed_passkey(client)
            assert 400 <= refused.status_code < 500
            assert refused.json()["code"] != "locked_out"

    last = failed_passkey(client)
    password_again = sign_in(Client(), PASSWORD, address="198.51.100.7")

    assert last.status_code == 429
    assert last.json()["code"] == "locked_out"  # shown by the passkey script, not a page
    assert last.json()["detail"].startswith("Sign-in is locked for now")
    assert "_auth_user_id" not in client.session  # signed out of the half-done sign-in
    assert password_again.status_code == 429


def test_a_locked_username_cannot_try_a_passkey(client, staff):
    authenticator_app(staff)
    sign_in(client, PASSWORD)  # before the lock
    for number in range(LIMIT):
        sign_in(Client(), "wrong", address=f"203.0.113.{number + 1}")

    response = failed_passkey(client)

    assert response.status_code == 429
    assert response.json()["detail"].startswith("Sign-in is locked for now")
    assert "_auth_user_id" not in client.session
