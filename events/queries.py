"""Reads of events: for the public pages, then for staff."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, F, Q, QuerySet, Value
from django.db.models.functions import Concat, Lower, TruncDate
from django.utils import timezone

from core import tokens

from .models import (
    DEFAULT_CLOSE_BEFORE_START,
    CancelReason,
    Event,
    EventFormat,
    EventStatus,
    Registration,
    RegistrationLink,
    RegistrationSource,
    RegistrationStatus,
)

LONDON = ZoneInfo("Europe/London")


def upcoming_events(
    *,
    role: str | None = None,
    event_format: str | None = None,
    audience: str | None = None,
    month: datetime | None = None,
) -> QuerySet[Event]:
    """Published and cancelled events that have not ended, soonest first,
    with their counts and roles: a fixed number of queries however many."""
    events = Event.objects.visible().upcoming().prefetch_related("roles")
    if role:
        events = events.filter(roles__code=role)
    if event_format:
        events = events.filter(format=event_format)
    if audience:
        events = events.filter(audience=audience)
    if month:
        events = events.filter(starts_at__year=month.year, starts_at__month=month.month)
    return events


def event_for_page(slug: str) -> Event | None:
    """A published or cancelled event, with its counts: one query (its
    roles are read only when a page shows them)."""
    try:
        return Event.objects.visible().get(slug=slug)
    except Event.DoesNotExist:
        return None


def _still_open(now: datetime) -> Q:
    """Registration has not closed (by its own deadline or the default)."""
    return Q(registration_closes_at__gt=now) | Q(
        registration_closes_at__isnull=True, starts_at__gt=now + DEFAULT_CLOSE_BEFORE_START
    )


def other_open_dates(event: Event, *, limit: int = 5, now: datetime | None = None) -> list[Event]:
    """Offered when `event` is full: the soonest other events for the same
    audience and (at least) the same roles that take registrations now and
    have a place free. One query (the roles come from `event.roles.all()`,
    prefetched or not)."""
    now = now or timezone.now()
    role_ids = [role.pk for role in event.roles.all()]
    opened = Q(registration_opens_at__isnull=True) | Q(registration_opens_at__lte=now)
    return list(
        Event.objects.published()
        .filter(_still_open(now), opened, audience=event.audience)
        .filter(confirmed_count__lt=F("capacity"), waiting_count=0)
        .exclude(pk=event.pk)
        .annotate(shared_roles=Count("roles", filter=Q(roles__in=role_ids), distinct=True))
        .filter(shared_roles=len(role_ids))
        .order_by("starts_at", "pk")[:limit]
    )


def next_similar_event(event: Event) -> Event | None:
    """The soonest event like this one that still takes registrations,
    offered when this one is past, cancelled, closed or not yet open."""
    now = timezone.now()
    candidates = (
        Event.objects.published()
        .filter(_still_open(now))
        .exclude(pk=event.pk)
        .order_by("starts_at", "pk")
    )
    return (
        candidates.filter(audience=event.audience, format=event.format).first()
        or candidates.filter(audience=event.audience).first()
    )


def registration_for_token(token: str) -> Registration | None:
    """The registration a secret link opens, or None for an unknown,
    tampered or truncated token."""
    if not token or len(token) > 100:
        return None
    link = (
        RegistrationLink.objects.select_related("registration__event", "registration__role")
        .filter(token_hash=tokens.hash_token(token))
        .first()
    )
    return link.registration if link else None


def is_still_to_come(event: Event, *, now: datetime | None = None) -> bool:
    """Published and not started: what a calendar entry, directions and
    giving a place back are for."""
    return event.status == EventStatus.PUBLISHED and event.starts_at > (now or timezone.now())


def is_under_way_or_to_come(event: Event, *, now: datetime | None = None) -> bool:
    """Published and not ended: when someone with a place may still join."""
    return event.status == EventStatus.PUBLISHED and event.ends_at > (now or timezone.now())


@dataclass(frozen=True)
class GiveBack:
    """What the "I can't come" page shows for a registration.

    state: "offer" (a place to give back), "offer_waiting" (leave the
    waiting list), "released", "left_waiting_list", "cancelled" (cancelled
    some other way), "event_cancelled" or "started". `promoted`: giving it
    back gave the place to someone waiting. `after_closing`: registration
    had closed (then, or by now); `waiting`: how many wait now."""

    state: str
    promoted: bool = False
    after_closing: bool = False
    waiting: int = 0


def give_back_state(registration: Registration, *, now: datetime | None = None) -> GiveBack:
    now = now or timezone.now()
    event = registration.event
    if registration.status == RegistrationStatus.CANCELLED:
        if registration.cancel_reason == CancelReason.LEFT_WAITING_LIST:
            return GiveBack("left_waiting_list")
        if registration.cancel_reason != CancelReason.RELEASED:
            return GiveBack("cancelled")
        # release_place promotes with the very moment it records as cancelled_at.
        promoted = Registration.objects.filter(
            event_id=event.pk, promoted_at=registration.cancelled_at
        ).exists()
        return GiveBack(
            "released",
            promoted=promoted,
            after_closing=registration.cancelled_at >= event.closes_at,
        )
    if event.status == EventStatus.CANCELLED:
        return GiveBack("event_cancelled")
    if event.starts_at <= now:
        return GiveBack("started")
    state = "offer" if registration.status == RegistrationStatus.CONFIRMED else "offer_waiting"
    return GiveBack(state, after_closing=now >= event.closes_at, waiting=event.waiting_count)


# Staff: the admin, the check-in page and the dashboard -----------------------


@dataclass(frozen=True)
class PlaceUse:
    """How the places at one event were used. `booked`: confirmed places
    booked ahead (walk-ins left out: they always come); `attended`: of
    them, checked in; `released`: places given back with the one-tap link."""

    booked: int
    attended: int
    released: int
    ended: bool

    @property
    def release_rate(self) -> float | None:
        """Share of the places held that were given back."""
        held = self.booked + self.released
        return self.released / held if held else None

    @property
    def no_show_rate(self) -> float | None:
        """Share of the places booked whose holder did not come: only once
        the event has ended, and only if the door checked anyone in (an
        evening without check-in would look like nobody came)."""
        if not self.ended or not self.attended or not self.booked:
            return None
        return (self.booked - self.attended) / self.booked


def release_and_no_show_rates(
    events: list[Event], *, now: datetime | None = None
) -> dict[int, PlaceUse]:
    """For each event, its PlaceUse (release rate and no-show rate): one query."""
    now = now or timezone.now()
    booked = Q(status=RegistrationStatus.CONFIRMED) & ~Q(source=RegistrationSource.WALK_IN)
    rows = (
        Registration.objects.filter(event_id__in=[event.pk for event in events])
        .values("event_id")
        .annotate(
            booked=Count("pk", filter=booked),
            attended=Count("pk", filter=booked & Q(checked_in_at__isnull=False)),
            released=Count("pk", filter=Q(cancel_reason=CancelReason.RELEASED)),
        )
        .order_by()
    )
    counts = {row.pop("event_id"): row for row in rows}
    empty = {"booked": 0, "attended": 0, "released": 0}
    return {
        event.pk: PlaceUse(**counts.get(event.pk, empty), ended=event.ends_at <= now)
        for event in events
    }


def online_events_without_link(*, within: timedelta = timedelta(hours=48), now=None):
    """Published online events starting within `within` that have no
    joining link yet: the dashboard's warning."""
    now = now or timezone.now()
    return Event.objects.published().filter(
        format=EventFormat.ONLINE,
        online_joining_url="",
        starts_at__gt=now,
        starts_at__lte=now + within,
    )


