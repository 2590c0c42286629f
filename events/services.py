"""Writes for events and registrations. Each function owns its transaction,
locks the event row before checking capacity, and queues the emails it causes
through the outbox in the same transaction."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from emails.queries import email_queued, queued_keys
from emails.services import EmailToQueue, queue_email, queue_emails

from . import calendar, tokens
from .models import (
    Event,
    EventState,
    EventStatus,
    Registration,
    RegistrationLink,
    RegistrationStatus,
    Role,
)

EVENT_CANCELLED = "This event has been cancelled, so you cannot register for it."
EVENT_PAST = "This event has already happened."
REGISTRATION_NOT_OPEN = "Registration for this event has not opened yet."
REGISTRATION_CLOSED = "Registration for this event has closed."
EVENT_NOT_PUBLISHED = "This event is not open for registration."
REGISTRATION_ALREADY_CANCELLED = "This registration has already been cancelled."

RESEND_QUIET_PERIOD = timedelta(minutes=10)

REFUSALS = {
    EventState.CANCELLED: EVENT_CANCELLED,
    EventState.PAST: EVENT_PAST,
    EventState.NOT_YET_OPEN: REGISTRATION_NOT_OPEN,
    EventState.CLOSED: REGISTRATION_CLOSED,
    EventState.DRAFT: EVENT_NOT_PUBLISHED,
}


@dataclass(frozen=True)
class RegistrationOutcome:
    registration: Registration
    created: bool


def register_candidate(
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
    """Confirm a place, or join the waiting list when the event is full.

    Locks the event row, so concurrent registrations are counted one at a
    time and capacity is never exceeded. A second registration with the same
    email (case-folded) returns the existing one and emails its link again.
    Queues the confirmation or waiting-list email. Raises ValidationError
    with one of the REFUSALS messages when the event takes no registrations.
    """
    now = now or timezone.now()
    email_key = email.strip().casefold()
    with transaction.atomic():
        event = _lock_event_with_counts(event.pk)
        state = event.state(now=now)
        if state in REFUSALS:
            raise ValidationError(REFUSALS[state], code=state)
        existing = event.registrations.active().filter(email_key=email_key).first()
        if existing is not None:
            resend_registration_link(existing, now=now)
            return RegistrationOutcome(existing, created=False)
        has_place = event.confirmed_count < event.capacity and not event.waiting_count
        registration = Registration(
            event=event,
            status=RegistrationStatus.CONFIRMED if has_place else RegistrationStatus.WAITING,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            email=email.strip(),
            email_key=email_key,
            phone=phone.strip(),
            role=role,
            access_needs=access_needs.strip(),
            heard_from=heard_from,
            privacy_accepted_at=now,
        )
        _save_with_new_reference(registration)
        token = _add_link(registration)
        kind = "registration_confirmed" if has_place else "waiting_list_joined"
        _queue_registration_email(registration, kind=kind, token=token)
    return RegistrationOutcome(registration, created=True)


def _lock_event_with_counts(event_id: int) -> Event:
    event = Event.objects.select_for_update().get(pk=event_id)
    counts = Registration.objects.filter(event_id=event_id).active()
    event.confirmed_count = counts.filter(status=RegistrationStatus.CONFIRMED).count()
    event.waiting_count = counts.filter(status=RegistrationStatus.WAITING).count()
    return event


def _save_with_new_reference(registration: Registration, *, attempts: int = 5) -> None:
    """Save with a random reference, drawing again on the rare collision."""
    for _ in range(attempts - 1):
        registration.reference = tokens.new_reference()
        if not Registration.objects.filter(reference=registration.reference).exists():
            break
    with transaction.atomic():
        registration.save()


def _add_link(registration: Registration) -> str:
    token = tokens.new_token()
    RegistrationLink.objects.create(registration=registration, token_hash=tokens.hash_token(token))
    return token


def manage_url(token: str) -> str:
    return settings.SITE_URL + reverse("events:manage", kwargs={"token": token})


def waiting_position(registration: Registration) -> int | None:
    if registration.status != RegistrationStatus.WAITING:
        return None
    return Registration.objects.filter(
        event_id=registration.event_id, status=RegistrationStatus.WAITING, pk__lte=registration.pk
    ).count()


def _queue_registration_email(
    registration: Registration,
    *,
    kind: str,
    token: str | None = None,
    dedupe_suffix: str = "",
    attachment: dict | None = None,
) -> None:
    context = {
        "registration": registration,
        "event": registration.event,
        "position": waiting_position(registration),
        "manage_url": manage_url(token) if token else None,
    }
    if attachment is None and kind in {"registration_confirmed", "promoted_from_waiting_list"}:
        attachment = calendar.registration_ics(registration)
    queue_email(
        kind=kind,
        to=registration.email,
        context=context,
        dedupe_key=f"{kind}:{registration.pk}{dedupe_suffix}",
        about=f"registration:{registration.pk}",
        attachments=[attachment] if attachment else [],
    )


def resend_registration_link(registration: Registration, *, now: datetime | None = None) -> bool:
    """Email a fresh link to an active registration, at most once an hour
    and not in its first ten minutes (the confirmation has just gone, and a
    double-submitted form should not send two emails). Adds a
    RegistrationLink; earlier links keep working. Returns whether an email
    was queued."""
    now = now or timezone.now()
    if now - registration.created_at < RESEND_QUIET_PERIOD:
        return False
    suffix = f":{now:%Y%m%d%H}"
    if email_queued(f"registration_link_resent:{registration.pk}{suffix}"):
        return False
    token = _add_link(registration)
    _queue_registration_email(
        registration, kind="registration_link_resent", token=token, dedupe_suffix=suffix
    )
    return True


def cancel_registration(registration: Registration, *, now: datetime | None = None) -> Registration:
    """Cancel a place or a waiting-list entry, and give a freed place to the
    first person waiting (in the same transaction). Locks the event row.
    Queues the cancellation email (with an .ics that removes the entry) and
    any promotion emails. Raises ValidationError if already cancelled."""
    now = now or timezone.now()
    with transaction.atomic():
        event = _lock_event_with_counts(registration.event_id)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status == RegistrationStatus.CANCELLED:
            raise ValidationError(REGISTRATION_ALREADY_CANCELLED, code="already_cancelled")
        was_confirmed = registration.status == RegistrationStatus.CONFIRMED
        registration.status = RegistrationStatus.CANCELLED
        registration.cancelled_at = now
        registration.save(update_fields=["status", "cancelled_at", "updated_at"])
        registration.event = event
        _queue_registration_email(
            registration,
            kind="registration_cancelled",
            attachment=calendar.registration_ics(registration, cancel=True)
            if was_confirmed
            else None,
        )
        if was_confirmed:
            event.confirmed_count -= 1
            promote_from_waiting_list(event, now=now)
    return registration


def promote_from_waiting_list(event: Event, *, now: datetime | None = None) -> list[Registration]:
    """Fill free places from the waiting list, first come first served.

    The caller must hold the event row lock (from _lock_event_with_counts)
    inside its transaction. Nobody is promoted after registration closes,
    or for an event that is not published. Queues a promotion email each."""
    now = now or timezone.now()
    if event.status != EventStatus.PUBLISHED or now >= event.closes_at:
        return []
    free = event.capacity - event.confirmed_count
    if free <= 0:
        return []
    promoted = list(event.registrations.waiting_in_order()[:free])
    for registration in promoted:
        registration.status = RegistrationStatus.CONFIRMED
        registration.promoted_at = now
        registration.save(update_fields=["status", "promoted_at", "updated_at"])
        registration.event = event
        token = _add_link(registration)
        _queue_registration_email(registration, kind="promoted_from_waiting_list", token=token)
    event.confirmed_count += len(promoted)
    event.waiting_count -= len(promoted)
    return promoted


def update_registration_details(
    registration: Registration,
    *,
    first_name: str,
    last_name: str,
    phone: str = "",
    access_needs: str = "",
) -> Registration:
    """Change the details a candidate may change themselves. No email."""
    if not registration.is_active:
        raise ValidationError(REGISTRATION_ALREADY_CANCELLED, code="already_cancelled")
    registration.first_name = first_name.strip()
    registration.last_name = last_name.strip()
    registration.phone = phone.strip()
    registration.access_needs = access_needs.strip()
    registration.save(
        update_fields=["first_name", "last_name", "phone", "access_needs", "updated_at"]
    )
    return registration


def save_event(event: Event, *, roles: list[Role] | None = None) -> Event:
    """Save an event from the admin; if places have freed up (capacity
    raised), promote from the waiting list in the same transaction."""
    with transaction.atomic():
        event.save()
        if roles is not None:
            event.roles.set(roles)
        locked = _lock_event_with_counts(event.pk)
        promote_from_waiting_list(locked)
    return event


def upsert_demo_event(*, slug: str, fields: dict, roles: list[Role]) -> Event:
    """Create or refresh one demo event (seed_demo)."""
    event, _ = Event.objects.update_or_create(slug=slug, defaults=fields)
    event.roles.set(roles)
    return event


# Changing and cancelling events, and emails to everyone registered.

EVENT_ALREADY_CANCELLED = "This event has already been cancelled."
EVENT_CANCELLED_CANNOT_CHANGE = "This event has been cancelled, so it cannot be changed."
EVENT_MUST_END_AFTER_START = "The event must end after it starts."
TIME_FIELDS = ("starts_at", "ends_at")
PLACE_FIELDS = ("format", "venue_name", "address", "online_joining_details")


def change_event(
    event: Event,
    *,
    starts_at: datetime,
    ends_at: datetime,
    venue_name: str,
    address: str,
    event_format: str | None = None,
    online_joining_details: str | None = None,
) -> Event:
    """Move an event or change its place (None leaves a field as it is).

    Locks the event row. When the time or place differs from what is
    stored: saves those fields and raises `sequence` (calendars replace the
    entry; reminders are timed again), and for a published event queues
    `event_changed` to everyone confirmed (with a new .ics) or waiting, each
    with a fresh manage link. Returns the event as saved. Raises
    ValidationError for a cancelled event or an end before the start.
    """
    if ends_at <= starts_at:
        raise ValidationError(EVENT_MUST_END_AFTER_START, code="ends_before_start")
    new = {"starts_at": starts_at, "ends_at": ends_at, "venue_name": venue_name}
    new |= {"address": address, "format": event_format}
    new |= {"online_joining_details": online_joining_details}
    with transaction.atomic():
        locked = Event.objects.select_for_update().get(pk=event.pk)
        if locked.status == EventStatus.CANCELLED:
            raise ValidationError(EVENT_CANCELLED_CANNOT_CHANGE, code="cancelled")
        changed = [
            name
            for name, value in new.items()
            if value is not None and getattr(locked, name) != value
        ]
        if not changed:
            return locked
        # What it was, for the email: an unsaved copy the templates can show.
        before = Event(**{name: getattr(locked, name) for name in (*TIME_FIELDS, *PLACE_FIELDS)})
        for name in changed:
            setattr(locked, name, new[name])
        locked.sequence += 1
        locked.save(update_fields=[*changed, "sequence", "updated_at"])
        if locked.status == EventStatus.PUBLISHED:
            _queue_event_changed(locked, before=before, changed=changed)
    return locked


def _queue_event_changed(event: Event, *, before: Event, changed: list[str]) -> int:
    return queue_registration_emails(
        list(event.registrations.active()),
        kind="event_changed",
        dedupe_key=lambda registration: f"event_changed:{registration.pk}:{event.sequence}",
        context={
            "before": before,
            "time_changed": any(name in TIME_FIELDS for name in changed),
            "place_changed": any(name in PLACE_FIELDS for name in changed),
        },
        attachment=_invite_if_confirmed,
    )


def _invite_if_confirmed(registration: Registration) -> dict | None:
    if registration.status != RegistrationStatus.CONFIRMED:
        return None
    return calendar.registration_ics(registration)


def _cancellation_if_confirmed(registration: Registration) -> dict | None:
    if registration.status != RegistrationStatus.CONFIRMED:
        return None
    return calendar.registration_ics(registration, cancel=True)


def cancel_event(event: Event, *, message: str = "", now: datetime | None = None) -> Event:
    """Cancel an event and tell everyone registered.

    Locks the event row; sets status cancelled, cancelled_at and (when given)
    the message shown in the email and on the event page; queues
    `event_cancelled` to everyone confirmed (with an .ics that removes the
    entry) or waiting. Registrations keep their status as the record of who
    was coming; reminders stop, as they go only for published events.
    Raises ValidationError if the event is cancelled already or over.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = Event.objects.select_for_update().get(pk=event.pk)
        if locked.status == EventStatus.CANCELLED:
            raise ValidationError(EVENT_ALREADY_CANCELLED, code="already_cancelled")
        if locked.ends_at <= now:
            raise ValidationError(EVENT_PAST, code="past")
        locked.status = EventStatus.CANCELLED
        locked.cancelled_at = now
        if message.strip():
            locked.cancellation_message = message.strip()
        locked.save(update_fields=["status", "cancelled_at", "cancellation_message", "updated_at"])
        queue_registration_emails(
            list(locked.registrations.active()),
            kind="event_cancelled",
            dedupe_key=lambda registration: f"event_cancelled:{registration.pk}",
            attachment=_cancellation_if_confirmed,
            with_link=False,
        )
    return locked


