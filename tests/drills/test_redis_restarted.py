"""Drill: Redis stops (SHUTDOWN NOSAVE, so the messages in it are gone) and
starts again on the same port, in the middle of candidates registering and
cancelling through the site. Every registration answers and is saved while
it is down, the worker carries on once it is back, and beat's sweeper hands
over what the broker never got or lost: everyone gets each email once."""

import re
import time

from core import redis_breaker
from emails.models import EmailStatus, OutgoingEmail
from emails.tasks import task_sweep_outbox
from events.models import Registration, RegistrationStatus
from tests.drills.outbox import an_hour_passes, unsent
from tests.factories import EventFactory
from tests.support.delivery import REAL_PROCESSES, through_broker, wait_for
from tests.support.registration import send_registration_form

pytestmark = REAL_PROCESSES
# A web request may wait this long for the broker, at most.
ANSWERS_WITHIN_SECONDS = 5
# Long enough to stop Redis while the worker is still sending.
SLOW_RELAY_SECONDS = 2


def timed_registration(client, event, email: str) -> float:
    """Post the registration form; return how long the answer took."""
    started = time.monotonic()
    response = send_registration_form(client, event, email=email)
    seconds = time.monotonic() - started
    assert response.status_code == 302
    assert response["Location"] == f"/events/{event.slug}/register/done/"
    return seconds


def manage_path(message) -> str:
    text = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"https://events\.example\.org(/registration/[\w-]+/)", text)[1]


def test_redis_stopped_and_restarted_loses_no_registration_and_no_email(
    client, smtp_server, private_broker, start_worker, queue_name
):
    event = EventFactory()
    worker = start_worker(private_broker.url)
    with through_broker(private_broker.url, queue_name):
        timed_registration(client, event, "before@example.com")
        [confirmation] = wait_for(
            lambda: smtp_server.received("before@example.com"), what="the first confirmation"
        )

        # The worker is busy with a slow relay, holding one message, with
        # another waiting for it, when Redis stops without saving: both
        # messages are gone, their rows are not.
        smtp_server.data_delay = SLOW_RELAY_SECONDS
        timed_registration(client, event, "slow@example.com")
        wait_for(
            lambda: OutgoingEmail.objects.filter(
                to="slow@example.com", status=EmailStatus.SENDING
            ).exists(),
            what="the worker to start the slow send",
        )
        timed_registration(client, event, "stranded@example.com")
        [stranded] = private_broker.queued_email_ids(queue_name)
        private_broker.stop_without_saving()
        smtp_server.data_delay = 0

        seconds = [timed_registration(client, event, f"during{n}@example.com") for n in range(3)]
        started = time.monotonic()
        cancelled = client.post(manage_path(confirmation) + "cancel/")
        seconds.append(time.monotonic() - started)
        assert cancelled.status_code == 302
        assert max(seconds) < ANSWERS_WITHIN_SECONDS
        assert Registration.objects.filter(email__startswith="during").count() == 3

        # The worker finishes that send while Redis is down and cannot
        # acknowledge it. Redis comes back on the same port; the worker
        # connects again by itself, and the site hands over again at once.
        wait_for(
            lambda: "slow@example.com" not in unsent().values(), what="the slow send to finish"
        )
        private_broker.start()
        # Some seconds on, this process tries Redis again (core/redis_breaker.py).
        redis_breaker.reset()
        timed_registration(client, event, "after@example.com")
        wait_for(lambda: smtp_server.received("after@example.com"), what="a new registration")

        # Within the minute, beat's sweeper hands over what the broker never
        # got; what it lost takes longer to be counted as lost.
        task_sweep_outbox()
        wait_for(lambda: set(unsent()) == {stranded}, what="the emails the broker never got")
        an_hour_passes()
        task_sweep_outbox()
        wait_for(lambda: not unsent(), what="the email the broker lost")
        task_sweep_outbox()  # hands over nothing more
        wait_for(
            lambda: private_broker.drained(queue_name), what="the worker to take every message"
        )

    assert worker.poll() is None  # the same worker, connected again
    registrations = dict(Registration.objects.values_list("email", "status"))
    candidates = ["before", "slow", "stranded", "during0", "during1", "during2", "after"]
    assert sorted(registrations) == sorted(f"{name}@example.com" for name in candidates)
    assert registrations.pop("before@example.com") == RegistrationStatus.CANCELLED
    assert set(registrations.values()) == {RegistrationStatus.CONFIRMED}
    received = [(m["To"], m["Subject"].split(":")[0]) for m in smtp_server.received()]
    assert sorted(received) == sorted(
        [(f"{name}@example.com", "You have a place") for name in candidates]
        + [("before@example.com", "Your registration is cancelled")]
    )
