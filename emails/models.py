from django.db import models
from django.db.models import Q

from core.models import TimeStampedModel

from .lanes import Lane

# The subject and text of an email the worker renders, until it does.
NOT_WRITTEN_YET = "(written when it is sent)"
# In a stored context: the worker marks the row dropped instead of sending
# it. A public form that may send no email (a repeat inside its quiet
# period) writes one, so that it does the same work as when one goes.
DROP = "drop"
# What staff see of a row written only so that a repeat does a first time's work.
NOT_SENT_REPEAT = "(not sent: the same form again soon after)"


class EmailStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    # A row written only so that a public form does the same work whether or
    # not an email may go (emails.services.DROP): the worker drops it unsent.
    DROPPED = "dropped", "Not sent (a repeat)"


class OutgoingEmailQuerySet(models.QuerySet):
    def due(self, *, now):
        return self.filter(status=EmailStatus.QUEUED, next_attempt_at__lte=now)

    def to_enqueue(self, *, now, lost_after):
        """Due rows no worker has been handed, or handed so long ago that the
        message was lost (Redis restarted without saving, say)."""
        return self.due(now=now).filter(
            Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - lost_after)
        )

    def stuck(self, *, now, stuck_after):
        """Rows a worker claimed and never finished: it died or lost the database."""
        return self.filter(status=EmailStatus.SENDING, claimed_at__lt=now - stuck_after)


class OutgoingEmail(TimeStampedModel):
    """One email, written in the same transaction as the change that causes
    it, then sent by a worker. `dedupe_key` names the reason (for example
    `confirmation:<registration id>`) so the same email is never queued twice."""

    kind = models.CharField(max_length=50)
    lane = models.CharField(
        max_length=20,
        choices=Lane,
        default=Lane.TRANSACTIONAL,
        help_text="Transactional email goes before bulk (emails/lanes.py).",
    )
    dedupe_key = models.CharField(max_length=200, unique=True)
    to = models.EmailField(max_length=254)
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    attachments = models.JSONField(
        default=list, blank=True, help_text="[{filename, content, mimetype}], text content only."
    )
    headers = models.JSONField(default=dict, blank=True)
    context = models.JSONField(
        default=dict,
        blank=True,
        help_text="For an email the worker renders (emails.rendering.render_later): "
        "what its templates need, until it is rendered.",
    )
    about = models.CharField(
        max_length=100,
        blank=True,
        db_index=True,
        help_text="The record it concerns, e.g. registration:42.",
    )
    status = models.CharField(max_length=20, choices=EmailStatus, default=EmailStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    enqueued_at = models.DateTimeField(
        null=True, blank=True, help_text="When the row was last handed to the broker."
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    message_id = models.CharField(max_length=255)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = OutgoingEmailQuerySet.as_manager()

    class Meta:
        ordering = ["-pk"]
        verbose_name = "outgoing email"
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=["queued", "sending"]),
                name="outgoingemail_pending",
            ),
            # The rate staff see per lane counts what went in the last minutes.
            models.Index(fields=["sent_at"], name="outgoingemail_sent_at"),
        ]

    def __str__(self):
        return f"{self.kind} to {self.to}"

    @property
    def shown_subject(self) -> str:
        """The subject, or what to say of an email the worker has still to
        write, or of a row it drops unsent (emails.services.DROP)."""
        if self.status == EmailStatus.DROPPED or self.context.get(DROP):
            return NOT_SENT_REPEAT
        return self.subject or NOT_WRITTEN_YET