def queue_registration_emails(
    registrations: list[Registration],
    *,
    kind: str,
    dedupe_key: Callable[[Registration], str],
    context: dict | None = None,
    attachment: Callable[[Registration], dict | None] | None = None,
    with_link: bool = True,
) -> int:
    """Queue one email of `kind` to each registration that has none for
    `dedupe_key` yet, with a fresh manage link each: one INSERT of links and
    one of emails, enqueued together on commit. Call inside a transaction
    holding the event row lock, with each registration's `event` loaded (as
    `event.registrations` does), so no query runs per row. Returns how many
    were queued."""
    keys = {registration.pk: dedupe_key(registration) for registration in registrations}
    done = queued_keys(keys.values())
    todo = [registration for registration in registrations if keys[registration.pk] not in done]
    links = _add_links(todo) if with_link else {}
    emails = []
    for registration in todo:
        ics = attachment(registration) if attachment else None
        token = links.get(registration.pk)
        emails.append(
            EmailToQueue(
                kind=kind,
                to=registration.email,
                context={
                    **(context or {}),
                    "registration": registration,
                    "event": registration.event,
                    "manage_url": manage_url(token) if token else None,
                },
                dedupe_key=keys[registration.pk],
                about=f"registration:{registration.pk}",
                attachments=[ics] if ics else [],
            )
        )
    return len(queue_emails(emails))


def _add_links(registrations: list[Registration]) -> dict[int, str]:
    """A fresh secret link for each registration, in one INSERT: {registration id: token}."""
    new_tokens = {registration.pk: tokens.new_token() for registration in registrations}
    RegistrationLink.objects.bulk_create(
        RegistrationLink(registration_id=pk, token_hash=tokens.hash_token(token))
        for pk, token in new_tokens.items()
    )
    return new_tokens
