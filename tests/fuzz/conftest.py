from datetime import timedelta

import pytest
from django.utils import timezone

from core import tokens
from events.models import EventStatus
from tests.factories import EventFactory, RegistrationFactory, RegistrationLinkFactory, role

OFFERED_ROLES = ["police-officer", "pcso"]


@pytest.fixture
def events(db):
    """One event in each state a candidate can meet, each offering two of
    the three roles (so the third is another event's role)."""
    offered = [role(code) for code in OFFERED_ROLES]
    now = timezone.now()
    full = EventFactory(title="Full evening", capacity=1, roles=offered)
    RegistrationFactory(event=full, role=offered[0])
    return {
        "open": EventFactory(title="Open evening", roles=offered),
        "full": full,
        "cancelled": EventFactory(
            title="Cancelled evening", status=EventStatus.CANCELLED, roles=offered
        ),
        "closed": EventFactory(
            title="Closed evening", registration_closes_at=now - timedelta(hours=1), roles=offered
        ),
    }


@pytest.fixture
def registration(events):
    """A confirmed registration for the open event and its secret token."""
    registration = RegistrationFactory(event=events["open"], role=role("pcso"))
    token = tokens.new_token()
    RegistrationLinkFactory(registration=registration, token=token)
    return registration, token
