"""Lanes and the shared sending rate, end to end: a real worker (the
Procfile's queues and prefetch), real Redis and a real SMTP server on
loopback. Each test has its own queues; the rate's keys in Redis are
emptied before and after each."""

import os
import time
from collections import Counter

import pytest
from django.db import transaction

from emails import ratelimit
from emails.models import EmailStatus, OutgoingEmail
from emails.services import EmailToQueue, queue_emails
from emails.tasks import task_sweep_outbox
from tests.factories import EventFactory
from tests.support.delivery import REAL_PROCESSES, through_broker, wait_for
from tests.support.registration import register

pytestmark = [*REAL_PROCESSES, pytest.mark.usefixtures("fresh_sending_rate")]


def queue_alerts(event, count: int) -> None:
    """`count` event alerts (bulk), queued in one transaction and handed
    to the broker on commit, as an alert run's batch is."""
    context = {
        "event": event,
        "event_url": "https://events.example.org/events/x/",
        "role_names": "Police officer",
        "manage_url": "https://events.example.org/alerts/manage/x/",
        "unsubscribe_url": "https://events.example.org/alerts/unsubscribe/x/",
    }
    emails = [
        EmailToQueue("event_alert", f"alert-{n}@example.com", context, f"test-alert:{n}")
        for n in range(count)
    ]
    with transaction.atomic():
        queue_emails(emails, new_reasons=True)


def sweep_until(condition, *, what: str, timeout: float = 120):
    """Wait for `condition`, running beat's sweeper every second meanwhile
    (an email put back for the rate goes again through the sweeper)."""
    last_sweep = 0.0

    def swept():
        nonlocal last_sweep
        if time.monotonic() - last_sweep > 1:
            task_sweep_outbox()
            last_sweep = time.monotonic()
        return condition()

    return wait_for(swept, what=what, timeout=timeout)


def test_a_confirmation_arrives_before_a_5000_email_alert_send_ends(
    smtp_server, start_worker, queue_name
):
    broker = os.environ["REDIS_URL"]
    # The worker starts while the alerts are written (it has nothing to
    # take until they commit): its start-up overlaps the rendering.
    start_worker(broker, concurrency=2)
    with through_broker(broker, queue_name):
        queue_alerts(EventFactory(), 5000)
        wait_for(lambda: len(smtp_server.received()) >= 100, what="the alerts to be going")
        alerts_before = len(smtp_server.received())
        register(email="sam@example.com")
        wait_for(lambda: smtp_server.received("sam@example.com"), what="the confirmation")
        alerts_by_then = len(smtp_server.received()) - 1

    # It overtook the thousands still waiting, behind at most what the
    # worker's two processes had in hand (and what they sent meanwhile).
    assert alerts_by_then < 5000
    assert alerts_by_then - alerts_before < 500
    assert OutgoingEmail.objects.get(to="sam@example.com").status == EmailStatus.SENT


def test_a_relay_saying_too_many_slows_sending_and_every_email_goes_once(
    smtp_server, start_worker, queue_name, settings
):
    smtp_server.limit = (5, 1.0)  # 5 a second; workers are allowed 20
    broker = os.environ["REDIS_URL"]

    with through_broker(broker, queue_name):
        queue_alerts(EventFactory(), 40)
        start_worker(broker, concurrency=2, env={"EMAIL_RATE": "1200"})
        sweep_until(
            lambda: OutgoingEmail.objects.filter(status=EmailStatus.SENT).count() == 40,
            what="every email to be sent",
        )

    received = Counter(message["To"] for message in smtp_server.received())
    assert len(received) == 40
    assert set(received.values()) == {1}
    assert smtp_server.throttled >= 1
    # It slowed down rather than being refused for one email in two.
    assert smtp_server.throttled < 20
    rows = OutgoingEmail.objects.all()
    assert {row.status for row in rows} == {EmailStatus.SENT}
    assert {row.attempts for row in rows} == {1}
    settings.EMAIL_RATE = 1200  # as the workers had it
    assert ratelimit.current_rate() < 1200


def test_two_workers_share_one_rate(smtp_server, start_worker, queue_name):
    per_second = 5
    broker = os.environ["REDIS_URL"]

    with through_broker(broker, queue_name):
        queue_alerts(EventFactory(), 30)
        for _ in range(2):
            start_worker(broker, env={"EMAIL_RATE": str(per_second * 60)})
        wait_for(lambda: len(smtp_server.received()) == 30, what="every email", timeout=120)

    # The bucket holds two seconds' worth and bulk leaves half of it, so
    # at most one second's worth goes at once; after that, the rate.
    times = sorted(smtp_server.times)
    burst = per_second + 1
    for sent, at in enumerate(times, start=1):
        assert sent <= burst + per_second * (at - times[0]) + 1
    assert times[-1] - times[0] >= (30 - burst) / per_second - 1