@dataclass(frozen=True)
class DoorCounts:
    """How many are booked and how many are here, for the door."""

    capacity: int
    confirmed: int
    here: int
    walk_ins: int
    waiting: int

    @property
    def still_to_come(self) -> int:
        return max(self.confirmed - self.here, 0)

    @property
    def fully_booked(self) -> bool:
        return self.confirmed >= self.capacity

    @property
    def room_full(self) -> bool:
        return self.here >= self.capacity


def door_counts(event: Event) -> DoorCounts:
    """One query: booked, here, walk-ins and waiting for one event."""
    here = Q(status=RegistrationStatus.CONFIRMED, checked_in_at__isnull=False)
    counts = Registration.objects.filter(event_id=event.pk).aggregate(
        confirmed=Count("pk", filter=Q(status=RegistrationStatus.CONFIRMED)),
        here=Count("pk", filter=here),
        walk_ins=Count("pk", filter=here & Q(source=RegistrationSource.WALK_IN)),
        waiting=Count("pk", filter=Q(status=RegistrationStatus.WAITING)),
    )
    return DoorCounts(capacity=event.capacity, **counts)


def door_list(event: Event, *, search: str = "") -> QuerySet[Registration]:
    """Who the door expects, in name order: everyone confirmed; a search by
    name or reference also finds people on the waiting list."""
    registrations = Registration.objects.filter(event_id=event.pk).select_related("role")
    search = " ".join(search.split())[:100]
    if not search:
        return registrations.filter(status=RegistrationStatus.CONFIRMED).order_by(
            Lower("last_name"), Lower("first_name"), "pk"
        )
    # "HC-7KXA9B" or just "7KXA9B", as read out at the door.
    matches = Q(reference__icontains=search) if len(search) >= 4 else Q(pk__in=[])
    for word in search.split():
        matches |= Q(first_name__istartswith=word) | Q(last_name__istartswith=word)
    full_name = Concat("first_name", Value(" "), "last_name")
    return (
        registrations.active()
        .annotate(full_name_search=full_name)
        .filter(matches | Q(full_name_search__icontains=search))
        .order_by("status", Lower("last_name"), Lower("first_name"), "pk")
    )


def upcoming_for_staff(*, now: datetime | None = None) -> QuerySet[Event]:
    """Published events still to come, soonest first, with their counts."""
    return Event.objects.published().upcoming(now=now)


def full_with_waiting(events) -> list[Event]:
    """The demand signal: events full with people waiting."""
    return [event for event in events if event.waiting_count and event.places_left() == 0]


def registrations_per_day(events: list[Event]) -> dict[int, list[tuple[date, int]]]:
    """For each event, how many of its current registrations (confirmed or
    waiting) were made on each day, Europe/London, oldest first: one query."""
    per_day: dict[int, list[tuple[date, int]]] = {event.pk: [] for event in events}
    rows = (
        Registration.objects.active()
        .filter(event_id__in=per_day)
        .annotate(day=TruncDate("created_at", tzinfo=LONDON))
        .values("event_id", "day")
        .annotate(made=Count("pk"))
        .order_by("event_id", "day")
    )
    for row in rows:
        per_day[row["event_id"]].append((row["day"], row["made"]))
    return per_day


def past_attendance(*, limit: int = 12, now: datetime | None = None) -> list[Event]:
    """The latest published events that have ended, oldest first, with
    confirmed, attended and walk-in counts: one query."""
    events = (
        Event.objects.published()
        .filter(ends_at__lte=now or timezone.now())
        .with_attendance()
        .order_by("-starts_at", "-pk")[:limit]
    )
    return list(reversed(events))
