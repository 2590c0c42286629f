"""Staff changes to events: save (promoting into freed places), move or
change the place (emailing everyone registered), cancel."""

from collections.abc import Callable
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core import tokens
from emails.services import EmailToQueue, queue_new_reasons

from .. import calendar, door_pass
from ..models import (
    Event,
    EventStatus,
    HeardFrom,
    Registration,
    RegistrationLink,
    RegistrationStatus,
    Role,
)
from .registrations import (
    EVENT_PAST,
    give_back_url,
    lock_event,
    manage_url,
    promote_from_waiting_list,
)


def save_event(event: Event, *, roles: list[Role] | None = None) -> Event:
    """Save an event from the admin; if places have freed up (capacity
    raised), promote from the waiting list in the same transaction."""
    with transaction.atomic():
        event.save()
        if roles is not None:
            event.roles.set(roles)
        locked = lock_event(event.pk)
        promote_from_waiting_list(locked)
    return event


def upsert_demo_event(*, slug: str, fields: dict, roles: list[Role]) -> Event:
    """Create or refresh one demo event (seed_demo)."""
    event, _ = Event.objects.update_or_create(slug=slug, defaults=fields)
    event.roles.set(roles)
    return event


DEMO_FIRST_NAMES = [
    *["Priya", "Tom", "Aisha", "Jordan", "Chloe", "Kwame", "Siobhan", "Mateusz", "Grace"],
    *["Daniel", "Fatima", "Liam", "Mei", "Oluwaseun", "Hannah", "Ravi", "Ellie", "Jamal"],
]
DEMO_LAST_NAMES = [
    *["Shah", "Adams", "Khan", "Lee", "Walker", "Mensah", "O'Brien", "Nowak", "Taylor"],
    *["Evans", "Hussain", "Murphy", "Chen", "Adeyemi", "Clarke", "Patel", "Hughes", "Ali"],
]


def add_demo_registrations(
    event: Event,
    *,
    confirmed: int,
    waiting: int = 0,
    attended: int = 0,
    walk_ins: int = 0,
    now: datetime | None = None,
) -> int:
    """Made-up people for the demo (seed_demo): `confirmed` places (the
    first `attended` of them checked in), `walk_ins` more at the door and
    `waiting` on the list, registered over the three weeks before the event
    (or before now). Only for an event with no registrations yet, so running
    the demo again keeps what was there. No email, no secret link. Returns
    how many were added."""
    now = now or timezone.now()
    if event.registrations.exists():
        return 0
    roles = list(event.roles.order_by("position"))
    last = min(now, event.starts_at)
    rows = []
    plan = [
        *[(RegistrationStatus.CONFIRMED, n < attended, "online") for n in range(confirmed)],
        *[(RegistrationStatus.CONFIRMED, True, "walk_in") for _ in range(walk_ins)],
        *[(RegistrationStatus.WAITING, False, "online") for _ in range(waiting)],
    ]
    for n, (status, here, source) in enumerate(plan):
        first = DEMO_FIRST_NAMES[n % len(DEMO_FIRST_NAMES)]
        last_name = DEMO_LAST_NAMES[(n * 7) % len(DEMO_LAST_NAMES)]
        email = f"{first}.{last_name}.{event.pk}.{n}@example.org".lower().replace("'", "")
        rows.append(
            Registration(
                event=event,
                reference=tokens.new_reference(),
                status=status,
                first_name=first,
                last_name=last_name,
                email=email,
                email_key=email.casefold(),
                role=roles[n % len(roles)],
                heard_from=HeardFrom.values[n % len(HeardFrom.values)],
                privacy_accepted_at=last,
                checked_in_at=event.starts_at if here else None,
                source=source,
            )
        )
    Registration.objects.bulk_create(rows)
    # Spread over three weeks, most in the last days, as a campaign post does.
    for n, registration in enumerate(event.registrations.order_by("pk")):
        days = 21 * (1 - (n + 1) / len(rows)) ** 2
        moment = last - timedelta(days=days, minutes=n)
        Registration.objects.filter(pk=registration.pk).update(
            created_at=moment, privacy_accepted_at=moment
        )
    return len(rows)


# Changing and cancelling events, and emails to everyone registered.

