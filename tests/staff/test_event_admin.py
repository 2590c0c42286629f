"""The events admin: the changelist staff read at a glance, and the event
form, which asks before it emails anyone."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from emails.models import OutgoingEmail
from events import services
from events.models import Event, EventStatus, Registration, RegistrationStatus
from tests.factories import EventFactory, RegistrationFactory, role

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:events_event_changelist")


def change_url(event):
    return reverse("admin:events_event_change", args=[event.pk])


def event_form(event, **changes):
    local_start = timezone.localtime(event.starts_at)
    local_end = timezone.localtime(event.ends_at)
    data = {
        "title": event.title,
        "slug": event.slug,
        "summary": event.summary,
        "description": event.description,
        "roles": [role.pk for role in event.roles.all()] if event.pk else [],
        "audience": event.audience,
        "starts_at_0": local_start.strftime("%d/%m/%Y"),
        "starts_at_1": local_start.strftime("%H:%M:%S"),
        "ends_at_0": local_end.strftime("%d/%m/%Y"),
        "ends_at_1": local_end.strftime("%H:%M:%S"),
        "format": event.format,
        "venue_name": event.venue_name,
        "address": event.address,
        "capacity": event.capacity,
        "reminder_hours": ["48", "2"],
    }
    data.update(changes)
    return data


def full_event_with_people(**fields):
    event = EventFactory(capacity=2, **fields)
    RegistrationFactory.create_batch(2, event=event)
    RegistrationFactory(event=event, status=RegistrationStatus.WAITING)
    RegistrationFactory(event=event, status=RegistrationStatus.CANCELLED)
    return event


# The changelist -------------------------------------------------------------


def test_the_changelist_shows_counts_fill_rate_and_state(admin_client):
    full_event_with_people(title="Tuesday evening at headquarters")

    page = admin_client.get(CHANGELIST).content.decode()

    assert "Tuesday evening at headquarters" in page
    assert '<td class="field-confirmed">2</td>' in page
    assert '<td class="field-waiting">1</td>' in page
    assert '<td class="field-fill_rate">100%</td>' in page
    assert '<span class="app-state app-state--full">Full</span>' in page


def test_the_changelist_shows_attendance_and_no_shows_after_the_event(admin_client):
    past = timezone.now() - timedelta(days=3)
    event = EventFactory(title="Last week", starts_at=past, ends_at=past + timedelta(hours=2))
    RegistrationFactory.create_batch(3, event=event, checked_in_at=past)
    RegistrationFactory(event=event)

    page = admin_client.get(CHANGELIST, {"when": "past"}).content.decode()

    assert "Last week" in page
    assert '<td class="field-attended">3</td>' in page
    assert '<td class="field-no_show_rate">25%</td>' in page


def test_the_changelist_shows_upcoming_events_unless_asked_for_past_ones(admin_client):
    past = timezone.now() - timedelta(days=3)
    EventFactory(title="Gone already", starts_at=past, ends_at=past + timedelta(hours=2))
    EventFactory(title="Still to come")

    upcoming = admin_client.get(CHANGELIST).content.decode()
    everything = admin_client.get(CHANGELIST, {"when": "all"}).content.decode()

    assert "Still to come" in upcoming
    assert "Gone already" not in upcoming
    assert "Gone already" in everything


def test_the_changelist_filters_by_demand_audience_role_and_format_and_searches(admin_client):
    full_event_with_people(title="Oversubscribed evening")
    EventFactory(title="Women only evening", audience="women", roles=[role("pcso")])
    EventFactory(title="Online evening", format="online")

    waiting = admin_client.get(CHANGELIST, {"places": "waiting"}).content.decode()
    women = admin_client.get(CHANGELIST, {"audience__exact": "women"}).content.decode()
    pcso = admin_client.get(CHANGELIST, {"roles__id__exact": role("pcso").pk}).content.decode()
    online = admin_client.get(CHANGELIST, {"format__exact": "online"}).content.decode()
    found = admin_client.get(CHANGELIST, {"q": "oversubscribed"}).content.decode()

    assert "Oversubscribed evening" in waiting
    assert "Women only evening" not in waiting
    assert "Women only evening" in women
    assert "Online evening" not in women
    assert "Women only evening" in pcso
    assert "Online evening" in online
    assert "Oversubscribed evening" in found
    assert "Online evening" not in found


def test_the_roles_filter_lists_the_roles_and_no_dash(admin_client):
    EventFactory()

    page = admin_client.get(CHANGELIST).content.decode()

    assert "By roles" in page
    assert ">Police officer</a>" in page
    assert "roles__isnull" not in page


def test_each_row_has_the_checkbox_django_would_write_and_one_box_selects_all(admin_client):
    event = EventFactory(title='Insight evening <b>"Q&A"</b> — Welwyn')
    django_writes = admin.ModelAdmin(Event, admin.site).action_checkbox(event)

    page = admin_client.get(CHANGELIST).content.decode()

    assert django_writes in page
    assert page.count('class="action-select"') == 1
    assert '<input type="checkbox" id="action-toggle"' in page


@pytest.mark.parametrize("events", [3, 60])
def test_the_changelist_takes_the_same_queries_for_3_or_60_events(
    admin_client, django_assert_num_queries, events
):
    for _ in range(events):
        full_event_with_people()
    admin_client.get(CHANGELIST)  # warm the session and content types

    with django_assert_num_queries(7):
        response = admin_client.get(CHANGELIST)

    assert response.content.decode().count('class="field-fill_rate"') == events


# The form -------------------------------------------------------------------


def test_a_new_event_is_a_draft_until_published(admin_client):
    draft = EventFactory.build(slug="new-evening", title="New evening")

    response = admin_client.post(
        reverse("admin:events_event_add"),
        event_form(draft, roles=[role().pk], reminder_hours=["24", "2"]),
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    event = Event.objects.get(slug="new-evening")
    assert event.status == EventStatus.DRAFT
    assert event.reminder_hours == [24, 2]


def test_the_reminder_schedule_is_tick_boxes_that_keep_an_unusual_value(admin_client):
    event = EventFactory(reminder_hours=[48, 6])

    page = admin_client.get(change_url(event)).content.decode()

    assert 'type="checkbox" name="reminder_hours" value="48"' in page
    assert "2 days before" in page
    assert "6 hours before" in page


def test_the_status_is_not_changed_from_the_form(admin_client):
    event = EventFactory()

    response = admin_client.post(change_url(event), event_form(event, status="cancelled"))

    assert response.status_code == 302
    event.refresh_from_db()
    assert event.status == EventStatus.PUBLISHED


def test_raising_capacity_in_the_admin_promotes_people_waiting(admin_client):
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event)
    waiting = RegistrationFactory(event=event, status=RegistrationStatus.WAITING)

    response = admin_client.post(change_url(event), event_form(event, capacity=2))

    assert response.status_code == 302, response.content.decode()[:2000]
    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.CONFIRMED
    assert OutgoingEmail.objects.filter(kind="promoted_from_waiting_list").count() == 1


def test_moving_a_published_event_asks_first_saying_how_many_people_are_emailed(admin_client):
    event = full_event_with_people()
    later = timezone.localtime(event.starts_at + timedelta(hours=1))
    form = event_form(event, starts_at_1=later.strftime("%H:%M:%S"))

    asked = admin_client.post(change_url(event), form)

    page = asked.content.decode()
    assert asked.status_code == 200
    assert "3 people will be emailed" in page
    assert "2 confirmed" in page
    assert "Yes, save and email 3 people" in page
    assert OutgoingEmail.objects.count() == 0
    event.refresh_from_db()
    assert event.sequence == 0


def test_confirming_the_move_saves_it_and_emails_everyone_active_once(admin_client):
    event = full_event_with_people()
    later = timezone.localtime(event.starts_at + timedelta(hours=1))
    form = event_form(event, starts_at_1=later.strftime("%H:%M:%S"), _confirmed="yes")

    response = admin_client.post(change_url(event), form)

    assert response.status_code == 302
    event.refresh_from_db()
    assert event.sequence == 1
    assert event.starts_at == later.replace(microsecond=0)
    emails = OutgoingEmail.objects.filter(kind="event_changed")
    cancelled = Registration.objects.get(event=event, status=RegistrationStatus.CANCELLED)
    assert emails.count() == 3
    assert not emails.filter(to=cancelled.email).exists()


def test_the_confirmation_page_sends_back_everything_the_form_sent(admin_client):
    event = full_event_with_people()
    form = event_form(event, venue_name="Stevenage Police Station", title="New title")

    page = admin_client.post(change_url(event), form).content.decode()

    assert 'name="venue_name" value="Stevenage Police Station"' in page
    assert 'name="title" value="New title"' in page
    assert 'name="_confirmed" value="yes"' in page


def test_a_draft_moves_without_asking_or_emailing(admin_client):
    event = EventFactory(status=EventStatus.DRAFT)
    later = timezone.localtime(event.starts_at + timedelta(hours=1))

    response = admin_client.post(
        change_url(event), event_form(event, starts_at_1=later.strftime("%H:%M:%S"))
    )

    assert response.status_code == 302
    assert OutgoingEmail.objects.count() == 0


def test_capacity_below_the_number_confirmed_warns_before_saving(admin_client):
    event = full_event_with_people()

    asked = admin_client.post(change_url(event), event_form(event, capacity=1))
    saved = admin_client.post(change_url(event), event_form(event, capacity=1, _confirmed="yes"))

    assert "More people are confirmed than the new capacity" in asked.content.decode()
    assert saved.status_code == 302
    event.refresh_from_db()
    assert event.capacity == 1
    assert Registration.objects.filter(event=event, status="confirmed").count() == 2


def test_registration_must_close_after_it_opens(admin_client):
    event = EventFactory()
    opens = timezone.localtime(event.starts_at - timedelta(days=2))
    closes = timezone.localtime(event.starts_at - timedelta(days=3))

    response = admin_client.post(
        change_url(event),
        event_form(
            event,
            registration_opens_at_0=opens.strftime("%d/%m/%Y"),
            registration_opens_at_1=opens.strftime("%H:%M:%S"),
            registration_closes_at_0=closes.strftime("%d/%m/%Y"),
            registration_closes_at_1=closes.strftime("%H:%M:%S"),
        ),
    )

    assert response.status_code == 200
    assert "Registration must close after it opens." in response.content.decode()


def test_the_event_page_links_to_everything_staff_do_with_it(admin_client):
    event = EventFactory(status=EventStatus.DRAFT)

    page = admin_client.get(change_url(event)).content.decode()

    for name in ["checkin", "export", "email", "duplicate", "publish", "cancel"]:
        assert reverse(f"admin:events_event_{name}", args=[event.pk]) in page


# Registrations --------------------------------------------------------------


def test_registrations_are_listed_per_event_and_found_by_reference(admin_client):
    event = EventFactory(title="The evening")
    mine = RegistrationFactory(event=event, reference="HC-ABC234")
    RegistrationFactory(event=event, status=RegistrationStatus.WAITING)
    other = RegistrationFactory()
    url = reverse("admin:events_registration_changelist")

    per_event = admin_client.get(url, {"event__id__exact": event.pk}).content.decode()
    found = admin_client.get(url, {"q": "HC-ABC234"}).content.decode()
    waiting = admin_client.get(url, {"status__exact": "waiting"}).content.decode()

    assert "Registrations for The evening" in per_event
    assert mine.reference in per_event
    assert other.reference not in per_event
    assert mine.reference in found
    assert other.reference not in found
    assert mine.reference not in waiting


@pytest.mark.parametrize("event_id", ["\u00b2", "1\u00b9"])
def test_an_event_id_of_digits_that_are_not_0_to_9_lists_no_event_and_no_error(wd_client, event_id):
    """str.isdigit() says yes to superscript digits, which int() refuses."""
    RegistrationFactory(event=EventFactory(title="The evening"))
    url = reverse("admin:events_registration_changelist")

    response = wd_client.get(url, {"event__id__exact": event_id})

    assert response.status_code in (200, 302)
    assert "Registrations for The evening" not in response.content.decode()


def test_one_events_registrations_name_each_value_for_a_phone_and_skip_the_event(admin_client):
    event = EventFactory(title="The evening")
    RegistrationFactory(event=event, reference="HC-ABC234", first_name="Priya")
    url = reverse("admin:events_registration_changelist")

    per_event = admin_client.get(url, {"event__id__exact": event.pk}).content.decode()
    everyone = admin_client.get(url).content.decode()

    assert '<th data-label="Reference" class="field-reference">' in per_event
    assert '<td data-label="Full name" class="field-full_name">Priya ' in per_event
    assert 'data-label="Status"' in per_event
    assert '<label for="action-toggle"' in per_event
    assert 'data-label="Event"' not in per_event
    assert 'data-label="Event"' in everyone


def test_the_registrations_list_says_when_someone_checked_in_and_not_yet_or_no(admin_client):
    url = reverse("admin:events_registration_changelist")
    upcoming = EventFactory()
    RegistrationFactory(event=upcoming)
    RegistrationFactory(event=upcoming, status=RegistrationStatus.WAITING)
    past = EventFactory(
        starts_at=timezone.now() - timedelta(days=2), ends_at=timezone.now() - timedelta(days=2)
    )
    arrived = datetime(2026, 6, 1, 19, 5, tzinfo=ZoneInfo("Europe/London"))
    RegistrationFactory(event=past, checked_in_at=arrived)
    RegistrationFactory(event=past)

    before = admin_client.get(url, {"event__id__exact": upcoming.pk}).content.decode()
    after = admin_client.get(url, {"event__id__exact": past.pk}).content.decode()

    assert '<td data-label="Checked in" class="field-checked_in">Not yet</td>' in before
    assert '<td data-label="Checked in" class="field-checked_in">–</td>' in before
    assert '<td data-label="Checked in" class="field-checked_in">Yes, 7:05pm</td>' in after
    assert '<td data-label="Checked in" class="field-checked_in">No</td>' in after
    assert "icon-no.svg" not in before + after


@pytest.mark.parametrize("rows", [3, 60])
def test_the_registrations_list_takes_the_same_queries_for_few_or_many(
    admin_client, django_assert_num_queries, rows
):
    event = EventFactory()
    RegistrationFactory.create_batch(rows, event=event)
    url = reverse("admin:events_registration_changelist")
    admin_client.get(url)

    with django_assert_num_queries(7):
        response = admin_client.get(url, {"event__id__exact": event.pk})

    assert response.status_code == 200


def test_registrations_are_read_only_and_cancelled_through_the_action(admin_client):
    event = EventFactory(capacity=1)
    confirmed = RegistrationFactory(event=event)
    waiting = RegistrationFactory(event=event, status=RegistrationStatus.WAITING)

    page = admin_client.get(reverse("admin:events_registration_change", args=[confirmed.pk]))
    admin_client.post(
        reverse("admin:events_registration_changelist"),
        {"action": "cancel_registrations", "_selected_action": [confirmed.pk]},
    )

    assert 'name="first_name"' not in page.content.decode()
    assert Registration.objects.get(pk=confirmed.pk).status == RegistrationStatus.CANCELLED
    assert Registration.objects.get(pk=waiting.pk).status == RegistrationStatus.CONFIRMED


def test_cancelling_registrations_says_which_were_left_and_why(admin_client):
    upcoming = RegistrationFactory(event=EventFactory())
    tonight = EventFactory(starts_at=timezone.now() - timedelta(minutes=30))
    started = RegistrationFactory(event=tonight)

    answer = admin_client.post(
        reverse("admin:events_registration_changelist"),
        {"action": "cancel_registrations", "_selected_action": [upcoming.pk, started.pk]},
        follow=True,
    )

    page = answer.content.decode()
    assert "1 registration cancelled" in page
    assert f"1 not cancelled: {services.TOO_LATE_TO_CANCEL}" in page
    assert Registration.objects.get(pk=started.pk).status == RegistrationStatus.CONFIRMED


def test_the_event_form_keeps_internal_fields_from_staff(wd_client):
    event = EventFactory()

    page = wd_client.get(change_url(event)).content.decode()

    assert "Sequence" not in page
    assert 'name="sequence"' not in page
    assert 'name="cancellation_message"' not in page
    assert "staff/event_form.js" in page


def test_a_cancelled_event_shows_what_candidates_were_told_without_letting_it_change(wd_client):
    event = EventFactory(
        status=EventStatus.CANCELLED,
        cancelled_at=timezone.now(),
        cancellation_message="The venue is no longer available.",
    )

    page = wd_client.get(change_url(event)).content.decode()

    assert "The venue is no longer available." in page
    assert 'name="cancellation_message"' not in page
