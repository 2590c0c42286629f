"""Which lane an email goes in. Transactional email is what one person is
waiting for because of something they or staff just did (a confirmation, a
promotion, a reminder, a changed event); bulk is what goes to many at once
(event alerts, a staff message to everyone registered, re-confirmation
requests). Workers always take transactional email first, and the sending
rate keeps a reserve for it (emails/ratelimit.py)."""

from django.conf import settings
from django.db import models


class Lane(models.TextChoices):
    TRANSACTIONAL = "transactional", "Transactional"
    BULK = "bulk", "Bulk"


# Every other kind is transactional: a kind added later is sent promptly
# unless someone decides it is bulk.
BULK_KINDS = frozenset({"event_alert", "staff_message", "alerts_reconfirm"})


def lane_of(kind: str) -> str:
    return Lane.BULK if kind in BULK_KINDS else Lane.TRANSACTIONAL


def queue_of(lane: str) -> str:
    """The Celery queue of a lane (settings.EMAIL_QUEUES)."""
    return settings.EMAIL_QUEUES[lane]
