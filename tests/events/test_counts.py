"""The confirmed and waiting counts on the event row, kept by a database
trigger (events migration 0004): right after every way a registration can
change, whoever makes the change, and never overwritten by saving an event."""

import pytest
from django.db.models import Count, Q

from events import services
from events.models import Event, Registration, RegistrationStatus
from tests.factories import EventFactory, RegistrationFactory
from tests.support.registration import register

pytestmark = pytest.mark.django_db


def stored(event):
    event.refresh_from_db()
    return event.confirmed_count, event.waiting_count


def counted(event):
    counts = Registration.objects.filter(event=event).aggregate(
        confirmed=Count("pk", filter=Q(status=RegistrationStatus.CONFIRMED)),
        waiting=Count("pk", filter=Q(status=RegistrationStatus.WAITING)),
    )
    return counts["confirmed"], counts["waiting"]


def test_the_counts_follow_every_way_a_registration_changes():
    event, other = EventFactory(capacity=3), EventFactory()
    steps = []

    RegistrationFactory.create_batch(2, event=event)
    steps.append(("two made directly", stored(event), counted(event)))
    first = register(event=event, email="one@example.com").registration
    waiting = [register(event=event, email=f"w{n}@example.com").registration for n in range(2)]
    steps.append(("a place and two waiting", stored(event), counted(event)))
    services.cancel_registration(first)
    steps.append(("cancelled, first waiting promoted", stored(event), counted(event)))
    Registration.objects.filter(pk=waiting[1].pk).update(status=RegistrationStatus.CANCELLED)
    steps.append(("queryset update", stored(event), counted(event)))
    Registration.objects.filter(event=event, status="confirmed").order_by("pk")[:1].get().delete()
    steps.append(("deleted", stored(event), counted(event)))
    moved = RegistrationFactory(event=event)
    Registration.objects.filter(pk=moved.pk).update(event=other)
    steps.append(("moved to another event", stored(event), counted(event)))
    steps.append(("the other event", stored(other), counted(other)))

    assert [(name, held) for name, held, _ in steps] == [
        (name, actual) for name, _, actual in steps
    ]
    assert stored(event) == (2, 0)
    assert stored(other) == (1, 0)


def test_saving_an_event_read_before_a_registration_keeps_the_new_count():
    event = EventFactory(capacity=5)
    seen_by_staff = Event.objects.get(pk=event.pk)
    register(event=event, email="sam@example.com")

    seen_by_staff.title = "Renamed evening"
    seen_by_staff.save()

    event.refresh_from_db()
    assert (event.title, event.confirmed_count) == ("Renamed evening", 1)
