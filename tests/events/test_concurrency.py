"""Registration (and staff copying an event) under a rush, on the real
PostgreSQL: many connections at once, each in its own thread, all released
together."""

import threading
from datetime import timedelta

import pytest
from django.db import connection

from emails.models import OutgoingEmail
from events import services
from events.models import Event, Registration, RegistrationStatus
from tests.conftest import requires_postgresql
from tests.factories import EventFactory, RegistrationFactory, role
from tests.support.registration import register

pytestmark = [
    requires_postgresql,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def run_together(jobs):
    """Run each job in its own thread and database connection, released at
    the same moment; return the exceptions raised."""
    barrier = threading.Barrier(len(jobs))
    errors = []

    def worker(job):
        try:
            barrier.wait()
            job()
        except Exception as error:  # noqa: BLE001 - collected and asserted on below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def registering(event, email):
    candidate_role = role()

    def job():
        register(event=event, first_name="Rush", email=email, role=candidate_role)

    return job


def test_sixty_at_once_for_ten_places_confirms_exactly_ten():
    event = EventFactory(capacity=10)

    errors = run_together([registering(event, f"rush{n}@example.com") for n in range(60)])

    assert errors == []
    registrations = Registration.objects.filter(event=event)
    assert registrations.filter(status=RegistrationStatus.CONFIRMED).count() == 10
    waiting = list(registrations.waiting_in_order())
    assert len(waiting) == 50
    assert [services.waiting_position(r) for r in waiting] == list(range(1, 51))
    # Everyone confirmed registered before everyone waiting: first come, first served.
    last_confirmed = registrations.filter(status=RegistrationStatus.CONFIRMED).latest("pk")
    assert all(r.pk > last_confirmed.pk for r in waiting)


def test_the_same_email_at_once_makes_one_registration():
    event = EventFactory(capacity=10)

    errors = run_together([registering(event, "Same@example.com") for _ in range(10)])

    assert errors == []
    assert Registration.objects.filter(event=event).count() == 1


def test_cancellations_racing_registrations_never_leave_a_free_place_with_people_waiting():
    event = EventFactory(capacity=10)
    confirmed = RegistrationFactory.create_batch(10, event=event)
    RegistrationFactory.create_batch(5, event=event, status=RegistrationStatus.WAITING)

    jobs = [lambda r=r: services.cancel_registration(r) for r in confirmed[:6]]
    jobs += [registering(event, f"late{n}@example.com") for n in range(20)]
    errors = run_together(jobs)

    assert errors == []
    registrations = Registration.objects.filter(event=event)
    assert registrations.filter(status=RegistrationStatus.CONFIRMED).count() == 10
    assert registrations.filter(status=RegistrationStatus.WAITING).count() == 5 + 20 - 6
    assert registrations.filter(status=RegistrationStatus.CANCELLED).count() == 6


def test_the_same_place_given_back_ten_times_at_once_promotes_one_person():
    event = EventFactory(capacity=1)
    [holder] = RegistrationFactory.create_batch(1, event=event)
    waiting = RegistrationFactory.create_batch(3, event=event, status=RegistrationStatus.WAITING)

    errors = run_together([lambda: services.release_place(holder) for _ in range(10)])

    assert len(errors) == 9
    assert {error.messages[0] for error in errors} == {services.REGISTRATION_ALREADY_CANCELLED}
    statuses = [Registration.objects.get(pk=r.pk).status for r in waiting]
    assert statuses == [RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING, "waiting"]
    assert OutgoingEmail.objects.filter(kind="promoted_from_waiting_list").count() == 1


def test_places_given_back_at_once_promote_each_person_waiting_once():
    event = EventFactory(capacity=6)
    confirmed = RegistrationFactory.create_batch(6, event=event)
    RegistrationFactory.create_batch(4, event=event, status=RegistrationStatus.WAITING)

    errors = run_together([lambda r=r: services.release_place(r) for r in confirmed])

    assert errors == []
    event.refresh_from_db()
    registrations = Registration.objects.filter(event=event)
    assert registrations.filter(status=RegistrationStatus.CONFIRMED).count() == 4
    assert registrations.filter(status=RegistrationStatus.WAITING).count() == 0
    assert (event.confirmed_count, event.waiting_count) == (4, 0)
    promotions = OutgoingEmail.objects.filter(kind="promoted_from_waiting_list")
    assert promotions.count() == 4
    assert len(set(promotions.values_list("to", flat=True))) == 4


# Staff making copies: the same confirmation sent twice at once --------------


def test_the_same_series_sent_at_once_makes_each_copy_once():
    event = EventFactory(title="Insight evening")
    first = event.starts_at + timedelta(days=7)
    dates = [(first + timedelta(weeks=n), first + timedelta(weeks=n, hours=2)) for n in range(6)]
    outcomes = []

    errors = run_together(
        [lambda: outcomes.append(services.schedule_series(event, dates=dates)) for _ in range(4)]
    )

    assert errors == []
    copies = Event.objects.filter(copied_from=event)
    assert sorted(copies.values_list("starts_at", flat=True)) == [start for start, _ in dates]
    assert sorted(len(outcome.made) for outcome in outcomes) == [0, 0, 0, 6]
    assert sorted(len(outcome.already_made) for outcome in outcomes) == [0, 6, 6, 6]


def test_the_same_duplicate_sent_at_once_makes_one_copy():
    event = EventFactory(title="Insight evening")
    start = event.starts_at + timedelta(days=7)
    outcomes = []

    def duplicate():
        outcome = services.duplicate_event(
            event, starts_at=start, ends_at=start + timedelta(hours=2)
        )
        outcomes.append(outcome)

    errors = run_together([duplicate for _ in range(4)])

    assert errors == []
    assert Event.objects.filter(copied_from=event).count() == 1
    assert sorted(outcome.created for outcome in outcomes) == [False, False, False, True]
    assert len({outcome.copy.pk for outcome in outcomes}) == 1
