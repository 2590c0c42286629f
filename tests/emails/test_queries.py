from datetime import timedelta

import pytest
from django.utils import timezone

from emails.models import EmailStatus, OutgoingEmail
from emails.queries import lane_summary
from tests.factories import OutgoingEmailFactory

pytestmark = pytest.mark.django_db


def row(n: int, *, lane: str, status: str, sent_minutes_ago: float | None = None):
    now = timezone.now()
    return OutgoingEmailFactory.build(
        kind="event_alert" if lane == "bulk" else "reminder",
        lane=lane,
        status=status,
        next_attempt_at=now,
        sent_at=None if sent_minutes_ago is None else now - timedelta(minutes=sent_minutes_ago),
    )


def test_lane_summary_gives_each_lanes_backlog_rate_and_when_a_fan_out_finishes(
    django_assert_num_queries,
):
    rows = [row(n, lane="bulk", status=EmailStatus.QUEUED) for n in range(100)]
    rows += [
        row(100 + n, lane="bulk", status=EmailStatus.SENT, sent_minutes_ago=1) for n in range(50)
    ]
    rows += [row(200, lane="bulk", status=EmailStatus.SENT, sent_minutes_ago=60)]
    rows += [row(300, lane="transactional", status=EmailStatus.QUEUED)]
    OutgoingEmail.objects.bulk_create(rows)
    now = timezone.now()

    with django_assert_num_queries(1):
        transactional, bulk = lane_summary(now=now, bulk_still_to_queue=100)

    assert (transactional["lane"], transactional["backlog"]) == ("transactional", 1)
    assert transactional["sent_per_minute"] == 0
    assert transactional["finishes_at"] is None
    assert (bulk["lane"], bulk["backlog"]) == ("bulk", 200)
    assert bulk["sent_per_minute"] == 10  # 50 in the last five minutes
    assert bulk["finishes_at"] == now + timedelta(minutes=20)
