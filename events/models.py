from datetime import timedelta

from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from core.models import TimeStampedModel

DEFAULT_CLOSE_BEFORE_START = timedelta(hours=2)
DEFAULT_REMINDER_HOURS = [48, 2]


def default_reminder_hours():
    return list(DEFAULT_REMINDER_HOURS)


class Role(models.Model):
    """A role a candidate may be interested in: police officer, PCSO, special
    constable. Rows come from a data migration; staff may add more."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


class EventFormat(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    ONLINE = "online", "Online"


class Audience(models.TextChoices):
    EVERYONE = "everyone", "Everyone"
    WOMEN = "women", "Women"
    BLACK_ASIAN_MINORITY_ETHNIC = "bame", "Black, Asian and minority ethnic candidates"
    LGBT = "lgbt", "LGBT+ candidates"


# How a targeted session names its audience in a sentence ("This session is
# for women"), keeping capitals where they belong.
AUDIENCE_IN_A_SENTENCE = {
    Audience.WOMEN: "women",
    Audience.BLACK_ASIAN_MINORITY_ETHNIC: "Black, Asian and minority ethnic candidates",
    Audience.LGBT: "LGBT+ candidates",
}


class EventStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    CANCELLED = "cancelled", "Cancelled"


class EventState(models.TextChoices):
    """What a candidate sees about an event right now (derived, never stored)."""

    OPEN = "open", "Open"
    FEW_LEFT = "few_left", "Few places left"
    FULL = "full", "Full: join the waiting list"
    NOT_YET_OPEN = "not_yet_open", "Registration not open yet"
    CLOSED = "closed", "Registration closed"
    CANCELLED = "cancelled", "Cancelled"
    PAST = "past", "Past event"
    DRAFT = "draft", "Draft"


# Written only by the database (see Event.confirmed_count).
COUNTED = ("confirmed_count", "waiting_count")


class EventQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=EventStatus.PUBLISHED)

    def visible(self):
        """Events a candidate may open: published or cancelled, never drafts."""
        return self.filter(status__in=[EventStatus.PUBLISHED, EventStatus.CANCELLED])

    def upcoming(self, *, now=None):
        return self.filter(ends_at__gt=now or timezone.now()).order_by("starts_at", "pk")

    def with_attendance(self):
        """Who came: confirmed people checked in, and of them the walk-ins.
        One query with the event rows, however many. Each count reads only
        its own event's registrations, so a page of the admin sorts and
        slices the events without first counting every registration."""
        here = Registration.objects.filter(
            event=OuterRef("pk"),
            status=RegistrationStatus.CONFIRMED,
            checked_in_at__isnull=False,
        )
        return self.annotate(
            attended_count=_count(here),
            walk_in_count=_count(here.filter(source=RegistrationSource.WALK_IN)),
        )


def _count(registrations):
    """A correlated COUNT of these registrations, 0 when there are none."""
    counted = registrations.order_by().values("event").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=models.IntegerField()), 0)


class Event(TimeStampedModel):
    title = models.CharField(max_length=150)
    slug = models.SlugField(max_length=160, unique=True)
    summary = models.CharField(max_length=300, help_text="One or two sentences for the list.")
    description = models.TextField(
        help_text="What happens on the evening. Blank lines split paragraphs."
    )
    roles = models.ManyToManyField(Role, related_name="events")
    format = models.CharField(max_length=20, choices=EventFormat, default=EventFormat.IN_PERSON)
    audience = models.CharField(max_length=20, choices=Audience, default=Audience.EVERYONE)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    venue_name = models.CharField(max_length=150, blank=True)
    address = models.TextField(blank=True)
    travel_notes = models.TextField(blank=True, help_text="Parking, public transport.")
    access_notes = models.TextField(
        blank=True, help_text="Step-free access, hearing loop, toilets."
    )
    online_joining_url = models.URLField(
        "Online joining link",
        max_length=500,
        blank=True,
        help_text=(
            "The video call's link. Only people with a place see it: on their "
            "registration page, in their emails and calendar invite; never on a public page."
        ),
    )
    online_joining_details = models.TextField(
        "Dial-in and other joining details",
        blank=True,
        help_text="Optional: a dial-in number, meeting ID or passcode. Sent only to people with a place.",
    )
    capacity = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=EventStatus, default=EventStatus.DRAFT)
    registration_opens_at = models.DateTimeField(
        null=True, blank=True, help_text="Blank: open as soon as the event is published."
    )
    registration_closes_at = models.DateTimeField(
        null=True, blank=True, help_text="Blank: two hours before the start."
    )
    reminder_hours = models.JSONField(
        default=default_reminder_hours,
        blank=True,
        help_text="Hours before the start at which reminders go, e.g. [48, 2].",
    )
    sequence = models.PositiveIntegerField(
        default=0, help_text="Calendar SEQUENCE: rises each time the time or place changes."
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancellation_message = models.TextField(blank=True)
    # The event this one was duplicated from (or scheduled in a series
    # from): a copy already made is found again, never made twice.
    copied_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="copies",
    )
    # Kept by the database: a trigger on events_registration (migration 0004)
    # adjusts them whenever a registration is added, removed or changes status.
    confirmed_count = models.PositiveIntegerField(default=0, editable=False)
    waiting_count = models.PositiveIntegerField(default=0, editable=False)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start"
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        """Never writes the counts back: the trigger owns them, and the
        values in memory may be older than the row."""
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name not in COUNTED
            ]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("events:detail", kwargs={"slug": self.slug})

    @property
    def is_online(self):
        return self.format == EventFormat.ONLINE

    @property
    def audience_in_a_sentence(self):
        return AUDIENCE_IN_A_SENTENCE.get(self.audience, "everyone")

    @property
    def closes_at(self):
        return self.registration_closes_at or self.starts_at - DEFAULT_CLOSE_BEFORE_START

    def places_left(self):
        return max(self.capacity - self.confirmed_count, 0)

    def few_places_threshold(self):
        return max(5, self.capacity // 10)

    def state(self, *, now=None):
        """The candidate-facing state."""
        now = now or timezone.now()
        if self.status == EventStatus.CANCELLED:
            return EventState.CANCELLED
        if self.status == EventStatus.DRAFT:
            return EventState.DRAFT
        if self.ends_at <= now:
            return EventState.PAST
        if self.registration_opens_at and now < self.registration_opens_at:
            return EventState.NOT_YET_OPEN
        if now >= self.closes_at:
            return EventState.CLOSED
        left = self.places_left()
        if left == 0 or self.waiting_count:
            return EventState.FULL
        if left <= self.few_places_threshold():
            return EventState.FEW_LEFT
        return EventState.OPEN

    def accepts_registrations(self, *, now=None):
        return self.state(now=now) in {EventState.OPEN, EventState.FEW_LEFT, EventState.FULL}


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", "Confirmed"
    WAITING = "waiting", "On the waiting list"
    CANCELLED = "cancelled", "Cancelled"


ACTIVE_STATUSES = [RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING]


class CancelReason(models.TextChoices):
    """Why a registration was cancelled, so staff can tell someone who gave
    their place back in one tap from an ordinary cancellation."""

    CANCELLED = "cancelled", "Cancelled"
    RELEASED = "released", "Gave the place back"
    LEFT_WAITING_LIST = "left_waiting_list", "Left the waiting list"


class HeardFrom(models.TextChoices):
    SOCIAL_MEDIA = "social_media", "Social media"
    FORCE_WEBSITE = "force_website", "The force's website"
    FRIEND_OR_FAMILY = "friend_or_family", "A friend or family member"
    POLICE_OFFICER = "police_officer", "A police officer or member of staff"
    CAREERS_FAIR = "careers_fair", "A careers fair, school or college"
    JOBS_BOARD = "jobs_board", "A jobs website"
    OTHER = "other", "Somewhere else"


class RegistrationSource(models.TextChoices):
    """How a registration was made: by the candidate online, by staff taking
    it over the phone, or at the door on the night."""

    ONLINE = "online", "Online"
    PHONE = "phone", "By phone (staff)"
    WALK_IN = "walk_in", "Walk-in on the night"


class RegistrationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status__in=ACTIVE_STATUSES)

    def waiting_in_order(self):
        return self.filter(status=RegistrationStatus.WAITING).order_by("pk")


class Registration(TimeStampedModel):
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="registrations")
    reference = models.CharField(max_length=16, unique=True)
    status = models.CharField(max_length=20, choices=RegistrationStatus)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField(max_length=254)
    email_key = models.CharField(
        max_length=254, help_text="The address case-folded: one active registration each."
    )
    # A keyed hash of the registration page's own random id (core.antispam):
    # that page sent again, even before its first answer came back (a double
    # tap), is known as the browser that made this registration.
    form_key = models.CharField(max_length=64, blank=True, default="", editable=False)
    phone = models.CharField(max_length=30, blank=True)
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="registrations")
    access_needs = models.TextField(blank=True)
    # Optional on the form: blank when the candidate did not say.
    heard_from = models.CharField(max_length=30, choices=HeardFrom, blank=True)
    privacy_accepted_at = models.DateTimeField()
    promoted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(
        max_length=20,
        choices=CancelReason,
        blank=True,
        help_text="Blank unless cancelled (and for cancellations made before it was recorded).",
    )
    checked_in_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(
        max_length=20, choices=RegistrationSource, default=RegistrationSource.ONLINE
    )

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "email_key"],
                condition=Q(status__in=ACTIVE_STATUSES),
                name="one_active_registration_per_email",
            ),
        ]
        indexes = [models.Index(fields=["event", "status"], name="registration_event_status")]

    def __str__(self):
        return self.reference

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}"

    @property
    def is_active(self):
        return self.status in ACTIVE_STATUSES


class RegistrationLink(models.Model):
    """A secret link to view, change or cancel a registration. Only the
    SHA-256 of the token is kept; a repeat registration adds a link rather
    than replacing one, so a stranger cannot break a candidate's link."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Link for {self.registration}"
