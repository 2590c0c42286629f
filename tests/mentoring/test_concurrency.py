"""A double submit that really arrives twice at once, on the real PostgreSQL:
each POST in its own thread and connection, released together."""

import threading

import pytest
from django.db import connection

from emails.models import OutgoingEmail
from mentoring import services
from mentoring.models import MentoringRequest
from tests.conftest import requires_postgresql

pytestmark = [
    requires_postgresql,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def run_together(jobs):
    """Run each job in its own thread and database connection, released at
    the same moment; return the results and the exceptions raised."""
    barrier = threading.Barrier(len(jobs))
    results, errors = [], []

    def worker(job):
        try:
            barrier.wait()
            results.append(job())
        except Exception as error:  # noqa: BLE001 - collected and asserted on below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results, errors


def asking(submission_key):
    def job():
        return services.request_support(
            name="王芳",
            email="wang@example.com",
            contact_method="email",
            journey_stage="applied",
            support_kinds=["assessment"],
            submission_key=submission_key,
        )

    return job


def test_the_same_form_sent_eight_times_at_once_makes_one_request_and_one_email():
    results, errors = run_together([asking("double-click-" + "z" * 30) for _ in range(8)])

    assert errors == []
    assert sum(outcome.created for outcome in results) == 1
    assert MentoringRequest.objects.count() == 1
    assert {outcome.request.pk for outcome in results} == {MentoringRequest.objects.get().pk}
    assert OutgoingEmail.objects.filter(kind="mentoring_request_received").count() == 1
