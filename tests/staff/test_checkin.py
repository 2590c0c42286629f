"""Check-in on the night, through the page staff use at the door: plain
forms that POST and redirect back, so it works without JavaScript."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from emails.models import OutgoingEmail
from events.models import Registration, RegistrationSource, RegistrationStatus
from tests.factories import EventFactory, RegistrationFactory, role

pytestmark = pytest.mark.django_db
# The same at every size (tested below with few and many rows).
QUERIES_ON_THE_DOOR_LIST = 9


@pytest.fixture
def tonight(db):
    start = timezone.now() - timedelta(minutes=5)
    return EventFactory(title="Tonight", starts_at=start, ends_at=start + timedelta(hours=2))


def page_url(event):
    return reverse("admin:events_event_checkin", args=[event.pk])


def mark_url(event, registration):
    return reverse("admin:events_event_checkin_mark", args=[event.pk, registration.pk])


def test_the_door_list_shows_confirmed_people_in_name_order(wd_client, tonight):
    RegistrationFactory(event=tonight, first_name="Zoe", last_name="Adams")
    RegistrationFactory(event=tonight, first_name="Amir", last_name="Young")
    RegistrationFactory(event=tonight, first_name="Bea", last_name="Morris")
    RegistrationFactory(event=tonight, last_name="Waiting", status=RegistrationStatus.WAITING)
    RegistrationFactory(event=tonight, last_name="Gone", status=RegistrationStatus.CANCELLED)

    page = wd_client.get(page_url(tonight)).content.decode()

    assert page.index("Adams, Zoe") < page.index("Morris, Bea") < page.index("Young, Amir")
    assert "Waiting" not in page.split("Confirmed, by last name")[1]
    assert "Gone" not in page


def test_the_door_list_finds_people_by_name_or_reference_including_the_waiting_list(
    wd_client, tonight
):
    aoife = RegistrationFactory(event=tonight, first_name="Aoife", last_name="Byrne")
    RegistrationFactory(event=tonight, first_name="Sam", last_name="Okafor")
    waiting = RegistrationFactory(
        event=tonight, last_name="Byrne-Waits", status=RegistrationStatus.WAITING
    )

    by_name = wd_client.get(page_url(tonight), {"q": "aoife byrne"}).content.decode()
    by_surname = wd_client.get(page_url(tonight), {"q": "byrne"}).content.decode()
    by_reference = wd_client.get(
        page_url(tonight), {"q": aoife.reference.split("-")[1]}
    ).content.decode()

    assert "Byrne, Aoife" in by_name
    assert "Okafor" not in by_name
    assert "Byrne-Waits" in by_surname
    assert "Let in from waiting list" in by_surname
    assert waiting.reference in by_surname
    assert "Byrne, Aoife" in by_reference


def test_a_search_with_a_nul_character_finds_by_the_rest_not_a_500(wd_client, tonight):
    """PostgreSQL refuses a NUL in any text it is given to compare."""
    RegistrationFactory(event=tonight, first_name="Aoife", last_name="Byrne")

    response = wd_client.get(page_url(tonight), {"q": "Byr\x00ne"})

    assert response.status_code == 200
    assert "Byrne, Aoife" in response.content.decode()


def test_one_tap_checks_someone_in_and_goes_back_to_the_list(wd_client, tonight):
    person = RegistrationFactory(event=tonight, first_name="Sam", last_name="Okafor")

    response = wd_client.post(mark_url(tonight, person), {"q": "okafor"})
    page = wd_client.get(response.url).content.decode()

    assert response.status_code == 302
    assert response.url == page_url(tonight) + f"?q=okafor#person-{person.pk}"
    person.refresh_from_db()
    assert person.checked_in_at is not None
    assert "Sam Okafor is checked in." in page
    assert "Here since" in page
    assert "Undo" in page
    assert OutgoingEmail.objects.count() == 0


def test_undo_takes_back_a_check_in(wd_client, tonight):
    person = RegistrationFactory(event=tonight, checked_in_at=timezone.now())

    wd_client.post(mark_url(tonight, person), {"undo": "1"})

    person.refresh_from_db()
    assert person.checked_in_at is None


def test_checking_in_only_takes_a_post(wd_client, tonight):
    person = RegistrationFactory(event=tonight)

    response = wd_client.get(mark_url(tonight, person))

    assert response.status_code == 405
    person.refresh_from_db()
    assert person.checked_in_at is None


def test_the_counts_follow_each_check_in(wd_client, tonight):
    people = RegistrationFactory.create_batch(3, event=tonight)
    counts_url = reverse("admin:events_event_checkin_counts", args=[tonight.pk])

    wd_client.post(mark_url(tonight, people[0]))
    counts = wd_client.get(counts_url).json()

    assert counts == {
        "here": 1,
        "confirmed": 3,
        "still_to_come": 2,
        "walk_ins": 0,
        "capacity": tonight.capacity,
    }


def test_a_walk_in_is_added_and_checked_in(wd_client, tonight):
    url = reverse("admin:events_event_walk_in", args=[tonight.pk])

    form = wd_client.get(url).content.decode()
    response = wd_client.post(
        url,
        {
            "first_name": "Ali",
            "last_name": "Khan",
            "email": "ali@example.com",
            "role": role().pk,
        },
    )

    assert "there is a free place" in form
    assert response.status_code == 302
    walk_in = Registration.objects.get(email="ali@example.com")
    assert walk_in.source == RegistrationSource.WALK_IN
    assert walk_in.checked_in_at is not None


def test_a_walk_in_at_a_fully_booked_event_needs_the_box_ticked(wd_client, tonight):
    tonight.capacity = 1
    tonight.save()
    RegistrationFactory(event=tonight)
    url = reverse("admin:events_event_walk_in", args=[tonight.pk])
    details = {"first_name": "Ali", "last_name": "Khan", "email": "ali@example.com"}

    refused = wd_client.post(url, {**details, "role": role().pk})
    admitted = wd_client.post(url, {**details, "role": role().pk, "over_booking": "on"})

    assert "Every place is booked" in refused.content.decode()
    assert admitted.status_code == 302
    assert Registration.objects.filter(email="ali@example.com").exists()


def test_the_walk_in_form_shows_errors_at_the_fields(wd_client, tonight):
    url = reverse("admin:events_event_walk_in", args=[tonight.pk])

    page = wd_client.post(url, {}).content.decode()

    assert "There is a problem" in page
    assert "Enter their first name" in page
    assert "Enter their email address" in page


@pytest.mark.parametrize("people", [3, 60])
def test_the_door_list_takes_the_same_queries_for_few_or_many(
    wd_client, tonight, django_assert_num_queries, people
):
    RegistrationFactory.create_batch(people, event=tonight)
    RegistrationFactory.create_batch(people // 3, event=tonight, status=RegistrationStatus.WAITING)
    wd_client.get(page_url(tonight))

    with django_assert_num_queries(QUERIES_ON_THE_DOOR_LIST):
        listing = wd_client.get(page_url(tonight)).content.decode()
    with django_assert_num_queries(QUERIES_ON_THE_DOOR_LIST):
        found = wd_client.get(page_url(tonight), {"q": "a"}).content.decode()

    assert listing.count("Check in<span") == people
    assert "found for" in found
