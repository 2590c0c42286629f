"""A public form does the same work for an address already known as for a
new one, so that how long its answer takes says nothing (issue 13): the
same SQL statements, of the same kinds on the same tables, with the same
row locks, in the same order. Where no email may go (a repeat inside its
quiet period), a row is written all the same and the worker drops it unsent.
The timings themselves are measured by `python -m bench.timing`."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alerts import services as alerts
from alerts.models import Subscription
from emails.models import NOT_SENT_REPEAT, EmailStatus, OutgoingEmail
from emails.tasks import task_send_email
from events import services as events
from events.models import Registration
from tests.factories import RegistrationFactory, SubscriptionFactory
from tests.fuzz import public_forms
from tests.outbox import to_be_sent

pytestmark = pytest.mark.django_db

ADDRESS = "jo.neighbour@example.com"
TABLE = re.compile(r'\b(?:FROM|INTO|UPDATE|JOIN)\s+"?(\w+)"?', re.IGNORECASE)


def shape(sql: str) -> tuple[str, tuple[str, ...], bool]:
    """What a statement does, without its values: its kind, its tables and
    whether it locks rows."""
    tables = set(TABLE.findall(sql)) - {"UNNEST"}  # a bulk INSERT of several rows
    return sql.split()[0].upper(), tuple(sorted(tables)), "FOR UPDATE" in sql


def statements_for(path: str, data: dict) -> list[tuple]:
    client = Client()
    with CaptureQueriesContext(connection) as queries:
        response = client.post(path, data)
    assert response.status_code == 302
    return [shape(query["sql"]) for query in queries.captured_queries]


def registered(event, *, ago: timedelta, resent_this_hour: bool = False) -> Registration:
    registration = RegistrationFactory(event=event, email=ADDRESS)
    Registration.objects.filter(pk=registration.pk).update(created_at=timezone.now() - ago)
    if resent_this_hour:
        events.resend_registration_link(registration)
    return registration


REGISTRATION_CASES = {
    "link emailed again": {"ago": timedelta(hours=2)},
    "in the quiet period": {"ago": timedelta(minutes=1)},
    "link already emailed this hour": {"ago": timedelta(hours=2), "resent_this_hour": True},
}


@pytest.mark.parametrize("case", REGISTRATION_CASES)
def test_registration_sends_the_same_statements_for_a_known_address(event, case):
    form = public_forms.registration(event)
    data = {**form.fields, "email": ADDRESS}
    new = statements_for(form.path, data)
    Registration.objects.all().delete()
    registered(event, **REGISTRATION_CASES[case])

    known = statements_for(form.path, data)

    assert known == new
    assert ("SELECT", ("events_event",), True) in new  # the event row lock, on both


def test_a_repeat_in_the_quiet_period_writes_a_row_the_worker_drops(event):
    registration = registered(event, ago=timedelta(minutes=1))
    form = public_forms.registration(event)
    Client().post(form.path, {**form.fields, "email": ADDRESS})
    [row] = OutgoingEmail.objects.filter(about=f"registration:{registration.pk}")
    assert row.status == EmailStatus.QUEUED  # as a row that will go is, until the worker has it
    assert row.shown_subject == NOT_SENT_REPEAT  # what staff see of it in the outbox

    task_send_email(email_id=row.pk)

    row.refresh_from_db()
    assert (row.status, row.context, row.sent_at) == (EmailStatus.DROPPED, {}, None)
    assert row.shown_subject == NOT_SENT_REPEAT
    assert mail.outbox == []
    assert not to_be_sent().exists()


def test_a_repeat_after_the_quiet_period_still_emails_the_link(event):
    registration = registered(event, ago=timedelta(hours=2))
    form = public_forms.registration(event)

    Client().post(form.path, {**form.fields, "email": ADDRESS})

    [row] = OutgoingEmail.objects.filter(about=f"registration:{registration.pk}")
    task_send_email(email_id=row.pk)
    row.refresh_from_db()
    assert (row.kind, row.status) == ("registration_link_resent", EmailStatus.SENT)
    [message] = mail.outbox
    assert message.to == [ADDRESS]
    assert "/registration/" in message.body


def subscribed(*, confirmed: bool, emailed_now: bool = False) -> Subscription:
    subscription = SubscriptionFactory(
        email=ADDRESS, confirmed_at=timezone.now() if confirmed else None
    )
    if emailed_now:
        alerts.subscribe(email=ADDRESS, roles=list(subscription.roles.all()))
    return subscription


ALERTS_CASES = {
    "confirmed": {"confirmed": True},
    "unconfirmed": {"confirmed": False},
    "confirmation just sent": {"confirmed": False, "emailed_now": True},
    "confirmed, email just sent": {"confirmed": True, "emailed_now": True},
}


@pytest.mark.parametrize("case", ALERTS_CASES)
def test_alerts_sends_the_same_statements_for_a_known_address(event, case):  # event: the roles
    form = public_forms.ALERTS
    data = {**form.fields, "email": ADDRESS}
    new = statements_for(form.path, data)
    Subscription.objects.all().delete()
    subscribed(**ALERTS_CASES[case])

    known = statements_for(form.path, data)

    assert known == new


def test_alerts_in_the_quiet_period_sends_nothing_more(event):
    subscribed(confirmed=False, emailed_now=True)
    form = public_forms.ALERTS

    Client().post(form.path, {**form.fields, "email": ADDRESS})

    assert to_be_sent().filter(kind="alerts_confirm").count() == 1
    for row in OutgoingEmail.objects.filter(kind="alerts_confirm"):
        task_send_email(email_id=row.pk)
    assert [message.to for message in mail.outbox] == [[ADDRESS]]
    assert "/alerts/confirm/" in mail.outbox[0].body


def test_positive_action_sends_the_same_statements_for_a_known_address(event):
    form = public_forms.MENTORING
    data = {**form.fields, "email": ADDRESS}
    new = statements_for(form.path, {**data, "submission_key": "a" * 43})

    known = statements_for(form.path, {**data, "submission_key": "b" * 43})

    assert known == new
