"""The outbox as a drill sees it: which emails are not sent yet, and time
passing for the sweeper."""

from datetime import timedelta

from django.db.models import F

from emails.models import EmailStatus, OutgoingEmail


def unsent() -> dict[int, str]:
    """Email id to recipient, for every email not sent (yet). A row the
    worker dropped unsent (a repeat in its quiet period) is done with."""
    done = [EmailStatus.SENT, EmailStatus.DROPPED]
    return dict(OutgoingEmail.objects.exclude(status__in=done).values_list("pk", "to"))


def an_hour_passes() -> None:
    """Long enough for the sweeper to take back every row a worker claimed
    and never finished, and to hand over again every row handed to the
    broker and never taken: date those marks on the unfinished rows an hour
    back (the sweeper's own waits are minutes)."""
    hour = timedelta(hours=1)
    unfinished = OutgoingEmail.objects.filter(status__in=[EmailStatus.QUEUED, EmailStatus.SENDING])
    unfinished.filter(claimed_at__isnull=False).update(claimed_at=F("claimed_at") - hour)
    unfinished.filter(enqueued_at__isnull=False).update(enqueued_at=F("enqueued_at") - hour)
