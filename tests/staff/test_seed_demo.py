"""`python manage.py seed_demo` shows the product as staff live it, and is
safe to run again."""

from io import StringIO

import pytest
from django.core.management import call_command

from alerts.models import Subscription
from core.groups import WORKFORCE_DEVELOPMENT
from events.models import Event, EventState, Registration
from mentoring.models import MentoringRequest
from staff.management.commands.seed_demo import DEMO_LOGINS, DEMO_PASSWORD, demo_login

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_the_demo_has_a_full_evening_with_a_waiting_list_and_evenings_with_attendance():
    seed()

    first = Event.objects.get(slug="insight-evening-headquarters")
    second = Event.objects.get(slug="insight-evening-headquarters-second-date")
    past = Event.objects.with_attendance().filter(slug__in=["insight-evening-autumn"]).get()
    assert (first.confirmed_count, first.capacity, first.waiting_count) == (80, 80, 7)
    assert first.state() == EventState.FULL
    assert "filled so quickly" in second.summary
    assert second.starts_at > first.starts_at
    assert past.attended_count == 61
    assert Subscription.objects.confirmed().count() == 67
    assert MentoringRequest.objects.count() == 3


def test_running_the_demo_again_adds_nobody_twice():
    seed()
    counts = (Registration.objects.count(), Subscription.objects.count())

    again = seed()

    assert (Registration.objects.count(), Subscription.objects.count()) == counts
    assert MentoringRequest.objects.count() == 3
    assert "people added" not in again


def test_the_demo_logins_are_team_members_not_superusers():
    users = {name: demo_login(name, group_name=group) for name, group in DEMO_LOGINS.items()}

    wd = users["staff@example.org"]
    assert not any(user.is_superuser for user in users.values())
    assert list(wd.groups.values_list("name", flat=True)) == [WORKFORCE_DEVELOPMENT]
    assert wd.check_password(DEMO_PASSWORD)
    assert wd.has_perm("events.change_event")
    assert not wd.has_perm("auth.change_user")
    assert not users["positive-action@example.org"].has_perm("events.change_event")
