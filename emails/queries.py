from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from .lanes import Lane
from .models import EmailStatus, OutgoingEmail

KEYS_PER_QUERY = 1000


def email_queued(dedupe_key: str) -> bool:
    """Whether an email for this reason exists already, whatever its status."""
    return OutgoingEmail.objects.filter(dedupe_key=dedupe_key).exists()


def queued_keys(dedupe_keys: Iterable[str]) -> set[str]:
    """Which of these reasons have an email already, whatever its status:
    one query per thousand keys, for callers that queue many at once."""
    keys = list(dedupe_keys)
    found = set()
    for start in range(0, len(keys), KEYS_PER_QUERY):
        chunk = keys[start : start + KEYS_PER_QUERY]
        found.update(
            OutgoingEmail.objects.filter(dedupe_key__in=chunk).values_list("dedupe_key", flat=True)
        )
    return found


def outbox_summary() -> dict:
    """What staff see of the outbox at a glance, in one query: how many wait
    to go, how many failed, and since when the oldest has waited."""
    return OutgoingEmail.objects.aggregate(
        queued=Count("pk", filter=Q(status=EmailStatus.QUEUED)),
        sending=Count("pk", filter=Q(status=EmailStatus.SENDING)),
        failed=Count("pk", filter=Q(status=EmailStatus.FAILED)),
        oldest_queued=Min("next_attempt_at", filter=Q(status=EmailStatus.QUEUED)),
    )


def emails_to(addresses: Iterable[str], *, abouts: Iterable[str] = ()) -> QuerySet[OutgoingEmail]:
    """Every email to any of `addresses` (case-insensitive) or about any of
    `abouts` (e.g. "registration:42"): what the outbox holds about a person."""
    match = Q(about__in=[about for about in abouts if about])
    for address in addresses:
        match |= Q(to__iexact=address)
    return OutgoingEmail.objects.filter(match)


# The sending rate staff see is what went in this long.
RATE_WINDOW = timedelta(minutes=5)


def lane_summary(*, now: datetime | None = None, bulk_still_to_queue: int = 0) -> list[dict]:
    """What staff see of each lane (emails/lanes.py), in one query: its
    backlog (queued or being sent), since when the oldest has waited, how
    many a minute went over the last five minutes, and when the backlog
    should be gone at that rate (None when nothing is going). For the bulk
    lane, `bulk_still_to_queue` adds emails a running fan-out has yet to
    queue (alerts' EventAlertRun: total less queued), so the estimate is of
    when the fan-out finishes. `limit` is the shared rate workers keep to
    now (emails/ratelimit.py), if one is set."""
    from .ratelimit import current_rate

    now = now or timezone.now()
    since = now - RATE_WINDOW
    waiting = Q(status__in=[EmailStatus.QUEUED, EmailStatus.SENDING])
    recent = Q(status=EmailStatus.SENT, sent_at__gte=since)
    figures = {}
    for lane in Lane:
        figures[f"{lane}_backlog"] = Count("pk", filter=waiting & Q(lane=lane))
        figures[f"{lane}_oldest"] = Min(
            "next_attempt_at", filter=Q(status=EmailStatus.QUEUED, lane=lane)
        )
        figures[f"{lane}_sent"] = Count("pk", filter=recent & Q(lane=lane))
    row = OutgoingEmail.objects.filter(waiting | recent).aggregate(**figures)
    limit = current_rate()
    summary = []
    for lane in Lane:
        backlog = row[f"{lane}_backlog"] + (bulk_still_to_queue if lane == Lane.BULK else 0)
        per_minute = row[f"{lane}_sent"] / (RATE_WINDOW.total_seconds() / 60)
        finishes_at = None
        if backlog and per_minute:
            finishes_at = now + timedelta(minutes=backlog / per_minute)
        summary.append(
            {
                "lane": lane.value,
                "label": lane.label,
                "backlog": backlog,
                "oldest_queued": row[f"{lane}_oldest"],
                "sent_per_minute": per_minute,
                "finishes_at": finishes_at,
                "limit_per_minute": limit,
            }
        )
    return summary
