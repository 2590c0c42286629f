"""factory_boy factories: one for every concrete model of the project's apps
(tests/test_factories.py fails for a model without one). Each makes a valid
row as it stands in the database, with no side effects: no email queued, no
link sent. For a row made the way a candidate or staff makes it, with its
emails, use the services (tests/support/registration.py's `register`)."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import factory
from django.utils import timezone

from alerts.models import EventAlertRun, FormatPreference, Subscription, SubscriptionLink
from core import tokens
from emails.models import OutgoingEmail
from equality.models import (
    AnsweredMark,
    ClosedEvent,
    EqualityResponse,
    PendingResponse,
    answered_fingerprints,
)
from events.models import (
    Event,
    EventStatus,
    HeardFrom,
    Registration,
    RegistrationLink,
    RegistrationStatus,
    Role,
)
from mentoring.models import (
    ContactHow,
    ContactLogEntry,
    ContactMethod,
    JourneyStage,
    MentoringRequest,
)
from privacy.models import AuditAction, AuditEntry


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


class RoleFactory(factory.django.DjangoModelFactory):
    """A role: by default the migrated police officer row itself (get or
    create by code), so events and registrations keep to the real roles."""

    class Meta:
        model = Role
        django_get_or_create = ("code",)

    code = "police-officer"
    name = factory.LazyAttribute(lambda role: role.code.replace("-", " ").capitalize())
    position = 99


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


class SecretLinkFactory(factory.django.DjangoModelFactory):
    """A secret link row (core/tokens.py): only the SHA-256 of its token is
    stored, so pass `token=` to know the link's path."""

    class Meta:
        abstract = True

    class Params:
        token = factory.LazyFunction(tokens.new_token)

    token_hash = factory.LazyAttribute(lambda link: tokens.hash_token(link.token))


class RegistrationLinkFactory(SecretLinkFactory):
    """A registration's link: /registration/<token>/."""

    class Meta:
        model = RegistrationLink

    registration = factory.SubFactory(RegistrationFactory)


class OutgoingEmailFactory(factory.django.DjangoModelFactory):
    """An outbox row, queued and due now unless told otherwise."""

    class Meta:
        model = OutgoingEmail

    kind = "registration_confirmed"
    dedupe_key = factory.Sequence(lambda n: f"test-email:{n}")
    to = factory.Sequence(lambda n: f"candidate{n}@example.com")
    subject = factory.Sequence(lambda n: f"Email {n}")
    body_text = "Hello"
    next_attempt_at = factory.LazyFunction(timezone.now)
    message_id = factory.Sequence(lambda n: f"<test-email-{n}@example.org>")


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


class SubscriptionLinkFactory(SecretLinkFactory):
    """A subscription's link (manage, unsubscribe)."""

    class Meta:
        model = SubscriptionLink

    subscription = factory.SubFactory(SubscriptionFactory)


class EventAlertRunFactory(factory.django.DjangoModelFactory):
    """An event's alert fan-out, started and last moved on just now."""

    class Meta:
        model = EventAlertRun

    event = factory.SubFactory(EventFactory)
    started_at = factory.LazyFunction(timezone.now)
    progressed_at = factory.LazyAttribute(lambda run: run.started_at)


class MentoringRequestFactory(factory.django.DjangoModelFactory):
    """A new positive-action request. Its secret link's token is not kept:
    tests that follow the link use tests/mentoring/support.py's
    make_request, which goes through the service."""

    class Meta:
        model = MentoringRequest

    name = factory.Sequence(lambda n: f"Candidate {n}")
    email = factory.Sequence(lambda n: f"mentee{n}@example.com")
    contact_method = ContactMethod.EMAIL
    role = factory.LazyFunction(role)
    journey_stage = JourneyStage.THINKING
    support_kinds = factory.LazyFunction(lambda: ["mentor"])
    consented_at = factory.LazyFunction(timezone.now)
    token_hash = factory.LazyFunction(lambda: tokens.hash_token(tokens.new_token()))
    submission_key = factory.LazyFunction(tokens.new_token)


class ContactLogEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactLogEntry

    request = factory.SubFactory(MentoringRequestFactory)
    how = ContactHow.PHONE
    note = "Talked through the fitness test."


class AnsweredMarkFactory(factory.django.DjangoModelFactory):
    """The mark of a registration that answered the equality questions;
    `registration_id=` says whose (as only SECRET_KEY can tell)."""

    class Meta:
        model = AnsweredMark

    class Params:
        registration_id = factory.Sequence(lambda n: 1_000_000 + n)

    fingerprint = factory.LazyAttribute(lambda mark: answered_fingerprints(mark.registration_id)[0])


class PendingResponseFactory(factory.django.DjangoModelFactory):
    """One person's answers waiting in the pool (other answers blank)."""

    class Meta:
        model = PendingResponse

    event = factory.SubFactory(EventFactory)
    sex = "female"


class EqualityResponseFactory(factory.django.DjangoModelFactory):
    """One person's counted answers (other answers blank); many at once:
    tests/equality/support.py's store_answers."""

    class Meta:
        model = EqualityResponse

    event = factory.SubFactory(EventFactory)
    sex = "female"


class ClosedEventFactory(factory.django.DjangoModelFactory):
    """An event whose equality answers are final."""

    class Meta:
        model = ClosedEvent

    event = factory.SubFactory(EventFactory)


class AuditEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditEntry

    action = AuditAction.EXPORT
    counts = factory.LazyFunction(lambda: {"registrations": 1})
    operator = "jo.ops"


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
