"""The public forms' defences, shown on the registration form."""

import html
import re
import time

import pytest
from django.core import signing
from django.core.cache import cache

from core.antispam import SEND_AGAIN, TOO_MANY_ATTEMPTS, new_start
from emails.models import OutgoingEmail
from events.models import Registration
from tests.fuzz.support import error_summary
from tests.support.registration import form_data, register_url, send_registration_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def limits_on(settings, stopped_clock):
    """The limits on, from an empty count, with the clock stopped:
    django-ratelimit counts in fixed windows aligned to the clock, and
    posts that straddled a window's edge would start a new count."""
    settings.RATELIMIT_ENABLE = True
    cache.clear()
    yield
    cache.clear()


def signed_start(seconds_ago: float, *, second_look: bool = False) -> str:
    return new_start(shown_at=time.time() - seconds_ago, second_look=second_look)


def start_on(response) -> str:
    found = re.search(r'name="started" value="([^"]+)"', response.content.decode())
    assert found, "no start time on the page"
    return html.unescape(found[1])


@pytest.fixture
def timed(settings, stopped_clock):
    """The start-time check on, with the cache that binds start times empty
    and the clock stopped: "shown 1 second ago" must not become 3 on a slow
    machine."""
    settings.FORM_MIN_FILL_SECONDS = 3
    cache.clear()
    yield
    cache.clear()


def test_the_form_carries_a_hidden_honeypot_and_a_signed_start_time(client, event):
    body = client.get(register_url(event)).content.decode()

    assert 'name="website"' in body
    assert 'aria-hidden="true"' in body
    assert 'tabindex="-1"' in body
    assert 'name="started" value="' in body


def test_a_filled_honeypot_looks_like_success_and_saves_nothing(client, event):
    response = send_registration_form(client, event, website="http://spam.example")

    assert response.status_code == 302
    assert response.headers["Location"] == f"/events/{event.slug}/register/done/"
    assert not Registration.objects.exists()
    assert not OutgoingEmail.objects.exists()


def test_a_filled_honeypot_is_answered_as_success_even_when_sent_fast(client, event, timed):
    response = client.post(
        register_url(event), form_data(website="x", started=signed_start(0)), follow=True
    )

    assert response.redirect_chain == [(f"/events/{event.slug}/register/done/", 302)]
    assert "Check your email" in response.content.decode()
    assert not Registration.objects.exists()
    assert not OutgoingEmail.objects.exists()


def test_a_fast_real_submission_comes_back_as_typed_and_a_second_send_registers(
    client, event, timed
):
    """Phone autofill sends a form within a second of showing it: the
    person is asked to check and send again, never silently dropped."""
    fast = signed_start(1)

    shown_again = client.post(
        register_url(event), form_data(access_needs="Hearing loop", started=fast)
    )

    assert shown_again.status_code == 200
    assert error_summary(shown_again) == [SEND_AGAIN]
    body = shown_again.content.decode()
    assert "Hearing loop" in body
    assert 'value="sam@example.com"' in body
    assert start_on(shown_again) != fast
    assert not Registration.objects.exists()

    sent_again = client.post(
        register_url(event),
        form_data(access_needs="Hearing loop", started=start_on(shown_again)),
        follow=True,
    )

    assert sent_again.redirect_chain == [(f"/events/{event.slug}/register/done/", 302)]
    assert Registration.objects.get().access_needs == "Hearing loop"
    assert OutgoingEmail.objects.count() == 1


def test_a_form_shown_long_enough_ago_registers_at_once(client, event, timed):
    response = send_registration_form(client, event, started=signed_start(30))

    assert response.status_code == 302
    assert Registration.objects.count() == 1


@pytest.mark.parametrize(
    "started",
    [
        pytest.param(lambda: signed_start(5 * 60 * 60), id="older than four hours"),
        pytest.param(lambda: signed_start(-600), id="in the future"),
        pytest.param(lambda: signed_start(5 * 60 * 60, second_look=True), id="old second look"),
        pytest.param(lambda: "12345.abc.0:bad", id="forged"),
        pytest.param(
            lambda: signing.Signer(salt="core.antispam.form-started").sign("12345"), id="old format"
        ),
        pytest.param(lambda: "", id="missing"),
    ],
)
def test_a_start_time_too_old_or_not_ours_brings_the_form_back_to_send_again(
    client, event, timed, started
):
    shown_again = send_registration_form(client, event, started=started())

    assert error_summary(shown_again) == [SEND_AGAIN]
    assert not Registration.objects.exists()
    sent_again = send_registration_form(client, event, started=start_on(shown_again))
    assert sent_again.status_code == 302
    assert Registration.objects.count() == 1


def test_one_start_time_is_not_replayed_for_other_addresses(client, event, timed):
    started = signed_start(60)

    answers = [
        send_registration_form(client, event, email=f"person{n}@example.com", started=started)
        for n in range(24)
    ]

    assert answers[0].status_code == 302
    assert all(error_summary(answer) == [SEND_AGAIN] for answer in answers[1:])
    assert list(Registration.objects.values_list("email", flat=True)) == ["person0@example.com"]


def test_the_same_form_sent_twice_goes_through_both_times(client, event, timed):
    started = signed_start(60)

    first = send_registration_form(client, event, started=started)
    second = send_registration_form(client, event, email="SAM@example.com", started=started)

    assert first.status_code == second.status_code == 302
    assert Registration.objects.count() == 1


def test_a_start_time_still_passes_when_the_cache_is_down(client, event, settings):
    settings.FORM_MIN_FILL_SECONDS = 3
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }

    response = send_registration_form(client, event, started=signed_start(60))

    assert response.status_code == 302
    assert Registration.objects.count() == 1


def test_one_email_is_limited_to_five_tries_an_hour_and_keeps_what_was_typed(
    client, event, limits_on
):
    for _ in range(5):
        send_registration_form(client, event)

    response = send_registration_form(client, event, access_needs="Hearing loop")

    assert response.status_code == 429
    body = response.content.decode()
    assert TOO_MANY_ATTEMPTS.split(":")[0] in body
    assert "Hearing loop" in body
    assert Registration.objects.count() == 1


def test_one_address_is_limited_to_twenty_registrations_in_ten_minutes(client, event, limits_on):
    for n in range(20):
        send_registration_form(client, event, email=f"person{n}@example.com")

    response = send_registration_form(client, event, email="one.more@example.com")

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

    response = send_registration_form(client, event)

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
