from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.groups import POSITIVE_ACTION, WORKFORCE_DEVELOPMENT
from emails.models import OutgoingEmail
from mentoring import services
from mentoring.models import ContactLogEntry, MentoringRequest, Outcome, RequestStatus
from tests.support.staff import make_staff_user, sign_in_staff

from .support import make_request

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/mentoring/mentoringrequest/"


def change_url(request):
    return f"{CHANGELIST}{request.pk}/change/"


def change_form(request, *, contact=None, **fields):
    """The change form as the browser posts it: the editable fields, and the
    contact log inline with its existing rows and one new row."""
    existing = list(request.contacts.all())
    data = {
        "assigned_mentor": request.assigned_mentor_id or "",
        "outcome": request.outcome,
        "contacts-TOTAL_FORMS": len(existing) + 1,
        "contacts-INITIAL_FORMS": len(existing),
        "contacts-MIN_NUM_FORMS": 0,
        "contacts-MAX_NUM_FORMS": 1000,
        **fields,
    }
    for index, entry in enumerate(existing):
        data[f"contacts-{index}-id"] = entry.pk
        data[f"contacts-{index}-request"] = request.pk
    new = f"contacts-{len(existing)}"
    data[f"{new}-request"] = request.pk
    data[f"{new}-contacted_on"] = timezone.localdate().strftime("%d/%m/%Y")
    # The date's default is a callable: the page sends it back as it was shown.
    data[f"initial-{new}-contacted_on"] = timezone.localdate().isoformat()
    if contact:
        data.update({f"{new}-{name}": value for name, value in contact.items()})
    return data


@pytest.fixture
def team_client(client, team_member):
    sign_in_staff(client, team_member)
    return client


@pytest.fixture
def workforce_client(client, workforce_user):
    sign_in_staff(client, workforce_user)
    return client


# Who can see it


def test_the_positive_action_group_holds_the_mentoring_permissions_and_no_one_else():
    team = Group.objects.get(name=POSITIVE_ACTION)
    workforce = Group.objects.get(name=WORKFORCE_DEVELOPMENT)

    team_perms = set(team.permissions.values_list("codename", flat=True))
    workforce_apps = set(workforce.permissions.values_list("content_type__app_label", flat=True))

    assert {"view_mentoringrequest", "change_mentoringrequest", "add_contactlogentry"} <= (
        team_perms
    )
    assert "add_mentoringrequest" not in team_perms
    assert "mentoring" not in workforce_apps


def test_a_team_member_sees_the_menu_entry_the_list_and_a_request(team_client):
    request, _ = make_request(name="王芳")

    index = team_client.get("/admin/").content.decode()
    listing = team_client.get(CHANGELIST)
    page = team_client.get(change_url(request))

    assert "Positive action" in index
    assert CHANGELIST in index
    assert listing.status_code == 200
    assert "王芳" in listing.content.decode()
    assert page.status_code == 200
    assert "王芳" in page.content.decode()


def test_a_workforce_development_user_gets_no_menu_entry_and_no_pages(workforce_client):
    request, _ = make_request()

    index = workforce_client.get("/admin/").content.decode()

    assert "Insight" in index or "Events" in index  # their own area is there
    assert CHANGELIST not in index
    assert "Mentoring requests" not in index
    assert workforce_client.get(CHANGELIST).status_code == 403
    assert workforce_client.get(change_url(request)).status_code == 403
    assert workforce_client.get(f"{CHANGELIST}{request.pk}/delete/").status_code == 403
    assert workforce_client.get("/admin/mentoring/").status_code == 404
    response = workforce_client.post(change_url(request), change_form(request, outcome="supported"))
    assert response.status_code == 403
    request.refresh_from_db()
    assert request.status == RequestStatus.NEW


def test_mentoring_permissions_given_to_someone_outside_the_team_still_show_nothing(
    client, workforce_user
):
    workforce_user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="mentoring")
    )
    sign_in_staff(client, workforce_user)
    request, _ = make_request()

    assert CHANGELIST not in client.get("/admin/").content.decode()
    assert client.get(CHANGELIST).status_code == 403
    assert client.get(change_url(request)).status_code == 403


def test_a_superuser_outside_the_group_sees_the_requests(client):
    sign_in_staff(client, make_staff_user(username="root", superuser=True))
    make_request(name="Nguyễn Thị Lan")

    assert "Nguyễn Thị Lan" in client.get(CHANGELIST).content.decode()


def test_nobody_adds_a_request_in_the_admin(team_client):
    assert team_client.get(f"{CHANGELIST}add/").status_code == 403


# The list


def test_the_list_shows_status_age_mentor_and_support(team_client, team_member):
    request, _ = make_request(support_kinds=["application", "fitness"])
    services.assign_mentor(request, mentor=team_member)

    body = team_client.get(CHANGELIST).content.decode()

    assert "Mentor assigned" in body
    assert "today" in body
    assert "mentor" in body
    assert "Application form, Fitness test" in body


