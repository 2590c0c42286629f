"""The admin home for staff: upcoming events with fill rate and waiting
lists, where demand outruns the places, and charts with tables beside them."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import CancelReason, EventFormat, RegistrationStatus
from staff import charts
from tests.factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db
HOME = reverse("admin:index")


def test_the_dashboard_lists_upcoming_events_with_fill_rate_and_waiting(wd_client):
    event = EventFactory(title="Tuesday at headquarters", capacity=4)
    RegistrationFactory.create_batch(3, event=event)

    page = wd_client.get(HOME).content.decode()

    assert "Tuesday at headquarters" in page
    assert "75% (3 of 4)" in page


def test_a_full_event_with_people_waiting_is_flagged_with_a_link_to_duplicate_it(wd_client):
    event = EventFactory(title="Oversubscribed evening", capacity=2)
    RegistrationFactory.create_batch(2, event=event)
    RegistrationFactory.create_batch(4, event=event, status=RegistrationStatus.WAITING)

    page = wd_client.get(HOME).content.decode()

    demand = page.split('id="demand"')[1].split('id="upcoming-events"')[0]
    assert "Oversubscribed evening" in demand
    assert "4 waiting" in demand
    assert reverse("admin:events_event_duplicate", args=[event.pk]) in demand


def test_the_dashboard_keeps_the_outbox_summary(wd_client):
    page = wd_client.get(HOME).content.decode()

    assert 'id="outbox-summary"' in page


def test_charts_are_accessible_svg_with_a_table_alternative(wd_client):
    event = EventFactory(title="Charted evening")
    RegistrationFactory.create_batch(2, event=event)
    past = timezone.now() - timedelta(days=7)
    held = EventFactory(title="Held evening", starts_at=past, ends_at=past + timedelta(hours=2))
    RegistrationFactory(event=held, checked_in_at=past)
    RegistrationFactory(event=held)

    page = wd_client.get(HOME).content.decode()

    assert f'aria-labelledby="reg-{event.pk}-title reg-{event.pk}-desc"' in page
    assert "<title id=" in page
    assert "2 registered (confirmed and waiting) against 80 places" in page
    assert "Attendance at past events" in page
    assert "1 came, 1 did not" in page
    assert "Show as a table" in page
    assert "style=" not in page.split('id="staff-dashboard"')[1].split('id="outbox-summary"')[0]


@pytest.mark.parametrize("events", [3, 30])
def test_the_dashboard_takes_the_same_queries_for_few_or_many_events(
    wd_client, django_assert_num_queries, events
):
    past = timezone.now() - timedelta(days=3)
    for _ in range(events):
        event = EventFactory()
        RegistrationFactory.create_batch(2, event=event)
        held = EventFactory(starts_at=past, ends_at=past + timedelta(hours=2))
        RegistrationFactory.create_batch(2, event=held, checked_in_at=past)
    wd_client.get(HOME)

    with django_assert_num_queries(20):
        wd_client.get(HOME)


def test_cumulative_days_fill_the_gaps_up_to_today():
    from datetime import date

    points = charts.cumulative_days(
        [(date(2026, 3, 1), 2), (date(2026, 3, 3), 5)], today=date(2026, 3, 4)
    )

    assert [(p.day.day, p.made, p.total) for p in points] == [
        (1, 2, 2),
        (2, 0, 2),
        (3, 5, 7),
        (4, 0, 7),
    ]


def test_add_event_is_the_first_thing_on_the_home_page(wd_client):
    page = wd_client.get(HOME).content.decode()

    before_the_dashboard = page.split('id="content"')[1].split('id="staff-dashboard"')[0]
    assert f'href="{reverse("admin:events_event_add")}">Add event</a>' in before_the_dashboard


def test_the_positive_action_team_is_not_offered_add_event(pa_client):
    page = pa_client.get(HOME).content.decode()

    assert "Add event" not in page


def test_an_online_event_starting_soon_without_a_link_needs_attention(wd_client):
    soon = timezone.now() + timedelta(hours=20)
    EventFactory(
        title="Online tomorrow",
        format=EventFormat.ONLINE,
        online_joining_url="",
        starts_at=soon,
        ends_at=soon + timedelta(hours=1),
    )
    EventFactory(
        title="Online with a link",
        format=EventFormat.ONLINE,
        online_joining_url="https://video.example.org/join/1",
        starts_at=soon,
        ends_at=soon + timedelta(hours=1),
    )

    page = wd_client.get(HOME).content.decode()

    demand = page.split('id="demand"')[1].split('id="upcoming-events"')[0]
    assert "Online tomorrow" in demand
    assert "no joining link" in demand
    assert "Online with a link" not in demand


def test_past_events_show_places_given_back_beside_the_no_show_rate(wd_client):
    past = timezone.now() - timedelta(days=3)
    held = EventFactory(title="Held evening", starts_at=past, ends_at=past + timedelta(hours=2))
    RegistrationFactory.create_batch(3, event=held, checked_in_at=past)
    RegistrationFactory(event=held)
    RegistrationFactory(
        event=held, status=RegistrationStatus.CANCELLED, cancel_reason=CancelReason.RELEASED
    )

    page = wd_client.get(HOME).content.decode()

    table = page.split('id="attendance-chart"')[1]
    assert "Gave their place back" in table
    released = table.split('data-label="Gave their place back">')[1].split("</td>")[0]
    no_shows = table.split('data-label="No-show rate">')[1].split("</td>")[0]
    assert " ".join(released.split()) == "1 (20%)"
    assert " ".join(no_shows.split()) == "25%"
