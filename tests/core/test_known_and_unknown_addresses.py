"""For each public form, a stranger who types an address learns nothing
about it: sent with an address already known and with one that is not, in
otherwise identical states, every response on the way (status, headers,
cookie names, sizes and attributes, body) is byte for byte the same once
CSRF tokens and start times are set aside, and as many emails go to the
address typed (none to anyone else)."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.utils import timezone

from alerts.models import Subscription
from emails.models import OutgoingEmail
from events.models import Registration
from mentoring.models import MentoringRequest
from tests.equality.support import FIRST_PAGE, FOLLOW_UPS
from tests.factories import RegistrationFactory, SubscriptionFactory
from tests.fuzz import public_forms

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _limits_on(settings):
    """With the rate limits counting, as on the live site."""
    settings.RATELIMIT_ENABLE = True
    yield
    cache.clear()


ADDRESS = "jo.neighbour@example.com"
SOMEONE_ELSE = "someone.else@example.com"
AN_HOUR_AGO = timedelta(hours=1)

# Values made afresh for every response: they say nothing about the address.
FRESH_VALUES = re.compile(r'(name="(?:csrfmiddlewaretoken|started|submission_key)" value=")[^"]+"')


def snapshot(response) -> dict:
    # A cookie's expiry date moves with the clock; its max-age is compared.
    cookies = sorted(
        (
            name,
            len(morsel.value),
            sorted((key, str(morsel[key])) for key in morsel if morsel[key] and key != "expires"),
        )
        for name, morsel in response.cookies.items()
    )
    body = FRESH_VALUES.sub(r'\1"', response.content.decode())
    return {
        "status": response.status_code,
        "headers": sorted(response.headers.items()),
        "cookies": cookies,
        "body": body,
    }


def walk(client, steps) -> list[dict]:
    """Each (method, path, data) in turn, following every redirect by hand
    so that each response on the way is kept."""
    seen = []
    for method, path, data in steps:
        response = getattr(client, method)(path, data)
        seen.append(snapshot(response))
        while response.status_code in (301, 302, 303):
            response = client.get(response["Location"])
            seen.append(snapshot(response))
    return seen


def answers_when(arrange, steps) -> tuple[list[dict], dict]:
    """The responses and emails for `steps` after `arrange()`, in a
    savepoint rolled back afterwards so the next run starts the same."""
    cache.clear()
    with transaction.atomic():
        arrange()
        before = set(OutgoingEmail.objects.values_list("pk", flat=True))
        responses = walk(Client(), steps)
        sent = OutgoingEmail.objects.exclude(pk__in=before)
        emails = {
            "to the address": sent.filter(to__iexact=ADDRESS).count(),
            "to anyone else": sent.exclude(to__iexact=ADDRESS).count(),
        }
        transaction.set_rollback(True)
    return responses, emails


def assert_the_same(known, unknown):
    known_responses, known_emails = known
    unknown_responses, unknown_emails = unknown
    assert len(known_responses) == len(unknown_responses)
    for step, (k, u) in enumerate(zip(known_responses, unknown_responses, strict=True)):
        assert k == u, f"response {step} differs"
    assert known_emails == unknown_emails
    assert known_emails["to anyone else"] == 0


def backdated(model, pk):
    model.objects.filter(pk=pk).update(created_at=timezone.now() - AN_HOUR_AGO)


EQUALITY_QUESTIONS = {
    "skipped": [("post", "/equality-questions/", {"skip": "Skip"})],
    "answered": [
        ("post", "/equality-questions/", FIRST_PAGE),
        ("post", "/equality-questions/", {**FIRST_PAGE, "follow_up": "1", **FOLLOW_UPS}),
    ],
}


@pytest.mark.parametrize("questions", EQUALITY_QUESTIONS)
def test_registration_with_a_known_and_an_unknown_address(event, questions):
    form = public_forms.registration(event)

    def registered(email):
        def arrange():
            backdated(Registration, RegistrationFactory(event=event, email=email).pk)

        return arrange

    steps = [
        ("get", form.path, None),
        ("post", form.path, {**form.fields, "email": ADDRESS}),
        ("get", "/equality-questions/", None),
        *EQUALITY_QUESTIONS[questions],
    ]

    known = answers_when(registered(ADDRESS), steps)
    unknown = answers_when(registered(SOMEONE_ELSE), steps)

    assert_the_same(known, unknown)
    assert known[1] == {"to the address": 1, "to anyone else": 0}
    [receipt_cookie] = known[0][1]["cookies"]
    assert receipt_cookie[0].endswith("registered")


def test_positive_action_with_a_known_and_an_unknown_address(event):  # event: the roles
    form = public_forms.MENTORING

    def asked_before(email):
        def arrange():
            Client().post(form.path, {**form.fields, "email": email, "submission_key": "a" * 43})
            backdated(MentoringRequest, MentoringRequest.objects.get().pk)

        return arrange

    steps = [("get", form.path, None), ("post", form.path, {**form.fields, "email": ADDRESS})]

    known = answers_when(asked_before(ADDRESS), steps)
    unknown = answers_when(asked_before(SOMEONE_ELSE), steps)

    assert_the_same(known, unknown)
    assert known[1] == {"to the address": 1, "to anyone else": 0}


@pytest.mark.parametrize("confirmed", [True, False], ids=["confirmed", "not confirmed"])
def test_alerts_with_a_known_and_an_unknown_address(event, confirmed):  # event: the roles
    form = public_forms.ALERTS

    def subscribed(email):
        def arrange():
            subscription = SubscriptionFactory(
                email=email, confirmed_at=timezone.now() if confirmed else None
            )
            backdated(Subscription, subscription.pk)

        return arrange

    steps = [("get", form.path, None), ("post", form.path, {**form.fields, "email": ADDRESS})]

    known = answers_when(subscribed(ADDRESS), steps)
    unknown = answers_when(subscribed(SOMEONE_ELSE), steps)

    assert_the_same(known, unknown)
    assert known[1] == {"to the address": 1, "to anyone else": 0}