def test_new_requests_waiting_over_five_days_stand_out_and_can_be_filtered(team_client):
    old, _ = make_request(name="Waiting Long", email="old@example.com")
    contacted, _ = make_request(name="Contacted Long", email="contacted@example.com")
    services.record_contact(contacted, how="phone")
    make_request(name="Just Arrived", email="new@example.com")
    MentoringRequest.objects.filter(pk__in=[old.pk, contacted.pk]).update(
        created_at=timezone.now() - timedelta(days=6)
    )

    body = team_client.get(CHANGELIST).content.decode()
    filtered = team_client.get(CHANGELIST + "?waiting=over").content.decode()

    assert body.count("waiting over 5 days") == 1
    assert "Waiting over 5 days" in body  # the filter
    assert "Waiting Long" in filtered
    assert "Contacted Long" not in filtered
    assert "Just Arrived" not in filtered


def test_the_list_runs_the_same_queries_for_3_or_40_requests(team_client, team_member):
    def count():
        with CaptureQueriesContext(connection) as queries:
            response = team_client.get(CHANGELIST)
        assert response.status_code == 200
        return len(queries)

    for number in range(3):
        make_request(email=f"few{number}@example.com")
    few = count()
    for number in range(37):
        request, _ = make_request(email=f"many{number}@example.com")
        services.assign_mentor(request, mentor=team_member)
    many = count()

    assert many == few


# The workflow, from new to closed


def test_a_team_member_takes_a_request_from_new_to_closed(team_client, team_member):
    request, _ = make_request()

    team_client.post(
        change_url(request),
        change_form(request, contact={"how": "phone", "note": "Talked about the fitness test."}),
    )
    request.refresh_from_db()
    assert request.status == RequestStatus.CONTACTED
    entry = request.contacts.get()
    assert (entry.how, entry.note, entry.recorded_by) == (
        "phone",
        "Talked about the fitness test.",
        team_member,
    )

    team_client.post(change_url(request), change_form(request, assigned_mentor=team_member.pk))
    request.refresh_from_db()
    assert (request.status, request.assigned_mentor) == (RequestStatus.MENTOR_ASSIGNED, team_member)

    team_client.post(
        change_url(request),
        change_form(request, outcome=Outcome.SUPPORTED, contact={"how": "video"}),
    )
    request.refresh_from_db()
    assert (request.status, request.outcome) == (RequestStatus.CLOSED, Outcome.SUPPORTED)
    assert request.contacts.count() == 2  # the last contact is kept, then it closes


def test_only_team_members_are_offered_as_mentors(team_client, team_member, workforce_user):
    request, _ = make_request()

    body = team_client.get(change_url(request)).content.decode()
    response = team_client.post(
        change_url(request), change_form(request, assigned_mentor=workforce_user.pk)
    )

    assert f'<option value="{team_member.pk}">' in body
    assert f'<option value="{workforce_user.pk}">' not in body
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    request.refresh_from_db()
    assert request.assigned_mentor is None


def test_a_closed_request_can_no_longer_be_changed(team_client, team_member):
    request, _ = make_request()
    services.close_request(request, outcome=Outcome.NO_RESPONSE)

    body = team_client.get(change_url(request)).content.decode()
    team_client.post(
        change_url(request),
        change_form(request, assigned_mentor=team_member.pk, contact={"how": "email"}),
    )

    assert 'name="outcome"' not in body
    assert 'name="assigned_mentor"' not in body
    request.refresh_from_db()
    assert request.assigned_mentor is None
    assert not request.contacts.exists()


def test_the_candidates_answers_are_read_only(team_client):
    request, _ = make_request(name="Original Name")

    body = team_client.get(change_url(request)).content.decode()
    team_client.post(change_url(request), change_form(request, name="Changed Name"))

    assert 'name="name"' not in body
    request.refresh_from_db()
    assert request.name == "Original Name"


def test_erasing_from_the_admin_goes_through_the_service(team_client):
    request, _ = make_request()
    services.record_contact(request, how="phone")
    kept, _ = make_request(email="kept@example.com")

    actions = team_client.get(CHANGELIST).content.decode()
    team_client.post(CHANGELIST, {"action": "erase_requests", "_selected_action": [request.pk]})

    assert "delete_selected" not in actions
    assert list(MentoringRequest.objects.all()) == [kept]
    assert not ContactLogEntry.objects.exists()
    assert sorted(OutgoingEmail.objects.values_list("to", flat=True)) == [
        "[erased]",
        "kept@example.com",
    ]


def test_the_admin_history_never_holds_the_candidates_name(team_client, team_member):
    request, _ = make_request(name="Aisling Ó Súilleabháin")

    team_client.post(change_url(request), change_form(request, assigned_mentor=team_member.pk))

    entry = LogEntry.objects.get(object_id=str(request.pk))
    assert entry.object_repr == f"Mentoring request {request.pk}"
    assert "Súilleabháin" not in entry.change_message
