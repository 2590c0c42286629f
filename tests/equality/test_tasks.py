"""The beat task and the command that do the same once (for `make run`)."""

from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from equality.models import ClosedEvent, EqualityResponse, PendingResponse
from equality.tasks import task_flush_answer_pool
from tests.factories import EventFactory, PendingResponseFactory

from .support import store_answers

pytestmark = pytest.mark.django_db


def test_the_task_is_in_the_beat_schedule_every_minute():
    entries = [
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "equality.flush_answer_pool"
    ]

    assert [entry["schedule"] for entry in entries] == [60]
    assert task_flush_answer_pool.name == "equality.flush_answer_pool"


def test_the_task_closes_the_answers_of_an_event_whose_registration_closed():
    event = EventFactory(starts_at=timezone.now() - timedelta(hours=4))
    store_answers(event, 3, sex="female")
    PendingResponseFactory(event=event, sex="male")  # one of fewer than 10 waiting

    task_flush_answer_pool()

    assert ClosedEvent.objects.filter(event=event).exists()
    assert EqualityResponse.objects.filter(event=event).count() == 4
    assert not PendingResponse.objects.exists()


def test_the_command_does_once_what_beat_does():
    event = EventFactory(starts_at=timezone.now() - timedelta(hours=4))
    out = StringIO()

    call_command("flush_equality_answers", stdout=out)

    assert ClosedEvent.objects.filter(event=event).exists()
    assert out.getvalue() == "0 pooled answer(s) moved; answers closed for 1 event(s).\n"
