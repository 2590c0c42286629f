"""Workers claiming the same rows at the same moment, on PostgreSQL: each
row is claimed by one of them only, so it is sent once."""

import threading

import pytest
from django.db import connection

from emails.models import EmailStatus, OutgoingEmail
from emails.services import claim_emails
from tests.conftest import requires_postgresql
from tests.factories import OutgoingEmailFactory

pytestmark = [
    requires_postgresql,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def claiming_together(ids: list[int], workers: int) -> list[list[int]]:
    """Each worker, in its own thread and connection, claims `ids` at the
    same moment, again and again while any is left; what each one got."""
    barrier = threading.Barrier(workers)
    got = [[] for _ in range(workers)]

    def worker(number: int) -> None:
        try:
            barrier.wait()
            for _ in range(20):
                got[number] += [row.pk for row in claim_emails(ids)]
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return got


def test_workers_claiming_one_batch_at_once_never_share_a_row():
    ids = [OutgoingEmailFactory().pk for _ in range(40)]

    got = claiming_together(ids, workers=4)

    claimed = [pk for worker in got for pk in worker]
    assert sorted(claimed) == sorted(ids)  # every row once, by one worker
    rows = OutgoingEmail.objects.filter(pk__in=ids)
    assert {row.status for row in rows} == {EmailStatus.SENDING}
    assert {row.attempts for row in rows} == {1}
