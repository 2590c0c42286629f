"""A send task carries a batch of rows (emails/services/broker.py): the
worker claims them a few at a time, sends them in order over one
connection, hands back what it has not claimed when its second is up, and
leaves the rest to the sweeper when the rate says wait long."""

import base64
import contextlib
import json
import os

import pytest
import redis
from django.db import connection
from django.utils import timezone

from emails import services
from emails.models import EmailStatus, OutgoingEmail
from emails.services.broker import BATCH_SIZE
from emails.services.sending import CLAIM_SIZE
from emails.tasks import SEND_RETRY, task_send_emails
from tests.outbox import alert
from tests.support.delivery import lane_queues, through_broker

pytestmark = pytest.mark.django_db


def alerts(count: int, event) -> list[int]:
    """`count` event alerts, written as an alert run writes them, not yet sent."""
    return [row.pk for row in services.queue_emails([alert(n, event) for n in range(count)])]


def statuses(ids: list[int]) -> list[str]:
    by_pk = dict(OutgoingEmail.objects.filter(pk__in=ids).values_list("pk", "status"))
    return [by_pk[pk] for pk in ids]


def test_a_batch_goes_in_order_over_one_connection_each_email_once(event, smtp_backend):
    ids = alerts(25, event)

    left = services.send_emails(ids, retry=SEND_RETRY, budget=60)

    assert left == []
    assert [m["To"] for m in smtp_backend.received()] == [f"{n}@example.com" for n in range(25)]
    assert smtp_backend.sessions == 1
    assert set(statuses(ids)) == {EmailStatus.SENT}
    assert {row.attempts for row in OutgoingEmail.objects.all()} == {1}


def test_a_batch_past_its_time_hands_back_every_row_it_has_not_sent(event, smtp_backend):
    ids = alerts(25, event)

    left = services.send_emails(ids, retry=SEND_RETRY, budget=0)

    # It sends one email (every task does), then stops: the rows it had
    # claimed with that one are queued again, uncounted, with the rest.
    assert left == ids[1:]
    assert statuses(ids) == [EmailStatus.SENT] + [EmailStatus.QUEUED] * 24
    handed_back = OutgoingEmail.objects.filter(pk__in=left)
    assert {row.attempts for row in handed_back} == {0}
    assert all(row.enqueued_at is not None for row in handed_back)
    assert len(smtp_backend.received()) == 1


def test_a_task_that_hands_back_its_batch_every_time_still_sends_it_all(event, smtp_backend):
    ids = alerts(CLAIM_SIZE + 5, event)

    rounds = 0
    while ids:
        ids = services.send_emails(ids, retry=SEND_RETRY, budget=0)
        rounds += 1

    assert rounds == CLAIM_SIZE + 5
    received = [m["To"] for m in smtp_backend.received()]
    assert received == [f"{n}@example.com" for n in range(CLAIM_SIZE + 5)]
    assert {row.attempts for row in OutgoingEmail.objects.all()} == {1}


def test_rows_already_sent_or_claimed_elsewhere_are_skipped_in_a_batch(event, smtp_backend):
    ids = alerts(5, event)
    elsewhere = services.claim_email(ids[1])  # another worker has this one

    services.send_emails(ids, retry=SEND_RETRY, budget=60)
    services.send_emails(ids, retry=SEND_RETRY, budget=60)  # the message redelivered

    assert statuses(ids) == [EmailStatus.SENT, EmailStatus.SENDING, *[EmailStatus.SENT] * 3]
    assert OutgoingEmail.objects.get(pk=ids[1]).claimed_at == elsewhere.claimed_at
    assert sorted(m["To"] for m in smtp_backend.received()) == [
        "0@example.com",
        "2@example.com",
        "3@example.com",
        "4@example.com",
    ]


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL")
def test_a_daily_limit_reached_mid_batch_puts_everything_back_for_later(
    event, smtp_backend, settings, fresh_sending_rate
):
    settings.REDIS_URL = os.environ["REDIS_URL"]
    settings.EMAIL_DAILY_LIMIT = 4  # bulk may use 90 %: three today
    ids = alerts(25, event)

    left = services.send_emails(ids, retry=SEND_RETRY, budget=60)

    assert left == []
    assert len(smtp_backend.received()) == 3
    rest = OutgoingEmail.objects.filter(pk__in=ids[3:])
    assert {row.status for row in rest} == {EmailStatus.QUEUED}
    assert {row.attempts for row in rest} == {0}  # waiting is not a failed attempt
    # Not due again before the limit's day is over, and no longer marked as
    # with the broker, so the sweeper hands them over once they are due.
    assert all(row.next_attempt_at > timezone.now() for row in rest)
    assert all(row.enqueued_at is None for row in rest)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's setting")
def test_only_the_batch_commits_without_waiting_for_the_disk(event, smtp_backend):
    ids = alerts(3, event)

    services.send_emails(ids, retry=SEND_RETRY, budget=60)

    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone() == ("on",)


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL")
def test_rows_are_handed_to_the_broker_fifty_to_a_task_on_their_lane(
    event, queue_name, django_capture_on_commit_callbacks
):
    broker = os.environ["REDIS_URL"]
    with through_broker(broker, queue_name), django_capture_on_commit_callbacks(execute=True):
        ids = alerts(2 * BATCH_SIZE + 3, event)

    with contextlib.closing(redis.Redis.from_url(broker)) as client:
        raw = client.lrange(lane_queues(queue_name)["bulk"], 0, -1)
    batches = [json.loads(_body(json.loads(message)))[1]["email_ids"] for message in raw]
    assert sorted(len(batch) for batch in batches) == [3, BATCH_SIZE, BATCH_SIZE]
    assert sorted(pk for batch in batches for pk in batch) == sorted(ids)
    assert task_send_emails.name == "emails.send_emails"


def _body(message: dict) -> bytes:
    return base64.b64decode(message["body"])
