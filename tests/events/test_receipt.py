"""The receipt a browser carries from the registration form: opaque, and
the same size whatever happened."""

import base64
import time

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from events import receipt
from events.models import Registration
from tests.factories import RegistrationFactory
from tests.support.registration import receipt_of, send_registration_form

pytestmark = pytest.mark.django_db


def cookie_value(client) -> str:
    [name] = [name for name in client.cookies if name.endswith("registered")]
    return client.cookies[name].value


def read_value(value: str) -> receipt.Receipt:
    request = RequestFactory().get("/")
    request.COOKIES = {receipt.cookie_name(): value}
    return receipt.read(request)


def test_a_new_and_a_repeat_registration_give_cookies_of_one_length(client, event):
    send_registration_form(client, event)
    new = cookie_value(client)
    client.cookies.clear()

    send_registration_form(client, event, first_name="Someone")
    repeat = cookie_value(client)

    assert Registration.objects.count() == 1
    assert len(new) == len(repeat)
    assert new != repeat


def test_the_cookie_holds_nothing_readable(client, event):
    send_registration_form(client, event, email="sam@example.com")
    value = cookie_value(client)

    raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    assert b"sam" not in raw
    assert b"example" not in raw
    assert b"registration" not in raw
    assert receipt_of(client) == receipt.Receipt(
        email="sam@example.com", registration_id=Registration.objects.get().pk
    )


def test_the_length_never_depends_on_the_address_or_the_registration():
    longest = "𝔞" * 64 + "@" + "𝔟" * 189  # 254 characters of 4 bytes each in UTF-8
    emails = ["a@b.co", "sam@example.com", "ü" * 60 + "@example.com", longest]
    lengths = set()

    for email in emails:
        for registration_id in (None, 1, 2**40):
            response = HttpResponse()
            receipt.give(response, email=email, registration_id=registration_id)
            value = response.cookies[receipt.cookie_name()].value
            lengths.add(len(value))
            assert read_value(value) == receipt.Receipt(email, registration_id)

    assert len(lengths) == 1
    assert lengths.pop() < 2000  # well inside a browser's 4,096 bytes per cookie


def test_a_receipt_older_than_eight_hours_is_empty():
    nine_hours_ago = int(time.time()) - 9 * 60 * 60
    value = receipt._fernet().encrypt_at_time(receipt._pack("sam@example.com", 7), nine_hours_ago)

    assert read_value(value.decode()) == receipt.Receipt()


def test_a_receipt_made_with_the_previous_secret_key_still_reads(settings):
    response = HttpResponse()
    receipt.give(response, email="sam@example.com", registration_id=7)
    value = response.cookies[receipt.cookie_name()].value

    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-" + "z" * 40

    assert read_value(value) == receipt.Receipt(email="sam@example.com", registration_id=7)


@pytest.mark.parametrize("value", ["", "junk", "é", "gAAAAA" + "A" * 200])
def test_a_cookie_that_is_not_a_receipt_is_empty(value):
    assert read_value(value) == receipt.Receipt()


def test_skipping_the_questions_gives_the_same_cookie_after_a_repeat(client, event):
    RegistrationFactory(event=event, email="sam@example.com")
    send_registration_form(client, event)

    response = client.post("/equality-questions/", {"skip": "Skip"})

    assert len(response.cookies[receipt.cookie_name()].value) == len(cookie_value(client))
    assert receipt_of(client) == receipt.Receipt(email="sam@example.com")
