from collections.abc import Iterable

from django.db.models import Count, Min, Q, QuerySet

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
