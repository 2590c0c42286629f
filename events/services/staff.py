"""What staff do to events and registrations from the admin: duplicate and
publish an event, email the people registered, register someone who
phones in, and check people in at the door (with walk-ins)."""

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from core.names import check_names, clean_name

from ..models import (
    Event,
    EventStatus,
    HeardFrom,
    Registration,
    RegistrationSource,
    RegistrationStatus,
    Role,
)
from ..queries import door_counts
from .event_changes import EVENT_MUST_END_AFTER_START, queue_registration_emails
from .registrations import (
    EVENT_CANCELLED,
    EVENT_PAST,
    REGISTRATION_ALREADY_CANCELLED,
    RegistrationOutcome,
    _save_with_new_reference,
    lock_event,
    promote_from_waiting_list,
    register_candidate,
)

DUPLICATE_IN_PAST = "The new date must be in the future."
EVENT_ALREADY_PUBLISHED = "This event is already published."
EVENT_CANCELLED_CANNOT_PUBLISH = "This event has been cancelled, so it cannot be published."
NO_RECIPIENTS_CHOSEN = "Choose who to email: confirmed, waiting list or attended."
ROOM_FULL = (
    "Everyone the room holds is here already: as many people have checked in as the "
    "event's capacity. Raise the capacity on the event first if the room really has space."
)
FULLY_BOOKED = (
    "Every place is booked. Letting someone in now uses the place of a booked person "
    "who has not arrived yet: tick the box to confirm."
)
NOT_ON_THE_DAY = "Walk-ins can only be added on the day of the event."
NOT_CHECKED_IN = "This person is not checked in."

# Walk-ins and check-ins are accepted from this long before the start to
# this long after the end (registers are often finished off the next morning).
DOOR_OPENS_BEFORE = timedelta(hours=12)
DOOR_CLOSES_AFTER = timedelta(hours=12)


class MessageAudience:
    """Who a staff message goes to. Cancelled registrations never get one."""

    CONFIRMED = "confirmed"
    WAITING = "waiting"
    ATTENDED = "attended"
    CHOICES = [
        (CONFIRMED, "Everyone with a confirmed place"),
        (WAITING, "Everyone on the waiting list"),
        (ATTENDED, "Everyone who attended (checked in)"),
    ]


# Duplicating and publishing ------------------------------------------------


@dataclass(frozen=True)
class CopyOutcome:
    """A duplicated event, and whether this call made it (False: the same
    copy was made before, e.g. by the same form sent twice)."""

    copy: Event
    created: bool


def duplicate_event(
    event: Event,
    *,
    starts_at: datetime,
    ends_at: datetime,
    title: str | None = None,
    now: datetime | None = None,
) -> CopyOutcome:
    """Copy an event to a new date as a draft: every field and role, never
    its registrations. Registration opening and closing times move with the
    start. Writes one Event (with a new unique slug) and its roles; no email.
    Once only: when a copy of this event with the same title and start is
    there already (and not cancelled), returns it, created=False. Locks the
    source event's row, so two requests at once make one copy.
    Raises ValidationError for an end before the start or a start in the past."""
    _check_new_date(starts_at=starts_at, ends_at=ends_at, now=now or timezone.now())
    title = (title or event.title).strip()
    with transaction.atomic():
        source = lock_event(event.pk)
        existing = _copies_made(source, title=title, starts=[starts_at]).first()
        if existing is not None:
            return CopyOutcome(existing, created=False)
        copy = _copy_event(source, starts_at=starts_at, ends_at=ends_at, title=title)
    return CopyOutcome(copy, created=True)


SERIES_MAX = 26
SERIES_EMPTY = "Choose at least one date for the series."
SERIES_TOO_LONG = f"A series can have at most {SERIES_MAX} events. Schedule the rest later."
SERIES_SAME_DATE_TWICE = "Two events in the series start at the same time. Choose different dates."


@dataclass(frozen=True)
class SeriesOutcome:
    """The copies a series call made, and those it found made already, each
    in date order."""

    made: list[Event]
    already_made: list[Event]


