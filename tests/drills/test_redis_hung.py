"""Drill: Redis hangs (a redis-server of the test's own, paused with
SIGSTOP: it accepts connections and never answers). The cache, the rate
limits and the enqueue all go to it; the breaker (core/redis_breaker.py)
makes the first timeout the only one, so a registration costs one short
timeout, and its email goes once Redis answers again."""

import signal
import time

from core import redis_breaker
from emails.models import EmailStatus, OutgoingEmail
from emails.tasks import task_sweep_outbox
from tests.factories import EventFactory
from tests.support.delivery import (
    REAL_PROCESSES,
    broker_drained,
    free_port,
    through_broker,
    wait_for,
)
from tests.support.registration import send_registration_form

pytestmark = REAL_PROCESSES
TIMEOUT_SECONDS = 2
# One timeout and the registration's own work; three timeouts took 6.1 s.
ANSWERS_WITHIN_SECONDS = 2 * TIMEOUT_SECONDS + 1


def point_redis_at(settings, url: str) -> None:
    """The cache and the rate limits on `url`, as REDIS_URL would put them."""
    settings.REDIS_URL = url
    settings.RATELIMIT_ENABLE = True
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "core.cache.GuardedRedisCache",
            "LOCATION": url,
            "OPTIONS": {
                "socket_connect_timeout": TIMEOUT_SECONDS,
                "socket_timeout": TIMEOUT_SECONDS,
            },
        },
    }


def test_a_hung_redis_costs_a_registration_one_timeout_and_its_email_goes_once_it_answers(
    client, settings, smtp_server, own_redis, start_worker, queue_name
):
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    server = own_redis(port)
    point_redis_at(settings, url)
    event = EventFactory()
    server.send_signal(signal.SIGSTOP)
    trips_before = redis_breaker.trips()

    with through_broker(url, queue_name):
        started = time.monotonic()
        response = send_registration_form(client, event)
        seconds = time.monotonic() - started
        health = client.get("/healthz").json()

        row = OutgoingEmail.objects.get()
        assert response.status_code == 302
        assert redis_breaker.trips() == trips_before + 1  # one timeout; the rest skipped Redis
        assert seconds < ANSWERS_WITHIN_SECONDS
        assert (row.status, row.enqueued_at) == (EmailStatus.QUEUED, None)
        assert health["broker"] == "unavailable"
        assert health["redis_skipped_for_seconds"] > 0

        server.send_signal(signal.SIGCONT)
        start_worker(url)
        redis_breaker.reset()  # beat's next sweep, a minute on: the breaker has closed
        task_sweep_outbox()
        wait_for(lambda: smtp_server.received("sam@example.com"), what="the confirmation")
        task_sweep_outbox()
        wait_for(lambda: broker_drained(url, queue_name), what="the worker to finish every message")

    assert len(smtp_server.received("sam@example.com")) == 1
    assert OutgoingEmail.objects.get().status == EmailStatus.SENT
