"""Registrations: register, join and leave the waiting list, change details.
Each function owns its transaction, locks the event row before counting
places, and queues the emails it causes through the outbox in the same
transaction."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from core import tokens
from core.names import check_names, clean_name
from emails.queries import email_queued
from emails.services import DROP, EmailToQueue, queue_emails

from .. import registration_emails
from ..models import (
    CancelReason,
    Event,
    EventState,
    EventStatus,
    Registration,
    RegistrationLink,
    RegistrationStatus,
    Role,
)
from . import repeats

EVENT_CANCELLED = "This event has been cancelled, so you cannot register for it."
EVENT_PAST = "This event has already happened."
REGISTRATION_NOT_OPEN = "Registration for this event has not opened yet."
REGISTRATION_CLOSED = "Registration for this event has closed."
EVENT_NOT_PUBLISHED = "This event is not open for registration."
REGISTRATION_ALREADY_CANCELLED = "This registration has already been cancelled."
EVENT_STARTED = "This event has already started, so it is too late to give your place back."
TOO_LATE_TO_CANCEL = "This event has already started, so it is too late to cancel."
EVENT_CANCELLED_NOTHING_TO_CANCEL = "This event has been cancelled, so there is nothing to cancel."

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
    # A repeat from the very page that made the registration (its form key).
    same_form: bool = False


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
    form_key: str = "",
    now: datetime | None = None,
) -> RegistrationOutcome:
    """Confirm a place, or join the waiting list when the event is full.

    Locks the event row, so concurrent registrations are counted one at a
    time and capacity is never exceeded. A second registration with the same
    email (case-folded) returns the existing one (its id, event and email
    loaded; the rest on first use) and emails its link again, at most once
    an hour and not in its first RESEND_QUIET_PERIOD; otherwise it writes a
    link and an outbox row the worker drops, so that it sends the same
    statements as a new registration (events/services/repeats.py).
    Queues the confirmation or waiting-list email. Raises ValidationError
    with one of the REFUSALS messages when the event takes no registrations,
    or at the name fields when a name is not one (core.names), before
    looking anything up, so a known and an unknown address are refused alike.
    `form_key` (the page's, core.antispam) is kept with a new registration;
    a repeat sent with the same one comes back with same_form True.
    """
    check_names(first_name=first_name, last_name=last_name)
    now = now or timezone.now()
    email_key = email.strip().casefold()
    # Everything that needs no lock is done before taking it: every
    # registration for the event waits its turn on the row lock until commit.
    registration = Registration(
        first_name=clean_name(first_name),
        last_name=clean_name(last_name),
        email=email.strip(),
        email_key=email_key,
        phone=phone.strip(),
        role=role,
        access_needs=access_needs.strip(),
        heard_from=heard_from,
        privacy_accepted_at=now,
        reference=tokens.new_reference(),
        form_key=form_key,
    )
    token = tokens.new_token()
    with transaction.atomic():
        event = lock_event(event.pk)
        state = event.state(now=now)
        if state in REFUSALS:
            raise ValidationError(REFUSALS[state], code=state)
        # From here a known and a new address send the same statements
        # (events/services/repeats.py): the answer's timing says nothing.
        check = repeats.check_address(
            event.pk,
            email_key=email_key,
            reference=registration.reference,
            quiet_since=now - RESEND_QUIET_PERIOD,
            resend_suffix=_resend_suffix(now),
            form_key=form_key,
        )
        if check.reference_taken:  # about one in 700 million
            registration.reference = _unused_reference()
        has_place = event.confirmed_count < event.capacity and not event.waiting_count
        registration.event = event
        registration.status = (
            RegistrationStatus.CONFIRMED if has_place else RegistrationStatus.WAITING
        )
        if check.existing is None:
            if not repeats.insert_unless_registered(registration):
                # Only a reference another event's registration took in the
                # instant since the check (the event row lock keeps this
                # address's own out): roll back, as the unique key would.
                raise IntegrityError("registration reference taken")
            kind = "registration_confirmed" if has_place else "waiting_list_joined"
            position = None if has_place else event.waiting_count + 1
            _queue_with_link(registration, kind=kind, token=token, position=position)
            return RegistrationOutcome(registration, created=True)
        repeats.insert_unless_registered(registration)  # inserts nothing: the same statement
        existing = Registration.from_db(
            connection.alias, ["id", "event_id", "email"], [check.existing, event.pk, check.email]
        )
        if check.may_resend:
            _queue_with_link(
                existing,
                kind="registration_link_resent",
                token=token,
                position=check.position,
                dedupe_suffix=_resend_suffix(now),
            )
        else:
            _queue_dropped(existing, token=token)
    return RegistrationOutcome(existing, created=False, same_form=check.same_form)


def _resend_suffix(now: datetime) -> str:
    """A resent link's reason: at most one a clock hour."""
    return f":{now:%Y%m%d%H}"


def _queue_with_link(
    registration: Registration,
    *,
    kind: str,
    token: str,
    position: int | None,
    dedupe_suffix: str = "",
) -> None:
    """register_candidate's link and email, for a new or a known address.
    Its check found no email for the reason (holding the event row lock)."""
    RegistrationLink.objects.create(registration=registration, token_hash=tokens.hash_token(token))
    _queue_registration_email(
        registration,
        kind=kind,
        token=token,
        position=position,
        dedupe_suffix=dedupe_suffix,
        new_registration=True,
    )


def _queue_dropped(registration: Registration, *, token: str) -> None:
    """Where no email may go (a repeat in the quiet period, or a second in
    the same hour), the same writes as where one does: a link nobody is
    given, and an outbox row the worker drops unsent (emails.services.DROP)."""
    RegistrationLink.objects.create(registration=registration, token_hash=tokens.hash_token(token))
    # The links are made as for an email that goes (the same work), and not kept.
    _ = (manage_url(token), give_back_url(token))
    context = registration_emails.stored_context(
        registration, kind="registration_link_resent", manage_url=None, position=None
    )
    reason = f"registration_link_resent:{registration.pk}:dropped:{tokens.new_reference()}"
    queue_emails(
        [
            EmailToQueue(
                kind="registration_link_resent",
                to=registration.email,
                context={**context, DROP: True},
                dedupe_key=reason,
                about=f"registration:{registration.pk}",
            )
        ],
        new_reasons=True,
    )


def lock_event(event_id: int) -> Event:
    """The event row, locked until the transaction ends: the one way every
    service locks an event before changing its registrations. Its confirmed and
    waiting counts come with it (kept by the database, see Event), and
    cannot change while the lock is held: every registration for the event
    is written under it."""
    return Event.objects.select_for_update().get(pk=event_id)


def _unused_reference(*, attempts: int = 5) -> str:
    """A random reference no registration has (the unique constraint still
    guards the vanishingly rare race between this check and the insert)."""
    for _ in range(attempts - 1):
        reference = tokens.new_reference()
        if not Registration.objects.filter(reference=reference).exists():
            return reference
    return tokens.new_reference()


def _save_with_new_reference(registration: Registration) -> None:
    registration.reference = _unused_reference()
    registration.save(force_insert=True)


def _add_link(registration: Registration) -> str:
    token = tokens.new_token()
    RegistrationLink.objects.create(registration=registration, token_hash=tokens.hash_token(token))
    return token


def manage_url(token: str) -> str:
    return settings.SITE_URL + reverse("events:manage", kwargs={"token": token})


def give_back_url(token: str) -> str:
    """The one-tap "I can't come: give my place to someone else" link."""
    return settings.SITE_URL + reverse("events:give_back", kwargs={"token": token})


def waiting_position(registration: Registration) -> int | None:
    if registration.status != RegistrationStatus.WAITING:
        return None
    return Registration.objects.filter(
        event_id=registration.event_id, status=RegistrationStatus.WAITING, pk__lte=registration.pk
    ).count()


_UNKNOWN = object()


def _queue_registration_email(
    registration: Registration,
    *,
    kind: str,
    token: str | None = None,
    dedupe_suffix: str = "",
    invite: str | None = None,
    position: int | None | object = _UNKNOWN,
    new_registration: bool = False,
) -> None:
    """Queue one email about a registration, for the worker to render
    (events/registration_emails.py). Call holding the event row lock (it
    keeps a second run for the same reason out of the bulk insert); pass
    `position` when the caller already knows it, and `new_registration`
    when the registration was inserted in this transaction (no email can
    name it yet)."""
    if position is _UNKNOWN:
        position = waiting_position(registration)
    context = registration_emails.stored_context(
        registration,
        kind=kind,
        manage_url=manage_url(token) if token else None,
        give_back_url=give_back_url(token) if token else None,
        position=position,
        invite=invite,
    )
    queue_emails(
        [
            EmailToQueue(
                kind=kind,
                to=registration.email,
                context=context,
                dedupe_key=f"{kind}:{registration.pk}{dedupe_suffix}",
                about=f"registration:{registration.pk}",
            )
        ],
        new_reasons=new_registration,
    )


def resend_registration_link(registration: Registration, *, now: datetime | None = None) -> bool:
    """Email a fresh link to an active registration, at most once an hour
    and not in its first ten minutes (the confirmation has just gone, and a
    double-submitted form should not send two emails). Adds a
    RegistrationLink; earlier links keep working. Returns whether an email
    was queued."""
    now = now or timezone.now()
    suffix = f":{now:%Y%m%d%H}"
    # Asked, and the link's token made and hashed, even when no email will
    # go: a repeat registration then costs about what a new one does, and
    # its answer's timing says less about whether the address was known.
    already_queued = email_queued(f"registration_link_resent:{registration.pk}{suffix}")
    token = tokens.new_token()
    token_hash = tokens.hash_token(token)
    if already_queued or now - registration.created_at < RESEND_QUIET_PERIOD:
        return False
    RegistrationLink.objects.create(registration=registration, token_hash=token_hash)
    _queue_registration_email(
        registration, kind="registration_link_resent", token=token, dedupe_suffix=suffix
    )
    return True


def cancel_registration(registration: Registration, *, now: datetime | None = None) -> Registration:
    """Cancel a place or a waiting-list entry, and give a freed place to the
    first person waiting (in the same transaction). Locks the event row.
    Queues the cancellation email (with an .ics that removes the entry) and
    any promotion emails. Raises ValidationError if already cancelled, or
    once the event has started or was cancelled: those registrations keep
    their status as the record of who was coming (and who came)."""
    now = now or timezone.now()
    with transaction.atomic():
        event = lock_event(registration.event_id)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status == RegistrationStatus.CANCELLED:
            raise ValidationError(REGISTRATION_ALREADY_CANCELLED, code="already_cancelled")
        if event.status == EventStatus.CANCELLED:
            raise ValidationError(EVENT_CANCELLED_NOTHING_TO_CANCEL, code="event_cancelled")
        if event.starts_at <= now:
            raise ValidationError(TOO_LATE_TO_CANCEL, code="started")
        was_confirmed = registration.status == RegistrationStatus.CONFIRMED
        _mark_cancelled(registration, event=event, reason=CancelReason.CANCELLED, now=now)
        _queue_registration_email(
            registration, kind="registration_cancelled", invite="cancel" if was_confirmed else None
        )
        if was_confirmed:
            event.confirmed_count -= 1
            promote_from_waiting_list(event, now=now)
    return registration


def _mark_cancelled(
    registration: Registration, *, event: Event, reason: str, now: datetime
) -> None:
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = now
    registration.cancel_reason = reason
    registration.save(update_fields=["status", "cancelled_at", "cancel_reason", "updated_at"])
    registration.event = event


@dataclass(frozen=True)
class ReleaseOutcome:
    """What giving a place back did: the registration (now cancelled), the
    person it promoted (None when nobody was waiting, or the registration
    was itself on the waiting list) and whether it had a place."""

    registration: Registration
    promoted: Registration | None
    had_place: bool


def release_place(registration: Registration, *, now: datetime | None = None) -> ReleaseOutcome:
    """Give a place back (or leave the waiting list) from the one-tap link in
    the confirmation and reminders, and promote the first person waiting in
    the same transaction: unlike a cancellation, also after registration has
    closed, until the event starts, so a late "I can't come" still fills the
    seat. Locks the event row, then the registration, so a double tap or two
    releases at once promote nobody twice. Marks the registration cancelled
    with cancel_reason "released" (or "left_waiting_list"). Queues the
    cancellation email (with an .ics removing the entry) and the promotion
    email. Raises ValidationError when already cancelled, or when the event
    has started or was cancelled."""
    now = now or timezone.now()
    with transaction.atomic():
        event = lock_event(registration.event_id)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status == RegistrationStatus.CANCELLED:
            raise ValidationError(REGISTRATION_ALREADY_CANCELLED, code="already_cancelled")
        if event.status == EventStatus.CANCELLED:
            raise ValidationError(EVENT_CANCELLED, code="event_cancelled")
        if event.starts_at <= now:
            raise ValidationError(EVENT_STARTED, code="started")
        had_place = registration.status == RegistrationStatus.CONFIRMED
        reason = CancelReason.RELEASED if had_place else CancelReason.LEFT_WAITING_LIST
        _mark_cancelled(registration, event=event, reason=reason, now=now)
        _queue_registration_email(
            registration, kind="registration_cancelled", invite="cancel" if had_place else None
        )
        promoted = []
        if had_place:
            event.confirmed_count -= 1
            promoted = promote_from_waiting_list(event, now=now, until_start=True)
    return ReleaseOutcome(registration, promoted[0] if promoted else None, had_place)


def promote_from_waiting_list(
    event: Event, *, now: datetime | None = None, until_start: bool = False
) -> list[Registration]:
    """Fill free places from the waiting list, first come first served.

    The caller must hold the event row lock (from lock_event)
    inside its transaction. Nobody is promoted after registration closes
    (with `until_start`, after the event starts), or for an event that is
    not published. Queues a promotion email each."""
    now = now or timezone.now()
    deadline = event.starts_at if until_start else event.closes_at
    if event.status != EventStatus.PUBLISHED or now >= deadline:
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
    """Change the details a candidate may change themselves. No email.
    Raises ValidationError when cancelled, or at a name field (core.names)."""
    if not registration.is_active:
        raise ValidationError(REGISTRATION_ALREADY_CANCELLED, code="already_cancelled")
    check_names(first_name=first_name, last_name=last_name)
    registration.first_name = clean_name(first_name)
    registration.last_name = clean_name(last_name)
    registration.phone = phone.strip()
    registration.access_needs = access_needs.strip()
    registration.save(
        update_fields=["first_name", "last_name", "phone", "access_needs", "updated_at"]
    )
    return registration