def schedule_series(
    event: Event,
    *,
    dates: list[tuple[datetime, datetime]],
    now: datetime | None = None,
) -> SeriesOutcome:
    """Copy an event to each (start, end) in `dates` as drafts, all or none.

    Each copy is what duplicate_event makes: its own slug, roles and
    reminder schedule, no registrations, no email; publishing it later
    queues its own alert run. Once only, as duplicate_event: a date with a
    copy of this event (same title and start, not cancelled) is skipped and
    that copy returned in `already_made`, so the confirmation sent twice
    makes the series once. Locks the source event's row; writes the missing
    Events in one transaction.
    Raises ValidationError (SERIES_* or duplicate_event's) before writing."""
    _check_series(dates, now=now or timezone.now())
    with transaction.atomic():
        source = lock_event(event.pk)
        found = {
            copy.starts_at: copy
            for copy in _copies_made(
                source, title=source.title.strip(), starts=[start for start, _ in dates]
            )
        }
        made = [
            _copy_event(source, starts_at=starts_at, ends_at=ends_at)
            for starts_at, ends_at in sorted(dates)
            if starts_at not in found
        ]
    return SeriesOutcome(made=made, already_made=list(found.values()))


def _check_series(dates: list[tuple[datetime, datetime]], *, now: datetime) -> None:
    if not dates:
        raise ValidationError(SERIES_EMPTY, code="empty")
    if len(dates) > SERIES_MAX:
        raise ValidationError(SERIES_TOO_LONG, code="too_long")
    if len({starts_at for starts_at, _ in dates}) < len(dates):
        raise ValidationError(SERIES_SAME_DATE_TWICE, code="same_date")
    for starts_at, ends_at in dates:
        _check_new_date(starts_at=starts_at, ends_at=ends_at, now=now)


def _copies_made(source: Event, *, title: str, starts: list[datetime]):
    """Copies of `source` already made with this title at these starts: a
    cancelled one does not count (staff may make that date again)."""
    return (
        Event.objects.filter(copied_from=source, title=title, starts_at__in=starts)
        .exclude(status=EventStatus.CANCELLED)
        .order_by("starts_at", "pk")
    )


def _check_new_date(*, starts_at: datetime, ends_at: datetime, now: datetime) -> None:
    if ends_at <= starts_at:
        raise ValidationError(EVENT_MUST_END_AFTER_START, code="ends_before_start")
    if starts_at <= now:
        raise ValidationError(DUPLICATE_IN_PAST, code="past")


def _copy_event(
    event: Event, *, starts_at: datetime, ends_at: datetime, title: str | None = None
) -> Event:
    """Inside the caller's transaction: one draft copy of `event`."""
    shift = starts_at - event.starts_at
    copy = Event(
        **{field: getattr(event, field) for field in _COPIED_FIELDS},
        title=(title or event.title).strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        status=EventStatus.DRAFT,
        copied_from=event,
    )
    for name in ("registration_opens_at", "registration_closes_at"):
        value = getattr(event, name)
        setattr(copy, name, value + shift if value else None)
    copy.slug = _free_slug(copy)
    copy.save()
    copy.roles.set(event.roles.all())
    return copy


_COPIED_FIELDS = [
    *["summary", "description", "format", "audience", "venue_name", "address"],
    *["travel_notes", "access_notes", "online_joining_details", "capacity", "reminder_hours"],
]


def _free_slug(event: Event) -> str:
    local = timezone.localtime(event.starts_at)
    base = slugify(f"{event.title} {local:%Y-%m-%d}")[:150]
    slug, number = base, 1
    while Event.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


