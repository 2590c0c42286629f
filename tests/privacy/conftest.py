"""One person, Zoë, with something of every kind held about her, and
another person whose data must never appear in her export or be touched by
her erasure."""

from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone

from alerts import services as alerts
from events import services as events
from events.models import Event, Registration, RegistrationStatus
from mentoring import services as mentoring
from tests.factories import EventFactory, role
from tests.mentoring.support import make_request
from tests.support.registration import register

# As she typed it on each form: the same address in different cases.
ZOE = "Zoë.Adebayo@Example.org"
ZOE_LOWER = "zoë.adebayo@example.org"
ZOE_PHONE = "07700 900123"
ZOE_NAME = {"first_name": "Zoë", "last_name": "Adebayo"}
OTHER = "sam.other@example.com"


def move_into_the_past(event):
    ended = timezone.now() - timedelta(days=30)
    Event.objects.filter(pk=event.pk).update(starts_at=ended - timedelta(hours=2), ends_at=ended)


def browser_session(**data):
    session = SessionStore()
    session.update(data)
    session.create()
    return session.session_key


@pytest.fixture
def zoe(db):
    """Zoë: a confirmed place at a full evening someone waits for, a place at
    an evening that has happened (she came), a cancelled registration, a
    positive-action request with a contact log, an alert subscription, the
    emails all of these sent, and a browser session that remembers her."""
    full = EventFactory(title="Full evening", capacity=1)
    place = register(
        event=full, email=ZOE, **ZOE_NAME, phone=ZOE_PHONE, access_needs="Hearing loop, please"
    ).registration
    past = EventFactory(title="Past evening")
    came = register(event=past, email=ZOE_LOWER, **ZOE_NAME).registration
    move_into_the_past(past)
    Registration.objects.filter(pk=came.pk).update(checked_in_at=timezone.now())
    changed_mind = register(
        event=EventFactory(title="Another evening"), email=ZOE, **ZOE_NAME
    ).registration
    events.cancel_registration(changed_mind)
    request, _ = make_request(
        name="Zoë Adebayo",
        email=ZOE_LOWER,
        phone=ZOE_PHONE,
        under_represented="Few people like me in the force",
    )
    mentoring.record_contact(request, how="phone", note="Spoke to Zoë about the fitness test")
    subscription = alerts.subscribe(email=ZOE.upper(), roles=[role()])
    alerts.confirm_subscription(subscription)
    session = browser_session(registered_email=ZOE)
    return {
        "full_event": full,
        "place": place,
        "came": came,
        "cancelled": changed_mind,
        "request": request,
        "subscription": subscription,
        "session": session,
    }


@pytest.fixture
def other(zoe):
    """Sam, waiting for Zoë's evening, with an alert subscription and a
    positive-action request of his own."""
    waiting = register(
        event=zoe["full_event"], email=OTHER, first_name="Sam", last_name="Other"
    ).registration
    assert waiting.status == RegistrationStatus.WAITING
    alerts.subscribe(email=OTHER, roles=[role()])
    request, _ = make_request(name="Sam Other", email=OTHER)
    return {"waiting": waiting, "request": request}
