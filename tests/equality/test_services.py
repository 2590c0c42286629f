import random
from datetime import timedelta

import pytest
from django.utils import timezone

from equality import services
from equality.models import (
    AnsweredMark,
    ClosedEvent,
    EqualityResponse,
    PendingResponse,
    answered_fingerprints,
)
from events.models import EventStatus
from tests.factories import EventFactory, PendingResponseFactory, RegistrationFactory

from .support import close_answers, store_answers

pytestmark = pytest.mark.django_db

ANSWERS = {"sex": "male", "age_band": "18_24", "religion": "sikh"}


def answered_by(number: int, event, **answers) -> None:
    for registration in RegistrationFactory.create_batch(number, event=event):
        services.record_answers(registration, answers={**ANSWERS, **answers})


def test_answers_wait_in_the_pool_with_the_event_only_and_a_keyed_mark_says_answered():
    registration = RegistrationFactory()

    pending = services.record_answers(registration, answers=ANSWERS)

    assert pending.event == registration.event
    assert (pending.sex, pending.age_band, pending.religion) == ("male", "18_24", "sikh")
    assert pending.ethnic_group == ""
    assert not EqualityResponse.objects.exists()
    assert list(AnsweredMark.objects.values_list("pk", flat=True)) == [
        answered_fingerprints(registration.pk)[0]
    ]


def test_one_registration_cannot_answer_twice():
    registration = RegistrationFactory()
    services.record_answers(registration, answers=ANSWERS)

    again = services.record_answers(registration, answers={"sex": "female"})

    assert again is None
    assert list(PendingResponse.objects.values_list("sex", flat=True)) == ["male"]


def test_all_answers_left_out_stores_nothing_and_the_questions_stay_open():
    registration = RegistrationFactory()

    stored = services.record_answers(registration, answers={"sex": "", "religion": ""})

    assert stored is None
    assert not PendingResponse.objects.exists()
    assert not AnsweredMark.objects.exists()


def test_a_mark_made_with_a_previous_secret_key_still_counts(settings):
    registration = RegistrationFactory()
    services.record_answers(registration, answers=ANSWERS)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-rotated"

    again = services.record_answers(registration, answers={"sex": "female"})

    assert again is None
    assert PendingResponse.objects.count() == 1


def test_answers_are_taken_until_an_hour_after_registration_closes():
    event = EventFactory(starts_at=timezone.now() + timedelta(hours=2, minutes=30))
    closes = event.closes_at
    early, late = RegistrationFactory.create_batch(2, event=event)

    kept = services.record_answers(early, answers=ANSWERS, now=closes + timedelta(minutes=59))
    dropped = services.record_answers(late, answers=ANSWERS, now=closes + timedelta(hours=1))

    assert services.answers_close_at(event) == closes + timedelta(hours=1)
    assert kept is not None
    assert dropped is None
    assert PendingResponse.objects.count() == 1
    assert AnsweredMark.objects.count() == 1


def test_a_cancelled_event_stops_taking_answers_an_hour_after_it_was_cancelled():
    now = timezone.now()
    event = EventFactory(status=EventStatus.CANCELLED, cancelled_at=now - timedelta(hours=1))

    assert services.answers_close_at(event) == now
    assert services.record_answers(RegistrationFactory(event=event), answers=ANSWERS) is None


def test_an_event_whose_answers_closed_takes_none_even_if_its_dates_move_later():
    event = EventFactory(starts_at=timezone.now() - timedelta(days=1))
    close_answers(event)
    event.starts_at = timezone.now() + timedelta(days=30)
    event.ends_at = event.starts_at + timedelta(hours=2)
    event.save()

    stored = services.record_answers(RegistrationFactory(event=event), answers=ANSWERS)

    assert stored is None
    assert not PendingResponse.objects.exists()


def test_the_pool_waits_until_a_batch_has_gathered_for_the_event():
    event = EventFactory()
    answered_by(services.BATCH_SIZE - 1, event)

    flushed = services.flush_answer_pool()

    assert flushed == services.Flushed(0, [])
    assert PendingResponse.objects.count() == services.BATCH_SIZE - 1
    assert not EqualityResponse.objects.exists()


def test_a_full_batch_moves_into_the_responses_in_a_shuffled_order_with_new_keys():
    event, other = EventFactory(), EventFactory()
    for number in range(services.BATCH_SIZE):
        answered_by(1, event, age_band=["18_24", "25_34", "35_44"][number % 3])
    answered_by(3, other)
    pooled_keys = set(PendingResponse.objects.filter(event=event).values_list("pk", flat=True))

    flushed = services.flush_answer_pool(rng=random.Random(13))

    assert flushed == services.Flushed(services.BATCH_SIZE, [])
    assert EqualityResponse.objects.filter(event=event).count() == services.BATCH_SIZE
    assert not pooled_keys & set(EqualityResponse.objects.values_list("pk", flat=True))
    assert list(PendingResponse.objects.values_list("event", flat=True)) == [other.pk] * 3
    assert not ClosedEvent.objects.exists()


def test_closing_writes_every_answer_of_the_event_again_together_and_freezes_it():
    event = EventFactory(starts_at=timezone.now() + timedelta(days=1))
    store_answers(event, 12, sex="female")  # an earlier batch
    old_keys = set(EqualityResponse.objects.values_list("pk", flat=True))
    answered_by(2, event, sex="male")  # still in the pool
    still_open = EventFactory(starts_at=timezone.now() + timedelta(days=5))
    answered_by(2, still_open)

    flushed = close_answers(event)

    assert flushed.closed == [event.pk]
    assert flushed.moved == 2
    assert sorted(EqualityResponse.objects.values_list("sex", flat=True)) == [
        *["female"] * 12,
        "male",
        "male",
    ]
    assert not old_keys & set(EqualityResponse.objects.values_list("pk", flat=True))
    assert ClosedEvent.objects.filter(event=event).exists()
    assert PendingResponse.objects.filter(event=still_open).count() == 2


def test_answers_pooled_as_the_event_closed_are_dropped_and_the_counts_never_change():
    event = EventFactory(starts_at=timezone.now() - timedelta(hours=4))
    store_answers(event, 12, sex="female")
    close_answers(event)
    # An answer that slipped in as it closed (record_answers refuses later ones).
    PendingResponseFactory(event=event, sex="male")

    services.flush_answer_pool()

    assert not PendingResponse.objects.exists()
    assert EqualityResponse.objects.filter(event=event, sex="male").count() == 0
    assert EqualityResponse.objects.filter(event=event).count() == 12


def test_drafts_are_never_closed_and_closed_events_only_once():
    draft = EventFactory(status=EventStatus.DRAFT, starts_at=timezone.now() - timedelta(days=2))
    past = EventFactory(starts_at=timezone.now() - timedelta(days=2))

    first = services.flush_answer_pool()
    second = services.flush_answer_pool()

    assert first.closed == [past.pk]
    assert second.closed == []
    assert not ClosedEvent.objects.filter(event=draft).exists()


def test_vacuum_never_runs_inside_a_transaction():
    assert services.vacuum_answer_tables() is False
