"""Who may do what in the events admin: Workforce development runs events
end to end; Positive action does not see them; nobody signed out gets in."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from core.groups import POSITIVE_ACTION, WORKFORCE_DEVELOPMENT
from emails.models import OutgoingEmail
from events.models import EventStatus, Registration, RegistrationSource, RegistrationStatus
from tests.factories import EventFactory, RegistrationFactory, role

pytestmark = pytest.mark.django_db


def staff_pages(event, registration):
    """Every page of the events admin, as (name, url)."""
    return [
        ("home", reverse("admin:index")),
        ("events", reverse("admin:events_event_changelist")),
        ("event", reverse("admin:events_event_change", args=[event.pk])),
        ("add event", reverse("admin:events_event_add")),
        ("registrations", reverse("admin:events_registration_changelist")),
        ("registration", reverse("admin:events_registration_change", args=[registration.pk])),
        *[
            (name, reverse(f"admin:events_event_{name}", args=[event.pk]))
            for name in [
                "duplicate",
                "publish",
                "cancel",
                "email",
                "register_by_phone",
                "export",
                "checkin",
                "checkin_counts",
                "walk_in",
            ]
        ],
    ]


@pytest.fixture
def tonight(db):
    start = timezone.now() - timedelta(minutes=5)
    return EventFactory(starts_at=start, ends_at=start + timedelta(hours=2))


def test_workforce_development_can_open_every_events_page(wd_client, tonight):
    registration = RegistrationFactory(event=tonight)

    for name, url in staff_pages(tonight, registration):
        response = wd_client.get(url)
        assert response.status_code == 200, f"{name}: {response.status_code}"


def test_positive_action_sees_no_events_pages(pa_client, tonight):
    registration = RegistrationFactory(event=tonight)

    home = pa_client.get(reverse("admin:index")).content.decode()
    for name, url in staff_pages(tonight, registration)[1:]:
        response = pa_client.get(url)
        assert response.status_code in {302, 403}, f"{name}: {response.status_code}"
    assert "staff-dashboard" not in home
    assert "Upcoming events" not in home


def test_positive_action_cannot_read_a_draft_events_address_through_view_on_site(pa_client):
    """The admin's /admin/r/<content type>/<id>/ redirects to an object's
    page for any staff session: for a draft, the address names it."""
    draft = EventFactory(status=EventStatus.DRAFT, title="Secret new evening", slug="secret-new")
    content_type = ContentType.objects.get_for_model(draft)

    response = pa_client.get(reverse("admin:view_on_site", args=[content_type.pk, draft.pk]))

    assert response.status_code == 404
    assert "secret-new" not in response.headers.get("Location", "")


def test_workforce_development_still_opens_an_event_on_the_site(wd_client, tonight):
    content_type = ContentType.objects.get_for_model(tonight)

    response = wd_client.get(reverse("admin:view_on_site", args=[content_type.pk, tonight.pk]))

    assert response.status_code == 302
    assert response.headers["Location"].endswith(tonight.get_absolute_url())


def test_positive_action_cannot_check_anyone_in(pa_client, tonight):
    registration = RegistrationFactory(event=tonight)

    pa_client.post(reverse("admin:events_event_checkin_mark", args=[tonight.pk, registration.pk]))

    registration.refresh_from_db()
    assert registration.checked_in_at is None


def test_signed_out_visitors_are_sent_to_the_login_page(client, tonight):
    registration = RegistrationFactory(event=tonight)

    for name, url in staff_pages(tonight, registration):
        response = client.get(url)
        assert response.status_code == 302, name
        assert response.url.startswith("/admin/login/"), name


def test_workforce_development_has_exactly_what_running_events_needs():
    names = set(
        Group.objects.get(name=WORKFORCE_DEVELOPMENT).permissions.values_list(
            "content_type__app_label", "codename"
        )
    )

    assert {
        ("events", "view_event"),
        ("events", "add_event"),
        ("events", "change_event"),
        ("events", "view_registration"),
        ("events", "add_registration"),
        ("events", "change_registration"),
        ("events", "view_role"),
        ("emails", "view_outgoingemail"),
        ("emails", "change_outgoingemail"),
    } <= names
    assert not {name for name in names if name[1].startswith("delete_")} & {
        ("events", "delete_event"),
        ("events", "delete_registration"),
    }
    assert not [app for app, _ in names if app == "mentoring"]


def test_positive_action_has_no_events_permissions():
    names = Group.objects.get(name=POSITIVE_ACTION).permissions.values_list(
        "content_type__app_label", flat=True
    )

    assert "events" not in set(names)


def test_staff_register_someone_by_phone_with_the_same_rules_and_emails(wd_client):
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event)
    url = reverse("admin:events_event_register_by_phone", args=[event.pk])

    response = wd_client.post(
        url,
        {
            "first_name": "Dev",
            "last_name": "Patel",
            "email": "dev@example.com",
            "phone": "01632 960 001",
            "role": role().pk,
            "heard_from": "friend_or_family",
            "privacy_told": "on",
        },
        follow=True,
    )

    registration = Registration.objects.get(email="dev@example.com")
    assert registration.status == RegistrationStatus.WAITING
    assert registration.source == RegistrationSource.PHONE
    assert "Dev Patel is on the waiting list" in response.content.decode()
    assert OutgoingEmail.objects.filter(kind="waiting_list_joined", to="dev@example.com").exists()


def test_registering_by_phone_needs_the_privacy_notice_told(wd_client):
    event = EventFactory()
    url = reverse("admin:events_event_register_by_phone", args=[event.pk])

    response = wd_client.post(
        url,
        {
            "first_name": "Dev",
            "last_name": "Patel",
            "email": "dev@example.com",
            "role": role().pk,
            "heard_from": "other",
        },
    )

    assert "Tell them about the privacy notice" in response.content.decode()
    assert not Registration.objects.exists()
