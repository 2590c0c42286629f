"""The public forms' defences, shown on the registration form."""

import time

import pytest
from django.core import signing
from django.core.cache import cache

from core.antispam import TOO_MANY_ATTEMPTS
from emails.models import OutgoingEmail
from events.models import Registration
from tests.events.test_views import form_data, register_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def limits_on(settings):
    settings.RATELIMIT_ENABLE = True
    cache.clear()
    yield
    cache.clear()


def signed_start(seconds_ago: float) -> str:
    return signing.Signer(salt="core.antispam.form-started").sign(
        str(int(time.time() - seconds_ago))
    )


def test_the_form_carries_a_hidden_honeypot_and_a_signed_start_time(client, event):
    body = client.get(register_url(event)).content.decode()

    assert 'name="website"' in body
    assert 'aria-hidden="true"' in body
    assert 'tabindex="-1"' in body
    assert 'name="started" value="' in body


def test_a_filled_honeypot_looks_like_success_and_saves_nothing(client, event):
    response = client.post(register_url(event), form_data(website="http://spam.example"))

    assert response.status_code == 302
    assert response.headers["Location"] == f"/events/{event.slug}/register/done/"
    assert not Registration.objects.exists()
    assert not OutgoingEmail.objects.exists()


@pytest.mark.parametrize(("started", "saved"), [("fast", False), ("slow", True), ("forged", False)])
def test_a_form_sent_faster_than_a_person_could_is_dropped(client, event, settings, started, saved):
    settings.FORM_MIN_FILL_SECONDS = 3
    value = {"fast": signed_start(1), "slow": signed_start(30), "forged": "12345:bad"}[started]

    response = client.post(register_url(event), form_data(started=value))

    assert response.status_code == 302
    assert Registration.objects.exists() is saved


def test_one_email_is_limited_to_five_tries_an_hour_and_keeps_what_was_typed(
    client, event, limits_on
):
    for _ in range(5):
        client.post(register_url(event), form_data())

    response = client.post(register_url(event), form_data(access_needs="Hearing loop"))

    assert response.status_code == 429
    body = response.content.decode()
    assert TOO_MANY_ATTEMPTS.split(":")[0] in body
    assert "Hearing loop" in body
    assert Registration.objects.count() == 1


def test_one_address_is_limited_to_twenty_registrations_in_ten_minutes(client, event, limits_on):
    for n in range(20):
        client.post(register_url(event), form_data(email=f"person{n}@example.com"))

    response = client.post(register_url(event), form_data(email="one.more@example.com"))

    assert response.status_code == 429
    assert Registration.objects.count() == 20


def test_limits_fail_open_when_the_cache_is_down(client, event, settings):
    settings.RATELIMIT_ENABLE = True
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }

    response = client.post(register_url(event), form_data())

    assert response.status_code == 302
    assert Registration.objects.count() == 1


def test_the_alerts_form_is_limited_per_email_and_drops_bots(client, limits_on):
    from alerts.models import Subscription
    from tests.alerts.test_views import form_data as alerts_form

    bot = client.post("/alerts/", alerts_form(email="bot@example.com", website="x"))
    for _ in range(5):
        client.post("/alerts/", alerts_form(email="same@example.com"))
    limited = client.post("/alerts/", alerts_form(email="same@example.com"))

    assert bot.status_code == 302
    assert not Subscription.objects.filter(email_key="bot@example.com").exists()
    assert limited.status_code == 429
    assert 'value="same@example.com"' in limited.content.decode()
