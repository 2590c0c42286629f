"""The report in the admin: Workforce development can open it, no one else,
and no page shows one person's answers."""

import re
import uuid
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from core.groups import POSITIVE_ACTION, WORKFORCE_DEVELOPMENT
from equality import report
from tests.factories import EventFactory, RegistrationFactory
from tests.support.staff import make_staff_user, sign_in_staff

from .support import close_answers, store_answers

pytestmark = pytest.mark.django_db

REPORT = "/admin/equality/reachreport/"


@pytest.fixture
def workforce(client):
    sign_in_staff(client, make_staff_user(username="workforce", group=WORKFORCE_DEVELOPMENT))
    return client


@pytest.fixture
def women_only_session():
    # Tonight: in this quarter, which the report shows first.
    event = EventFactory(title="Women-only insight evening", starts_at=timezone.now())
    RegistrationFactory.create_batch(15, event=event, checked_in_at=timezone.now())
    RegistrationFactory.create_batch(5, event=event)
    store_answers(event, 14, sex="female", sexual_orientation="straight")
    store_answers(event, 1, sex="female", sexual_orientation="bisexual")
    store_answers(event, 3, sex="male", sexual_orientation="straight")
    close_answers(event)
    return event


def test_someone_not_signed_in_is_asked_to_sign_in(client):
    response = client.get(REPORT)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_a_signed_in_user_who_is_not_staff_cannot_open_the_report(client):
    not_staff = get_user_model().objects.create_user("candidate", "candidate@example.org", "pw")
    sign_in_staff(client, not_staff)

    response = client.get(REPORT)
    download = client.get(REPORT + "csv/")

    assert response["Location"].startswith("/admin/login/")
    assert download["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("group", [POSITIVE_ACTION, None])
def test_other_staff_and_the_positive_action_team_cannot_open_the_report(client, group):
    sign_in_staff(client, make_staff_user(username="someone", group=group))

    response = client.get(REPORT)
    download = client.get(REPORT + "csv/")
    home = client.get("/admin/").content.decode()

    assert response.status_code == 403
    assert download.status_code == 403
    assert "Who our events reach" not in home


def test_workforce_development_opens_the_report_from_the_admin_home(workforce, women_only_session):
    home = workforce.get("/admin/").content.decode()

    page = workforce.get(REPORT).content.decode()

    assert f'href="{REPORT}"' in home
    assert "Who our events reach" in home
    assert "Women-only insight evening" in page
    assert "Choose the events" in page


def test_the_report_for_the_women_only_session(workforce, women_only_session):
    page = workforce.get(REPORT, {"event": women_only_session.pk}).content.decode()

    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "20 registered, 15 attended, 18 answered (90% of those registered)." in text
    assert "Female 15 83% 75%" in text
    assert "Male fewer than 5" in text
    assert "Bisexual fewer than 5" in text


def test_the_csv_download_has_the_same_counts(workforce, women_only_session):
    response = workforce.get(REPORT + "csv/", {"event": women_only_session.pk})

    body = response.content.decode()
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    assert "Women-only insight evening,Sex,Female,15,83,75" in body
    assert "Women-only insight evening,Sexual orientation,Bisexual,fewer than 5,," in body


def test_a_month_a_quarter_and_a_campaign_can_be_chosen(workforce, women_only_session):
    day = timezone.localdate(women_only_session.starts_at)
    quarter = (day.month - 1) // 3 + 1

    month_page = workforce.get(REPORT, {"period": f"{day:%Y-%m}"}).content.decode()
    quarter_page = workforce.get(REPORT, {"period": f"{day.year}-Q{quarter}"}).content.decode()
    campaign_page = workforce.get(
        REPORT, {"start": f"{day:%Y-%m-%d}", "end": f"{day:%Y-%m-%d}"}
    ).content.decode()

    assert f"{day:%B %Y}" in month_page
    for page in (month_page, quarter_page, campaign_page):
        assert "Women-only insight evening" in page
        assert "20 registered, 15 attended, 18 answered (90% of those registered)." in re.sub(
            r"\s+", " ", page
        )


def test_a_campaign_that_ends_before_it_starts_is_refused_and_this_quarter_shown(workforce):
    page = workforce.get(REPORT, {"start": "2026-12-01", "end": "2026-11-01"}).content.decode()

    assert "The campaign must end on or after its first day" in page
    assert "errornote" in page


def test_there_is_no_admin_page_for_one_persons_answers(workforce, women_only_session):
    admin = make_staff_user(username="root", superuser=True)
    sign_in_staff(workforce, admin)
    some_id = uuid.uuid4()

    for path in [
        f"{REPORT}{some_id}/change/",
        f"{REPORT}{some_id}/delete/",
        f"{REPORT}{some_id}/history/",
        f"{REPORT}add/",
        "/admin/equality/equalityresponse/",
        "/admin/equality/answeredmark/",
        "/admin/equality/pendingresponse/",
        "/admin/equality/closedevent/",
    ]:
        assert workforce.get(path).status_code == 404, path


def test_the_report_page_takes_the_same_queries_however_many_events(
    workforce, django_assert_num_queries
):
    for _ in range(3):  # this quarter's events: the report's first choice
        store_answers(EventFactory(starts_at=timezone.now()), 12, sex="female")
    close_answers(EventFactory(starts_at=timezone.now()))
    workforce.get(REPORT)  # the session and the user's permissions, once

    # The session, the user, the period's choices, the events to choose
    # from, the events with their counts, the answers per event, and one
    # query per question (the ethnic group and background together).
    with django_assert_num_queries(17):
        few = workforce.get(REPORT)
    for _ in range(9):
        store_answers(EventFactory(starts_at=timezone.now()), 12, sex="male")
    close_answers(EventFactory(starts_at=timezone.now()))
    with django_assert_num_queries(17):
        many = workforce.get(REPORT)

    assert few.content.decode().count("<tr>") < many.content.decode().count("<tr>")


def test_an_event_still_taking_registrations_shows_no_counts_on_the_page_or_in_the_csv(
    workforce,
):
    event = EventFactory(title="Next week's evening", starts_at=timezone.now() + timedelta(days=7))
    store_answers(event, 15, sex="female")

    page = workforce.get(REPORT, {"event": event.pk}).content.decode()
    download = workforce.get(REPORT + "csv/", {"event": event.pk}).content.decode()

    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "No event here has closed its registration yet." in text
    assert "Not counted yet: 1 event still taking registrations." in text
    assert "Female" not in text.split("Not counted yet")[1]
    assert download.strip().splitlines() == [",".join(report.CSV_HEADER)]
