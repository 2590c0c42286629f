"""Answers sent at the same moment through one registration, on the real
PostgreSQL: each thread its own connection, all released together."""

import threading

import pytest
from django.db import connection

from equality import services
from equality.models import AnsweredMark, PendingResponse
from tests.conftest import requires_postgresql
from tests.factories import RegistrationFactory

pytestmark = [
    requires_postgresql,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_eight_submissions_at_once_through_one_registration_store_one_answer():
    registration = RegistrationFactory()
    barrier = threading.Barrier(8)

    def submit():
        try:
            barrier.wait()
            services.record_answers(registration, answers={"sex": "male", "religion": "sikh"})
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert PendingResponse.objects.count() == 1
    assert AnsweredMark.objects.count() == 1
