import pytest
from django.contrib.auth import get_user_model

from emails.models import OutgoingEmail
from events.models import EventStatus, Registration, RegistrationStatus
from tests.factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    user = get_user_model().objects.create_superuser("admin@example.org", "admin@example.org", "pw")
    client.force_login(user)
    return client


def event_form(event, **changes):
    data = {
        "title": event.title,
        "slug": event.slug,
        "status": event.status,
        "summary": event.summary,
        "description": event.description,
        "roles": [role.pk for role in event.roles.all()],
        "audience": event.audience,
        "starts_at_0": event.starts_at.astimezone().strftime("%d/%m/%Y"),
        "starts_at_1": event.starts_at.astimezone().strftime("%H:%M:%S"),
        "ends_at_0": event.ends_at.astimezone().strftime("%d/%m/%Y"),
        "ends_at_1": event.ends_at.astimezone().strftime("%H:%M:%S"),
        "format": event.format,
        "venue_name": event.venue_name,
        "address": event.address,
        "capacity": event.capacity,
        "reminder_hours": "[48, 2]",
    }
    data.update(changes)
    return data


def test_raising_capacity_in_the_admin_promotes_people_waiting(staff_client):
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event)
    waiting = RegistrationFactory(event=event, status=RegistrationStatus.WAITING)

    response = staff_client.post(
        f"/admin/events/event/{event.pk}/change/", event_form(event, capacity=2)
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.CONFIRMED
    assert OutgoingEmail.objects.filter(kind="promoted_from_waiting_list").count() == 1


def test_the_event_form_offers_no_silent_cancel(staff_client):
    event = EventFactory()

    page = staff_client.get(f"/admin/events/event/{event.pk}/change/").content.decode()
    response = staff_client.post(
        f"/admin/events/event/{event.pk}/change/", event_form(event, status="cancelled")
    )

    assert 'value="cancelled"' not in page
    assert response.status_code == 200
    event.refresh_from_db()
    assert event.status == EventStatus.PUBLISHED


def test_registrations_are_read_only_and_cancelled_through_the_action(staff_client):
    event = EventFactory(capacity=1)
    confirmed = RegistrationFactory(event=event)
    waiting = RegistrationFactory(event=event, status=RegistrationStatus.WAITING)

    page = staff_client.get(f"/admin/events/registration/{confirmed.pk}/change/")
    staff_client.post(
        "/admin/events/registration/",
        {"action": "cancel_registrations", "_selected_action": [confirmed.pk]},
    )

    assert 'name="first_name"' not in page.content.decode()
    assert Registration.objects.get(pk=confirmed.pk).status == RegistrationStatus.CANCELLED
    assert Registration.objects.get(pk=waiting.pk).status == RegistrationStatus.CONFIRMED