EVENT_ALREADY_CANCELLED = "This event has already been cancelled."
EVENT_CANCELLED_CANNOT_CHANGE = "This event has been cancelled, so it cannot be changed."
EVENT_MUST_END_AFTER_START = "The event must end after it starts."
TIME_FIELDS = ("starts_at", "ends_at")
JOINING_FIELDS = ("online_joining_url", "online_joining_details")
PLACE_FIELDS = ("format", "venue_name", "address", *JOINING_FIELDS)


def change_event(
    event: Event,
    *,
    starts_at: datetime,
    ends_at: datetime,
    venue_name: str,
    address: str,
    event_format: str | None = None,
    online_joining_details: str | None = None,
    online_joining_url: str | None = None,
) -> Event:
    """Move an event or change its place (None leaves a field as it is).

    Locks the event row. When the time or place differs from what is
    stored: saves those fields and raises `sequence` (calendars replace the
    entry; reminders are timed again), and for a published event queues
    `event_changed` to everyone confirmed (with a new .ics) or waiting, each
    with a fresh manage link; when only the online joining link or details
    changed, to those confirmed alone (nobody else may see them). Returns the event as saved. Raises
    ValidationError for a cancelled event or an end before the start.
    """
    if ends_at <= starts_at:
        raise ValidationError(EVENT_MUST_END_AFTER_START, code="ends_before_start")
    new = {"starts_at": starts_at, "ends_at": ends_at, "venue_name": venue_name}
    new |= {"address": address, "format": event_format}
    new |= {"online_joining_details": online_joining_details}
    new |= {"online_joining_url": online_joining_url}
    with transaction.atomic():
        locked = lock_event(event.pk)
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
    joining_only = all(name in JOINING_FIELDS for name in changed)
    registrations = event.registrations.active()
    if joining_only:
        registrations = registrations.filter(status=RegistrationStatus.CONFIRMED)
    return queue_registration_emails(
        list(registrations),
        kind="event_changed",
        dedupe_key=lambda registration: f"event_changed:{registration.pk}:{event.sequence}",
        context={
            "before": before,
            "time_changed": any(name in TIME_FIELDS for name in changed),
            "place_changed": any(
                name in PLACE_FIELDS and name not in JOINING_FIELDS for name in changed
            ),
            "joining_changed": any(name in JOINING_FIELDS for name in changed),
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
        locked = lock_event(event.pk)
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
    with_door_pass: bool = False,
) -> int:
    """Queue one email of `kind` to each registration that has none for
    `dedupe_key` yet, with a fresh manage link each: one INSERT of links and
    one of emails, enqueued together on commit. Call inside a transaction
    holding the event row lock, with each registration's `event` loaded (as
    `event.registrations` does), so no query runs per row. With
    `with_door_pass`, a confirmed place at an event in person also gets its
    QR door pass (events/door_pass.py). Returns how many were queued."""

    def build(todo: list[tuple[Registration, str]]) -> list[EmailToQueue]:
        links = _add_links([registration for registration, _ in todo]) if with_link else {}
        emails = []
        for registration, key in todo:
            ics = attachment(registration) if attachment else None
            token = links.get(registration.pk)
            pass_wanted = with_door_pass and door_pass.wanted(registration)
            emails.append(
                EmailToQueue(
                    kind=kind,
                    to=registration.email,
                    context={
                        **(context or {}),
                        "registration": registration,
                        "event": registration.event,
                        "manage_url": manage_url(token) if token else None,
                        "door_pass": pass_wanted,
                        "give_back_url": give_back_url(token) if token else None,
                    },
                    dedupe_key=key,
                    about=f"registration:{registration.pk}",
                    attachments=([ics] if ics else [])
                    + (door_pass.attachments(registration) if pass_wanted else []),
                )
            )
        return emails

    return len(queue_new_reasons(registrations, dedupe_key=dedupe_key, build=build))


def _add_links(registrations: list[Registration]) -> dict[int, str]:
    """A fresh secret link for each registration, in one INSERT: {registration id: token}."""
    new_tokens = {registration.pk: tokens.new_token() for registration in registrations}
    RegistrationLink.objects.bulk_create(
        RegistrationLink(registration_id=pk, token_hash=tokens.hash_token(token))
        for pk, token in new_tokens.items()
    )
    return new_tokens
