"""What someone who reads the database can tie to a person: several people
register and answer one after another through the real pages, beat flushes
the pool, and then every join a hostile reader would try (the writing
transaction `xmin`, the physical order `ctid` or SQLite's `rowid`, every
key and time column of the identity tables) names no better than chance.
Transactional, so each request commits as it does in production."""

import itertools
import random
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from equality import services
from equality.models import (
    AnsweredMark,
    EqualityResponse,
    PendingResponse,
    answered_fingerprints,
)
from equality.tasks import task_flush_answer_pool
from events.models import Event, Registration, RegistrationLink
from tests.conftest import requires_postgresql, uses_postgresql
from tests.factories import EventFactory
from tests.support.registration import send_registration_form

from .support import answer

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PEOPLE = 12
# A fixed shuffle, so that the test gives the same answer every run; the
# beat task shuffles with the operating system's randomness.
SEED = 20261203
AGES = ["18_24", "25_34", "35_44", "45_54"]
RELIGIONS = ["none", "christian", "muslim"]
# Names take letters only (core/names.py).
SURNAMES = ["Adams", "Begum", "Clarke", "Doyle", "Evans", "Fofana"]
SURNAMES += ["Green", "Hussain", "Ito", "Jones", "Kaur", "Lewis"]


def answers_of(person: int) -> dict:
    """Each person's own combination, so their answers name them."""
    age, religion = list(itertools.product(AGES, RELIGIONS))[person]
    return {
        "sex": "female",
        "age_band": age,
        "ethnic_group": "prefer_not_to_say",
        "long_term_condition": "no",
        "religion": religion,
    }


def fingerprint(age_band: str, religion: str) -> tuple[str, str]:
    return (age_band, religion)


def register_and_answer(event: Event, person: int) -> None:
    client = Client()
    email = f"person{person}@example.com"
    send_registration_form(client, event, email=email, last_name=SURNAMES[person])
    response = answer(client, "/equality-questions/", answers_of(person))
    assert response["Location"] == "/equality-questions/thank-you/"


def truth() -> dict[int, tuple[str, str]]:
    """Registration id -> that person's answers, as only the test knows."""
    truth = {}
    for registration in Registration.objects.all():
        person = int(registration.email.removeprefix("person").split("@")[0])
        answers = answers_of(person)
        truth[registration.pk] = fingerprint(answers["age_band"], answers["religion"])
    return truth