def publish_event(event: Event, *, now: datetime | None = None) -> Event:
    """Make a draft visible to candidates and open for registration (from
    its registration opening time, if it has one). Locks the event row.
    Raises ValidationError if it is published already, cancelled or over.
    Interest alerts follow from the alerts app's scheduled run, which finds
    newly published events itself."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = lock_event(event.pk)
        if locked.status == EventStatus.PUBLISHED:
            raise ValidationError(EVENT_ALREADY_PUBLISHED, code="published")
        if locked.status == EventStatus.CANCELLED:
            raise ValidationError(EVENT_CANCELLED_CANNOT_PUBLISH, code="cancelled")
        if locked.ends_at <= now:
            raise ValidationError(EVENT_PAST, code="past")
        locked.status = EventStatus.PUBLISHED
        locked.save(update_fields=["status", "updated_at"])
        promote_from_waiting_list(locked, now=now)
    return locked


# Emailing the people registered ---------------------------------------------


def message_recipients(event: Event, *, audiences: list[str]):
    """The registrations a staff message to `audiences` reaches: never a
    cancelled one, each person once."""
    wanted = set(audiences)
    statuses = []
    if MessageAudience.CONFIRMED in wanted:
        statuses.append(RegistrationStatus.CONFIRMED)
    if MessageAudience.WAITING in wanted:
        statuses.append(RegistrationStatus.WAITING)
    # An anonymised registration (RETENTION_MONTHS after the event) has no address.
    registrations = Registration.objects.filter(event=event).exclude(email="")
    chosen = registrations.filter(status__in=statuses)
    if MessageAudience.ATTENDED in wanted:
        attended = registrations.filter(
            status=RegistrationStatus.CONFIRMED, checked_in_at__isnull=False
        )
        chosen = chosen | attended
    return chosen.order_by("pk")


def message_key(registration_id: int, *, subject: str, message: str) -> str:
    """The same message to the same person goes once: a double click, or
    sending to confirmed and then to everyone, never repeats it."""
    digest = hashlib.sha256(f"{subject.strip()}\n{message.strip()}".encode()).hexdigest()[:20]
    return f"staff_message:{registration_id}:{digest}"


def email_registrants(
    event: Event, *, subject: str, message: str, audiences: list[str], now: datetime | None = None
) -> int:
    """Queue a `staff_message` email to everyone in `audiences` (confirmed,
    waiting, attended; never cancelled), each with a fresh manage link while
    the event is to come. Locks the event row; one email per person per
    message. Returns how many were queued."""
    now = now or timezone.now()
    if not audiences:
        raise ValidationError(NO_RECIPIENTS_CHOSEN, code="no_recipients")
    with transaction.atomic():
        locked = lock_event(event.pk)
        registrations = list(
            message_recipients(locked, audiences=audiences).select_related("event")
        )
        return queue_registration_emails(
            registrations,
            kind="staff_message",
            dedupe_key=lambda registration: message_key(
                registration.pk, subject=subject, message=message
            ),
            context={"subject": subject.strip(), "message": without_greeting(message)},
            with_link=locked.ends_at > now,
        )


# The email already starts "Dear <first name>,": a greeting line of the
# staff member's own would make two.
_GREETING = re.compile(
    r"\A\s*(dear|hello|hi|hey|good (morning|afternoon|evening))\b[^\n]{0,60}\n", re.IGNORECASE
)


def without_greeting(message: str) -> str:
    """The message with a first line like "Hello," or "Dear all," left out."""
    message = message.strip()
    trimmed = _GREETING.sub("", message + "\n", count=1).strip()
    return trimmed or message


# Registering someone who phones in ------------------------------------------


def register_by_phone(
    event: Event,
    *,
    first_name: str,
    last_name: str,
    email: str,
    role: Role,
    heard_from: str,
    phone: str = "",
    access_needs: str = "",
    now: datetime | None = None,
) -> RegistrationOutcome:
    """Register someone on their behalf, by the same rules and with the same
    emails as the online form (register_candidate), marking it as taken by
    phone. Raises the same ValidationErrors."""
    with transaction.atomic():
        outcome = register_candidate(
            event,
            first_name=first_name,
            last_name=last_name,
            email=email,
            role=role,
            heard_from=heard_from,
            phone=phone,
            access_needs=access_needs,
            now=now,
        )
        if outcome.created:
            outcome.registration.source = RegistrationSource.PHONE
            outcome.registration.save(update_fields=["source", "updated_at"])
    return outcome


# At the door ----------------------------------------------------------------


def _check_door_open(event: Event, *, now: datetime) -> None:
    if event.status == EventStatus.CANCELLED:
        raise ValidationError(EVENT_CANCELLED, code="cancelled")
    if not event.starts_at - DOOR_OPENS_BEFORE <= now <= event.ends_at + DOOR_CLOSES_AFTER:
        raise ValidationError(NOT_ON_THE_DAY, code="not_on_the_day")


def _check_room(event: Event, *, over_booking: bool) -> None:
    """A place at the door: free when fewer are booked than the capacity;
    when all are booked, only if staff confirm (no-shows leave room) and
    never once as many are here as the room holds."""
    counts = door_counts(event)
    if counts.room_full:
        raise ValidationError(ROOM_FULL, code="room_full")
    if counts.fully_booked and not over_booking:
        raise ValidationError(FULLY_BOOKED, code="fully_booked")


def check_in(
    registration: Registration, *, over_booking: bool = False, now: datetime | None = None
) -> Registration:
    """Mark someone as here. A confirmed person always has their place;
    someone from the waiting list is let in (and confirmed) by the same rule
    as a walk-in. Locks the event row. No email. Checking in twice is
    harmless. Raises ValidationError for a cancelled registration or event,
    or when there is no room."""
    now = now or timezone.now()
    with transaction.atomic():
        event = lock_event(registration.event_id)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status == RegistrationStatus.CANCELLED:
            raise ValidationError(REGISTRATION_ALREADY_CANCELLED, code="cancelled")
        if registration.checked_in_at:
            return registration
        _check_door_open(event, now=now)
        fields = ["checked_in_at", "updated_at"]
        if registration.status == RegistrationStatus.WAITING:
            _check_room(event, over_booking=over_booking)
            registration.status = RegistrationStatus.CONFIRMED
            registration.promoted_at = now
            fields += ["status", "promoted_at"]
        registration.checked_in_at = now
        registration.save(update_fields=fields)
    return registration


def undo_check_in(registration: Registration) -> Registration:
    """Take back a check-in made by mistake: one conditional UPDATE. The
    person keeps their place. Raises ValidationError if not checked in."""
    updated = Registration.objects.filter(pk=registration.pk, checked_in_at__isnull=False).update(
        checked_in_at=None, updated_at=timezone.now()
    )
    if not updated:
        raise ValidationError(NOT_CHECKED_IN, code="not_checked_in")
    registration.refresh_from_db()
    return registration


def admit_walk_in(
    event: Event,
    *,
    first_name: str,
    last_name: str,
    email: str,
    role: Role,
    over_booking: bool = False,
    now: datetime | None = None,
) -> Registration:
    """Let in someone who turned up without a place: a confirmed, checked-in
    registration marked as a walk-in (a place when one is free; when all are
    booked only if staff confirm, and never more people here than the
    capacity). Someone who did register (same email) is simply checked in.
    Locks the event row. No email: they are in the room.
    Raises ValidationError when the door is not open or there is no room,
    or at a name field when a name is not one (core.names): walk-ins are
    emailed with everyone who came."""
    check_names(first_name=first_name, last_name=last_name)
    now = now or timezone.now()
    email_key = email.strip().casefold()
    with transaction.atomic():
        locked = lock_event(event.pk)
        _check_door_open(locked, now=now)
        existing = locked.registrations.active().filter(email_key=email_key).first()
        if existing is not None:
            return check_in(existing, over_booking=over_booking, now=now)
        _check_room(locked, over_booking=over_booking)
        registration = Registration(
            event=locked,
            status=RegistrationStatus.CONFIRMED,
            source=RegistrationSource.WALK_IN,
            first_name=clean_name(first_name),
            last_name=clean_name(last_name),
            email=email.strip(),
            email_key=email_key,
            role=role,
            heard_from=HeardFrom.OTHER,
            privacy_accepted_at=now,
            checked_in_at=now,
        )
        _save_with_new_reference(registration)
    return registration
