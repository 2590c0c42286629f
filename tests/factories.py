from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import factory
from django.utils import timezone

from alerts.models import FormatPreference, Subscription
from events.models import Event, EventStatus, HeardFrom, Registration, RegistrationStatus, Role


def role(code: str = "police-officer") -> Role:
    """One of the roles the data migration events/0002 makes. Every test
    finds them, whatever ran before it (tests/support/database.py)."""
    return Role.objects.get(code=code)


def a_fortnight_away_at_7pm() -> datetime:
    """7pm in London two weeks from today: an evening, as the real ones
    are, at a time every day has exactly once. (Two weeks from this very
    moment would land, when the suite runs at the wrong hour, in the hour
    the clocks go back, which the admin's date and time fields refuse as
    ambiguous.)"""
    day = timezone.localdate() + timedelta(days=14)
    return datetime.combine(day, time(19), tzinfo=ZoneInfo("Europe/London"))


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Insight evening {n}")
    slug = factory.Sequence(lambda n: f"insight-evening-{n}")
    summary = "Find out what the job is really like."
    description = "Officers talk about the job.\n\nThen questions."
    starts_at = factory.LazyFunction(a_fortnight_away_at_7pm)
    ends_at = factory.LazyAttribute(lambda event: event.starts_at + timedelta(hours=2))
    venue_name = "Police Headquarters"
    address = "Stanborough Road\nWelwyn Garden City\nAL8 6XF"
    capacity = 80
    status = EventStatus.PUBLISHED

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create:
            self.roles.set(extracted if extracted is not None else Role.objects.all())


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    reference = factory.Sequence(lambda n: f"HC-T{n:05d}")
    status = RegistrationStatus.CONFIRMED
    first_name = "Sam"
    last_name = factory.Sequence(lambda n: f"Candidate{n}")
    email = factory.Sequence(lambda n: f"candidate{n}@example.com")
    email_key = factory.LazyAttribute(lambda registration: registration.email.casefold())
    role = factory.LazyFunction(role)
    heard_from = HeardFrom.SOCIAL_MEDIA
    privacy_accepted_at = factory.LazyFunction(timezone.now)


class SubscriptionFactory(factory.django.DjangoModelFactory):
    """A confirmed event-alerts subscription, for police officer by default."""

    class Meta:
        model = Subscription
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"subscriber{n}@example.com")
    email_key = factory.LazyAttribute(lambda subscription: subscription.email.casefold())
    format = FormatPreference.BOTH
    consented_at = factory.LazyFunction(timezone.now)
    confirmed_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create:
            self.roles.set(extracted if extracted is not None else [role("police-officer")])


def bulk_subscriptions(
    count: int,
    *,
    roles: list[Role],
    event_format: str = FormatPreference.BOTH,
    prefix: str = "bulk",
) -> list[int]:
    """`count` confirmed subscriptions in a few INSERTs: their ids."""
    now = timezone.now()
    created = Subscription.objects.bulk_create(
        Subscription(
            email=f"{prefix}{number}@example.com",
            email_key=f"{prefix}{number}@example.com",
            format=event_format,
            consented_at=now,
            confirmed_at=now,
        )
        for number in range(count)
    )
    through = Subscription.roles.through
    through.objects.bulk_create(
        through(subscription_id=subscription.pk, role_id=chosen.pk)
        for subscription in created
        for chosen in roles
    )
    return [subscription.pk for subscription in created]
