"""Drill: the worker is killed (SIGKILL, pool and all) in the middle of a
batch of confirmations, another worker takes over, and beat's sweeper and
Redis hand back what the dead one held. Nobody's email is lost.

Delivery is at least once, not exactly once, and this drill measures the
difference. A worker marks a row sent after the SMTP server has accepted
the message; a worker killed between the two leaves the row "sending", and
the sweeper, which cannot know the message went, queues it again. So a
message can go twice, with the same Message-ID (receiving servers may drop
the second), but only one a worker was sending when it died: at most one
per pool process. The SMTP server here is slow to answer QUIT, which comes
after it has accepted the message, so that the kill usually falls in that
window and the drill checks the bound instead of hoping to miss it."""

from collections import Counter

from emails.models import EmailStatus, OutgoingEmail
from emails.tasks import task_sweep_outbox
from tests.drills.outbox import an_hour_passes, unsent
from tests.factories import EventFactory, role
from tests.support.delivery import REAL_PROCESSES, kill_process_group, through_broker, wait_for
from tests.support.registration import register

pytestmark = REAL_PROCESSES
BATCH = 200
CONCURRENCY = 2  # the Procfile's default; with prefetch 1, what a worker holds at most
# Long enough for the kill to fall after an accepted message, short enough
# that 200 emails go in a few seconds.
QUIT_DELAY_SECONDS = 0.02


def register_candidates(count: int) -> list[str]:
    event = EventFactory(capacity=count)
    police_officer = role()
    emails = [f"candidate{number}@example.com" for number in range(count)]
    for email in emails:
        register(event=event, email=email, role=police_officer)
    return emails


def rows(**filters) -> dict[int, str]:
    return dict(OutgoingEmail.objects.filter(**filters).values_list("pk", "to"))


def test_a_worker_killed_mid_batch_loses_no_email_and_repeats_only_those_in_flight(
    smtp_server, private_broker, start_worker, queue_name
):
    smtp_server.quit_delay = QUIT_DELAY_SECONDS
    with through_broker(private_broker.url, queue_name):
        emails = register_candidates(BATCH)
        assert len(private_broker.queued_email_ids(queue_name)) == BATCH

        first = start_worker(private_broker.url, concurrency=CONCURRENCY)
        wait_for(lambda: len(smtp_server.received()) >= BATCH // 5, what="a fifth of the batch")
        kill_process_group(first)
        received_before_the_kill = len(smtp_server.received())
        in_flight = rows(status=EmailStatus.SENDING)
        waiting = set(private_broker.queued_email_ids(queue_name))
        held = set(private_broker.unacknowledged_email_ids())

        # A new worker sends what was still waiting in the queue. What the
        # dead one had taken and not finished (prefetch 1: one message per
        # pool process at most) waits for the sweeper.
        start_worker(private_broker.url, concurrency=CONCURRENCY)
        wait_for(
            lambda: not waiting - set(rows(status=EmailStatus.SENT)),
            what="the new worker to send what was waiting",
        )
        left_to_the_sweeper = unsent()

        # Beat's sweeper runs within the hour; then Redis gives the dead
        # worker's messages back too, which must not send anything again.
        an_hour_passes()
        task_sweep_outbox()
        wait_for(lambda: not unsent(), what="every email to be sent")
        private_broker.redeliver_unacknowledged()
        wait_for(
            lambda: private_broker.drained(queue_name),
            what="the worker to take the redelivered messages",
        )

    received = Counter(message["To"] for message in smtp_server.received())
    repeated = {to for to, times in received.items() if times > 1}
    print(
        f"\n{BATCH} emails; {received_before_the_kill} received before the kill;"
        f" {len(in_flight)} in flight, {len(held)} held by the dead worker,"
        f" {len(left_to_the_sweeper)} left to the sweeper;"
        f" repeated: {sorted(repeated)}"
    )
    assert 0 < received_before_the_kill < BATCH
    assert len(left_to_the_sweeper) <= CONCURRENCY
    assert set(received) == set(emails)
    assert set(received.values()) <= {1, 2}
    assert repeated <= set(in_flight.values())
    assert OutgoingEmail.objects.filter(status=EmailStatus.SENT).count() == BATCH
    for row in OutgoingEmail.objects.filter(to__in=repeated):
        assert {m["Message-ID"] for m in smtp_server.received(row.to)} == {row.message_id}
