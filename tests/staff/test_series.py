"""Schedule a series: from one event, several draft copies in one go, each
its own event once published (reminders, alerts)."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from alerts.models import EventAlertRun
from alerts.services.fanout import start_event_alerts
from emails.models import OutgoingEmail
from events import services
from events.models import Event, EventStatus
from staff.views import ALREADY_MADE_ALL, ALREADY_MADE_SOME
from tests.factories import EventFactory, RegistrationFactory, role

pytestmark = pytest.mark.django_db
# The same at every size (tested below with few and many rows).
QUERIES_TO_CHECK_A_SERIES = 7
LONDON = ZoneInfo("Europe/London")


def tuesday_in_october() -> date:
    """The first Tuesday of next year's October: six weeks from it cross the
    end of British Summer Time (the last Sunday of October)."""
    first = date(timezone.localdate().year + 1, 10, 1)
    return first + timedelta(days=(1 - first.weekday()) % 7)


def series_form(**changes) -> dict:
    return {
        "first_day": tuesday_in_october().isoformat(),
        "start": "19:00",
        "end": "21:00",
        "every": "7",
        "count": "6",
        **changes,
    }


@pytest.fixture
def evening(db):
    event = EventFactory(title="Insight evening", capacity=80, reminder_hours=[48, 2])
    event.roles.set([role("police-officer"), role("pcso")])
    RegistrationFactory.create_batch(3, event=event)
    return event


def test_a_weekly_series_keeps_the_local_time_when_the_clocks_go_back(evening):
    days = [tuesday_in_october() + timedelta(weeks=n) for n in range(6)]
    dates = [
        (datetime.combine(day, time(19), LONDON), datetime.combine(day, time(21), LONDON))
        for day in days
    ]

    copies = services.schedule_series(evening, dates=dates).made

    local = [timezone.localtime(copy.starts_at, LONDON) for copy in copies]
    assert [moment.date() for moment in local] == days
    assert {moment.time() for moment in local} == {time(19)}
    assert len({copy.starts_at.astimezone(LONDON).utcoffset() for copy in copies}) == 2
    assert len({copy.slug for copy in copies}) == 6


def test_each_copy_is_a_draft_with_the_details_and_roles_but_no_registrations(evening):
    day = tuesday_in_october()
    dates = [(datetime.combine(day, time(19), LONDON), datetime.combine(day, time(21), LONDON))]

    (copy,) = services.schedule_series(evening, dates=dates).made

    assert copy.status == EventStatus.DRAFT
    assert (copy.title, copy.capacity, copy.reminder_hours) == ("Insight evening", 80, [48, 2])
    assert set(copy.roles.values_list("code", flat=True)) == {"police-officer", "pcso"}
    assert copy.registrations.count() == 0
    assert OutgoingEmail.objects.count() == 0


def test_a_series_with_one_date_in_the_past_makes_nothing(evening):
    past = timezone.now() - timedelta(days=1)
    future = timezone.now() + timedelta(days=30)
    before = Event.objects.count()

    with pytest.raises(ValidationError) as error:
        services.schedule_series(
            evening,
            dates=[(future, future + timedelta(hours=2)), (past, past + timedelta(hours=2))],
        )

    assert error.value.messages == [services.DUPLICATE_IN_PAST]
    assert Event.objects.count() == before


@pytest.mark.parametrize(
    ("count", "message"),
    [(0, services.SERIES_EMPTY), (services.SERIES_MAX + 1, services.SERIES_TOO_LONG)],
)
def test_a_series_needs_between_one_and_the_most_dates(evening, count, message):
    start = timezone.now() + timedelta(days=30)
    dates = [
        (start + timedelta(weeks=n), start + timedelta(weeks=n, hours=2)) for n in range(count)
    ]

    with pytest.raises(ValidationError) as error:
        services.schedule_series(evening, dates=dates)

    assert error.value.messages == [message]


def test_staff_check_six_tuesdays_then_make_them_in_one_confirmation(wd_client, evening):
    url = reverse("admin:events_event_series", args=[evening.pk])
    before = Event.objects.count()

    form = wd_client.get(url).content.decode()
    check = wd_client.post(url, series_form()).content.decode()
    checked_only = Event.objects.count()
    done = wd_client.post(url, {**series_form(), "_confirmed": "yes"})

    assert "Schedule a series" in form
    assert "6 draft events will be made" in check
    assert check.count("7pm to 9pm") == 6
    assert checked_only == before
    assert done.url == reverse("admin:events_event_changelist") + "?status__exact=draft"
    drafts = Event.objects.filter(status=EventStatus.DRAFT, title="Insight evening")
    assert drafts.count() == 6
    listing = wd_client.get(done.url).content.decode()
    assert "6 draft copies of “Insight evening” made" in listing


def test_a_series_starting_yesterday_is_refused_at_the_date_and_keeps_what_was_typed(
    wd_client, evening
):
    url = reverse("admin:events_event_series", args=[evening.pk])
    yesterday = (timezone.localtime() - timedelta(days=1)).date().isoformat()

    response = wd_client.post(url, series_form(first_day=yesterday, count="4"))

    page = response.content.decode()
    assert services.DUPLICATE_IN_PAST in page
    assert 'value="4"' in page
    assert Event.objects.count() == 1


def test_a_series_longer_than_the_most_is_refused_with_a_reason(wd_client, evening):
    url = reverse("admin:events_event_series", args=[evening.pk])

    page = wd_client.post(url, series_form(count="60")).content.decode()

    assert services.SERIES_TOO_LONG in page
    assert Event.objects.count() == 1


def test_the_positive_action_team_cannot_schedule_a_series(pa_client, evening):
    response = pa_client.get(reverse("admin:events_event_series", args=[evening.pk]))

    assert response.status_code == 403
    assert Event.objects.count() == 1


def test_published_copies_each_get_their_own_alert_run(wd_client, evening):
    url = reverse("admin:events_event_series", args=[evening.pk])
    wd_client.post(url, {**series_form(count="3"), "_confirmed": "yes"})
    drafts = list(Event.objects.filter(status=EventStatus.DRAFT))

    for draft in drafts:
        services.publish_event(draft)
    start_event_alerts()

    runs = EventAlertRun.objects.filter(event__in=drafts)
    assert len(drafts) == 3
    assert sorted(runs.values_list("event_id", flat=True)) == sorted(draft.pk for draft in drafts)


@pytest.mark.parametrize("count", [2, 26])
def test_checking_the_dates_takes_the_same_queries_for_few_or_many(
    wd_client, evening, django_assert_num_queries, count
):
    url = reverse("admin:events_event_series", args=[evening.pk])
    wd_client.get(url)

    with django_assert_num_queries(QUERIES_TO_CHECK_A_SERIES):
        check = wd_client.post(url, series_form(count=str(count))).content.decode()

    assert f"{count} draft events will be made" in check


def test_yes_sent_twice_makes_the_series_once(wd_client, evening):
    """A double click on "Yes, make 6 draft events" (or a resent POST) made
    12 drafts, and Workforce development may not delete events."""
    url = reverse("admin:events_event_series", args=[evening.pk])

    wd_client.post(url, {**series_form(), "_confirmed": "yes"}, follow=True)
    again = wd_client.post(url, {**series_form(), "_confirmed": "yes"}, follow=True)

    drafts = Event.objects.filter(status=EventStatus.DRAFT, title="Insight evening")
    assert drafts.count() == 6
    page = again.content.decode()
    assert again.redirect_chain[-1][0].endswith("?status__exact=draft")
    assert ALREADY_MADE_ALL in page
    assert "draft copies of" not in page
    for draft in drafts:
        assert reverse("admin:events_event_change", args=[draft.pk]) in page


def test_a_longer_series_sent_after_a_shorter_one_makes_only_the_new_dates(wd_client, evening):
    url = reverse("admin:events_event_series", args=[evening.pk])
    wd_client.post(url, {**series_form(count="4"), "_confirmed": "yes"}, follow=True)

    longer = wd_client.post(url, {**series_form(count="6"), "_confirmed": "yes"}, follow=True)

    page = longer.content.decode()
    assert Event.objects.filter(copied_from=evening).count() == 6
    assert "2 draft copies of “Insight evening” made" in page
    assert ALREADY_MADE_SOME in page
