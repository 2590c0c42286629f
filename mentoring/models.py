"""Positive-action requests: a candidate asks the Positive Action team for
mentoring or support, and the team records what it did. Only that team sees
these rows (see admin.py and core/groups.py); nothing here is ever joined to
equality-monitoring answers or used in selection."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.groups import POSITIVE_ACTION
from core.models import TimeStampedModel
from events.models import Role

# A new request nobody has contacted after this long stands out in the admin.
WAITING_TOO_LONG = timedelta(days=5)


class RequestStatus(models.TextChoices):
    NEW = "new", "New"
    CONTACTED = "contacted", "Contacted"
    MENTOR_ASSIGNED = "mentor_assigned", "Mentor assigned"
    CLOSED = "closed", "Closed"


class Outcome(models.TextChoices):
    SUPPORTED = "supported", "Support given"
    NO_LONGER_NEEDED = "no_longer_needed", "Candidate no longer wants support"
    NO_RESPONSE = "no_response", "Candidate did not reply"
    REFERRED = "referred", "Referred to another team"


class ContactMethod(models.TextChoices):
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone call"
    TEXT = "text", "Text message"


class JourneyStage(models.TextChoices):
    THINKING = "thinking", "Thinking about applying"
    PREPARING = "preparing", "Preparing to apply"
    APPLIED = "applied", "I have applied"
    ASSESSMENT = "assessment", "At assessment, such as the assessment centre or fitness test"


class SupportKind(models.TextChoices):
    FAMILIARISATION = "familiarisation", "Finding out what the job is like (familiarisation)"
    APPLICATION = "application", "Help with the application form"
    FITNESS = "fitness", "Practice for the fitness test"
    ASSESSMENT = "assessment", "Getting ready for the assessment centre and interview"
    MENTOR = "mentor", "A mentor to talk to"
    NOT_SURE = "not_sure", "I am not sure yet"


# For the admin's list, where the candidate's wording would not fit.
SUPPORT_SHORT_LABELS = {
    SupportKind.FAMILIARISATION: "Familiarisation",
    SupportKind.APPLICATION: "Application form",
    SupportKind.FITNESS: "Fitness test",
    SupportKind.ASSESSMENT: "Assessment",
    SupportKind.MENTOR: "Mentor",
    SupportKind.NOT_SURE: "Not sure yet",
}


class ContactHow(models.TextChoices):
    """How the team reached the candidate, for the contact log."""

    EMAIL = "email", "Email"
    PHONE = "phone", "Phone call"
    TEXT = "text", "Text message"
    VIDEO = "video", "Video call"
    IN_PERSON = "in_person", "In person"


class MentoringRequestQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(status=RequestStatus.CLOSED)

    def waiting_too_long(self, *, now: datetime | None = None):
        """New requests nobody has contacted for longer than WAITING_TOO_LONG."""
        now = now or timezone.now()
        return self.filter(status=RequestStatus.NEW, created_at__lt=now - WAITING_TOO_LONG)


class MentoringRequest(TimeStampedModel):
    name = models.CharField(max_length=150)
    email = models.EmailField(max_length=254)
    phone = models.CharField(max_length=30, blank=True)
    contact_method = models.CharField(max_length=20, choices=ContactMethod)
    role = models.ForeignKey(
        Role,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Blank: the candidate has not decided yet.",
    )
    journey_stage = models.CharField(max_length=20, choices=JourneyStage)
    support_kinds = models.JSONField(
        default=list, help_text="SupportKind values, in the order they are offered."
    )
    under_represented = models.TextField(blank=True)
    anything_else = models.TextField(blank=True)
    consented_at = models.DateTimeField()
    token_hash = models.CharField(
        max_length=64, unique=True, help_text="SHA-256 of the secret link's token."
    )
    submission_key = models.CharField(
        max_length=64,
        unique=True,
        help_text="From the form: the same form sent twice makes one request.",
    )
    status = models.CharField(max_length=20, choices=RequestStatus, default=RequestStatus.NEW)
    assigned_mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"groups__name": POSITIVE_ACTION, "is_active": True},
        help_text="A member of the Positive action group.",
    )
    outcome = models.CharField(max_length=20, choices=Outcome, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = MentoringRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "mentoring request"
        constraints = [
            models.CheckConstraint(
                condition=(Q(status=RequestStatus.CLOSED, closed_at__isnull=False) & ~Q(outcome=""))
                | (~Q(status=RequestStatus.CLOSED) & Q(closed_at__isnull=True, outcome="")),
                name="mentoring_closed_with_outcome",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="mentoring_status_created")]

    def __str__(self):
        # No name: this text is kept in the admin's history after an erasure.
        return f"Mentoring request {self.pk}"

    def support_labels(self) -> list[str]:
        labels = dict(SupportKind.choices)
        return [labels[kind] for kind in self.support_kinds if kind in labels]

    def support_short_labels(self) -> list[str]:
        return [
            SUPPORT_SHORT_LABELS[kind]
            for kind in self.support_kinds
            if kind in SUPPORT_SHORT_LABELS
        ]

    def is_waiting_too_long(self, *, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.status == RequestStatus.NEW and self.created_at < now - WAITING_TOO_LONG


class ContactLogEntry(models.Model):
    """One contact with the candidate: when, how and a short note."""

    request = models.ForeignKey(MentoringRequest, on_delete=models.CASCADE, related_name="contacts")
    contacted_on = models.DateField(default=timezone.localdate)
    how = models.CharField(max_length=20, choices=ContactHow)
    note = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["contacted_on", "pk"]
        verbose_name = "contact"
        verbose_name_plural = "contact log"

    def __str__(self):
        return f"{self.get_how_display()} on {self.contacted_on:%d %b %Y}"
