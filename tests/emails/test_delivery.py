"""End to end: register, and the email reaches a real SMTP server on
loopback through real Redis and a real Celery worker process, exactly once,
whatever was down at the time.

Each test gets its own queue name, so a worker of another test run on the
same Redis never takes its messages. The tests with Redis down use a
redis-server of their own on a free port, which they stop or pause (SIGSTOP:
it accepts connections and never answers); the shared one is never touched.
The beat sweeper is run in the test process, as beat would have it run."""

import os
import re
import signal
import time

import icalendar
from django.utils import timezone

from core import redis_breaker
from emails.models import EmailStatus, OutgoingEmail
from emails.tasks import task_sweep_outbox
from events.queries import registration_for_token
from recruitment.celery import app as celery_app
from tests.support.delivery import (
    REAL_PROCESSES,
    broker_drained,
    free_port,
    through_broker,
    wait_for,
)
from tests.support.registration import register

pytestmark = REAL_PROCESSES
# A web request may wait this long for the broker, at most.
ANSWERS_WITHIN_SECONDS = 5


def timed_register(email: str = "sam@example.com"):
    started = time.monotonic()
    registration = register(email=email).registration
    return registration, time.monotonic() - started


def sweep() -> None:
    """One run of the beat sweeper, as beat runs it a minute on: by then a
    breaker opened by a failed enqueue (core/redis_breaker.py) has closed."""
    redis_breaker.reset()
    task_sweep_outbox()


def arrives_once(smtp_server, to: str):
    """Wait for the email, then sweep and wait until the worker has taken
    and finished every message on the test's queues (a second copy would
    have reached the SMTP server by then): still only one. Called inside
    through_broker, which names the broker and the queue."""
    [message] = wait_for(lambda: smtp_server.received(to), what=f"an email to {to}")
    sweep()
    broker, queue = celery_app.conf.broker_url, celery_app.conf.task_default_queue
    wait_for(lambda: broker_drained(broker, queue), what="the worker to finish every message")
    assert len(smtp_server.received(to)) == 1
    return message


def test_registering_sends_one_confirmation_with_a_valid_invite_and_manage_link(
    smtp_server, start_worker, queue_name
):
    start_worker(os.environ["REDIS_URL"])

    with through_broker(os.environ["REDIS_URL"], queue_name):
        registration = register().registration
        message = arrives_once(smtp_server, "sam@example.com")

    row = OutgoingEmail.objects.get()
    assert row.status == EmailStatus.SENT
    assert message["Message-ID"] == row.message_id
    assert (
        message["Subject"]
        == f"You have a place: {registration.event.title} ({registration.reference})"
    )
    assert message["Auto-Submitted"] == "auto-generated"
    text = message.get_body(preferencelist=("plain",)).get_content()
    token = re.search(r"https://events\.example\.org/registration/([\w-]+)/", text)[1]
    assert registration_for_token(token) == registration
    [invite] = [part for part in message.walk() if part.get_content_type() == "text/calendar"]
    calendar = icalendar.Calendar.from_ical(invite.get_content())
    [entry] = calendar.walk("VEVENT")
    assert str(entry["UID"]) == f"registration-{registration.pk}@events.example.org"
    assert entry["DTSTART"].params["TZID"] == "Europe/London"
    assert entry["DTSTART"].dt == registration.event.starts_at.replace(microsecond=0)


def test_a_registration_while_the_worker_is_stopped_is_emailed_once_it_starts(
    smtp_server, start_worker, queue_name
):
    with through_broker(os.environ["REDIS_URL"], queue_name):
        register()
        time.sleep(1)
        assert smtp_server.received() == []

        start_worker(os.environ["REDIS_URL"])
        arrives_once(smtp_server, "sam@example.com")

    assert OutgoingEmail.objects.get().status == EmailStatus.SENT


def test_registering_while_redis_refuses_connections_answers_and_emails_once_it_is_back(
    smtp_server, own_redis, start_worker, queue_name
):
    port = free_port()  # nothing listens there yet
    broker_url = f"redis://127.0.0.1:{port}/0"

    with through_broker(broker_url, queue_name):
        registration, seconds = timed_register()
        row = OutgoingEmail.objects.get()
        assert seconds < ANSWERS_WITHIN_SECONDS
        assert registration.pk is not None
        assert row.status == EmailStatus.QUEUED
        assert row.enqueued_at is None

        own_redis(port)
        start_worker(broker_url)
        sweep()
        arrives_once(smtp_server, "sam@example.com")


def test_registering_while_redis_never_answers_answers_and_emails_once_it_is_back(
    smtp_server, own_redis, start_worker, queue_name
):
    port = free_port()
    broker_url = f"redis://127.0.0.1:{port}/0"
    server = own_redis(port)
    server.send_signal(signal.SIGSTOP)  # accepts connections, never answers

    with through_broker(broker_url, queue_name):
        registration, seconds = timed_register()
        assert seconds < ANSWERS_WITHIN_SECONDS
        assert registration.pk is not None
        assert OutgoingEmail.objects.get().status == EmailStatus.QUEUED

        server.send_signal(signal.SIGCONT)
        start_worker(broker_url)
        sweep()
        arrives_once(smtp_server, "sam@example.com")


def test_smtp_4xx_is_retried_later_and_5xx_fails_through_the_worker(
    smtp_server, start_worker, queue_name
):
    start_worker(os.environ["REDIS_URL"])

    with through_broker(os.environ["REDIS_URL"], queue_name):
        bad = register(email="nobody@example.com").registration
        greylisted = register(email="greylisted@example.com").registration
        failed = wait_for(
            lambda: OutgoingEmail.objects.filter(to=bad.email, status=EmailStatus.FAILED).first(),
            what="the refused address to fail",
        )
        waiting = wait_for(
            lambda: (
                OutgoingEmail.objects.filter(to=greylisted.email, attempts=1)
                .exclude(status=EmailStatus.SENDING)
                .first()
            ),
            what="the greylisted email's first attempt",
        )
        assert waiting.status == EmailStatus.QUEUED
        assert waiting.next_attempt_at > timezone.now()

        # A minute later, the sweeper hands it over again.
        OutgoingEmail.objects.filter(pk=waiting.pk).update(next_attempt_at=timezone.now())
        sweep()
        message = arrives_once(smtp_server, greylisted.email)

    waiting.refresh_from_db()
    assert "550" in failed.last_error
    assert smtp_server.received(bad.email) == []
    assert waiting.status == EmailStatus.SENT
    assert waiting.attempts == 2
    assert message["Message-ID"] == waiting.message_id