def rows(sql: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


def physical() -> str:
    return "ctid" if uses_postgresql() else "rowid"


def responses_in_physical_order() -> list[tuple[str, str]]:
    table = EqualityResponse._meta.db_table
    return [
        fingerprint(*row)
        for row in rows(f"SELECT age_band, religion FROM {table} ORDER BY {physical()}")
    ]


def identity_orderings() -> dict[str, list[int]]:
    """Every way a reader could put the registrations in the order they
    answered: each key, time column and the physical order of the
    registrations and their links (and, on PostgreSQL, the transactions
    that wrote them), and the order the marks that they answered were
    written in, for a reader who also holds SECRET_KEY."""
    orderings = {}
    for model in (Registration, RegistrationLink):
        table = model._meta.db_table
        owner = "id" if model is Registration else "registration_id"
        columns = ["id", physical()] + [
            field.column
            for field in model._meta.concrete_fields
            if field.get_internal_type() in {"DateTimeField", "DateField"}
        ]
        if uses_postgresql():
            columns.append("xmin::text::bigint")
        for column in columns:
            found = rows(
                f"SELECT {owner} FROM {table} WHERE {column.split('::')[0]} IS NOT NULL "
                f"ORDER BY {column}"
            )
            if len(found) == PEOPLE:
                orderings[f"{table}.{column}"] = [registration for (registration,) in found]
    whose = {
        answered_fingerprints(pk)[0]: pk for pk in Registration.objects.values_list("pk", flat=True)
    }
    table = AnsweredMark._meta.db_table
    for column in [physical(), "xmin::text::bigint"] if uses_postgresql() else [physical()]:
        found = rows(f"SELECT fingerprint FROM {table} ORDER BY {column}")
        orderings[f"{table}.{column}"] = [whose[fingerprint] for (fingerprint,) in found]
    return orderings


def people_named(ordering: list[int], answers: list[tuple[str, str]], known: dict) -> int:
    """How many people the i-th identity row to the i-th answers names
    correctly."""
    return sum(
        known[registration] == found for registration, found in zip(ordering, answers, strict=True)
    )


@pytest.fixture
def event():
    # Registration closes in an hour: everyone answers while it is open.
    return EventFactory(starts_at=timezone.now() + timedelta(hours=3))


def close_registration(event: Event) -> None:
    """Time passes: the event's registration closed over an hour ago."""
    Event.objects.filter(pk=event.pk).update(
        registration_closes_at=timezone.now() - services.ANSWER_GRACE - timedelta(minutes=1)
    )


@requires_postgresql
def test_no_response_shares_a_transaction_with_an_identity_row_and_a_batch_shares_one(event):
    for person in range(services.BATCH_SIZE):
        register_and_answer(event, person)
    waiting = rows(f"SELECT count(*) FROM {PendingResponse._meta.db_table}")

    task_flush_answer_pool()  # as beat runs it: a full batch moves
    batch_xmins = rows("SELECT DISTINCT xmin::text FROM equality_equalityresponse")
    for person in range(services.BATCH_SIZE, PEOPLE):
        register_and_answer(event, person)
    close_registration(event)
    task_flush_answer_pool()  # the event's answers close: all written again

    assert waiting == [(services.BATCH_SIZE,)]
    assert len(batch_xmins) == 1
    assert not PendingResponse.objects.exists()
    assert EqualityResponse.objects.count() == PEOPLE
    [(final,)] = rows("SELECT DISTINCT xmin::text FROM equality_equalityresponse")
    assert final != batch_xmins[0][0]
    for table in (
        "events_registration",
        "events_registrationlink",
        "equality_answeredmark",
        "emails_outgoingemail",
    ):
        identity = {xmin for (xmin,) in rows(f"SELECT xmin::text FROM {table}")}
        assert final not in identity, table
        assert batch_xmins[0][0] not in identity, table
    # The reviewer's join, which named 12 of 12 before.
    assert rows(
        "SELECT count(*) FROM equality_equalityresponse r "
        "JOIN equality_answeredmark m ON r.xmin = m.xmin"
    ) == [(0,)]


def test_no_order_a_reader_can_find_in_the_identity_tables_matches_the_answers(event):
    for person in range(PEOPLE):
        register_and_answer(event, person)
    close_registration(event)

    services.flush_answer_pool(rng=random.Random(SEED))
    vacuumed = services.vacuum_answer_tables()

    known = truth()
    answers = responses_in_physical_order()
    orderings = identity_orderings()
    assert len(set(known.values())) == PEOPLE
    assert sorted(answers) == sorted(known.values())
    # Each is the order the people answered in: the attack the pool defeats.
    assert len(orderings) >= 6
    assert all(ordering == sorted(known) for ordering in orderings.values())
    assert vacuumed == uses_postgresql()
    named = people_named(sorted(known), answers, known)
    # By chance one person in all is named on average; all twelve were before.
    assert named <= 3, (named, answers)


def test_the_answers_have_no_time_or_sequence_column_in_the_database():
    with connection.cursor() as cursor:
        for model in (EqualityResponse, PendingResponse, AnsweredMark):
            columns = connection.introspection.get_table_description(cursor, model._meta.db_table)
            types = {
                column.name: connection.introspection.get_field_type(column.type_code, column)
                for column in columns
            }
            assert not [
                name
                for name, kind in types.items()
                if kind in {"DateTimeField", "DateField", "TimeField", "DurationField"}
            ], model
            if model is not AnsweredMark:
                # A random UUID (text on SQLite), never a counter.
                assert types["id"] in {"UUIDField", "CharField"}, model
