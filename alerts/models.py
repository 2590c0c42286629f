from django.db import models
from django.db.models import Exists, OuterRef, Q

from core.models import TimeStampedModel
from events.models import Event, EventFormat, Role


class FormatPreference(models.TextChoices):
    IN_PERSON = EventFormat.IN_PERSON.value, "In person"
    ONLINE = EventFormat.ONLINE.value, "Online"
    BOTH = "both", "In person or online"


class SubscriptionQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(confirmed_at__isnull=False)

    def unconfirmed(self):
        return self.filter(confirmed_at__isnull=True)

    def matching(self, event: Event, *, role_ids: list[int]):
        """Confirmed subscriptions that want this event: one of its roles,
        and its format or both. An EXISTS rather than a join, so there is no
        DISTINCT and the fan-out can walk the primary key in order."""
        wants_a_role = Subscription.roles.through.objects.filter(
            subscription_id=OuterRef("pk"), role_id__in=role_ids
        )
        return self.confirmed().filter(
            Exists(wants_a_role), format__in=[event.format, FormatPreference.BOTH]
        )


class Subscription(TimeStampedModel):
    """Someone who asked to hear about new events for some roles. Nothing is
    sent about events until `confirmed_at` is set from the link in the first
    email (double opt-in)."""

    email = models.EmailField(max_length=254)
    email_key = models.CharField(
        max_length=254, unique=True, help_text="The address case-folded: one subscription each."
    )
    roles = models.ManyToManyField(Role, related_name="alert_subscriptions")
    format = models.CharField(
        max_length=20, choices=FormatPreference, default=FormatPreference.BOTH
    )
    consented_at = models.DateTimeField(help_text="When they last asked for alerts on the form.")
    confirmed_at = models.DateTimeField(
        null=True, blank=True, help_text="When they last confirmed from an email: blank until then."
    )
    reconfirm_requested_at = models.DateTimeField(
        null=True, blank=True, help_text="When we last asked them whether they still want alerts."
    )

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        indexes = [
            models.Index(
                fields=["confirmed_at"],
                condition=Q(confirmed_at__isnull=False),
                name="subscription_confirmed",
            ),
        ]

    def __str__(self):
        return self.email

    @property
    def is_confirmed(self):
        return self.confirmed_at is not None


class SubscriptionLink(models.Model):
    """A secret link to confirm, manage or unsubscribe. Only the SHA-256 of
    the token is kept, so every email carries a fresh one; earlier links keep
    working until they are pruned or the subscription goes."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self):
        return f"Link for subscription {self.subscription_id}"


class AlertRunStatus(models.TextChoices):
    RUNNING = "running", "Queuing emails"
    DONE = "done", "Done"
    STOPPED = "stopped", "Stopped: the event was cancelled, closed or unpublished"
    SKIPPED = "skipped", "Skipped: published before event alerts existed"


class EventAlertRun(models.Model):
    """The fan-out of one event's alert to its subscribers: one per event, so
    an event is announced at most once. `last_subscription_id` is where the
    next batch starts, so a run that stopped half-way resumes where it was."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="alert_run")
    status = models.CharField(max_length=20, choices=AlertRunStatus, default=AlertRunStatus.RUNNING)
    total = models.PositiveIntegerField(
        default=0, help_text="Matching confirmed subscribers when the run started."
    )
    queued = models.PositiveIntegerField(default=0)
    last_subscription_id = models.BigIntegerField(default=0)
    until_subscription_id = models.BigIntegerField(
        default=0, help_text="The newest subscription when the run started: the run stops there."
    )
    started_at = models.DateTimeField()
    progressed_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = "event alert run"
        indexes = [models.Index(fields=["status", "progressed_at"], name="alertrun_status")]

    def __str__(self):
        return f"Alerts for {self.event}"
