"""Subscribers and alert runs in the admin: read-only lists without a query
per row, the progress of each run, and the count per role for the dashboard."""

import re

import pytest
from django.template import Context, Template
from django.urls import reverse

from alerts.models import AlertRunStatus, Subscription
from alerts.queries import confirmed_subscribers_by_role
from core.groups import WORKFORCE_DEVELOPMENT
from tests.factories import EventAlertRunFactory, EventFactory, SubscriptionFactory, role
from tests.support.staff import make_staff_user, sign_in_staff

pytestmark = pytest.mark.django_db
SUBSCRIPTIONS = reverse("admin:alerts_subscription_changelist")
RUNS = reverse("admin:alerts_eventalertrun_changelist")


def alert_run(event, **fields):
    return EventAlertRunFactory(event=event, **fields)


@pytest.mark.parametrize("rows", [2, 40])
def test_the_subscriptions_changelist_takes_the_same_queries_for_few_or_many_rows(
    admin_client, django_assert_num_queries, rows
):
    SubscriptionFactory.create_batch(rows, roles=[role("pcso"), role("special-constable")])
    admin_client.get(SUBSCRIPTIONS)  # warm the session and content types

    with django_assert_num_queries(10):
        response = admin_client.get(SUBSCRIPTIONS)

    assert "Police community support officer (PCSO), Special constable" in response.content.decode()


@pytest.mark.parametrize("rows", [2, 40])
def test_the_runs_changelist_takes_the_same_queries_for_few_or_many_rows(
    admin_client, django_assert_num_queries, rows
):
    for _ in range(rows):
        alert_run(EventFactory(), total=100_000, queued=34_000)
    admin_client.get(RUNS)

    with django_assert_num_queries(6):
        response = admin_client.get(RUNS)

    assert "Queued for 34,000 of 100,000 (34%)" in response.content.decode()


def test_a_finished_and_a_skipped_run_say_so(admin_client):
    alert_run(EventFactory(), status=AlertRunStatus.DONE, total=5, queued=5)
    alert_run(EventFactory(), status=AlertRunStatus.SKIPPED)

    page = admin_client.get(RUNS).content.decode()

    assert "Queued for 5 of 5" in page
    assert "Not sent" in page


def test_subscriptions_are_read_only_and_searchable_by_address(admin_client):
    subscription = SubscriptionFactory(email="Sam.Okafor@example.com")
    SubscriptionFactory(email="other@example.com")
    url = reverse("admin:alerts_subscription_change", args=[subscription.pk])

    found = admin_client.get(SUBSCRIPTIONS, {"q": "SAM.okafor"}).content.decode()
    page = admin_client.get(url).content.decode()
    attempt = admin_client.post(url, {"email": "someone@example.com"})

    assert "Sam.Okafor@example.com" in found
    assert "other@example.com" not in found
    assert 'name="_save"' not in page
    assert attempt.status_code == 403
    assert admin_client.get(reverse("admin:alerts_subscription_add")).status_code == 403


def test_staff_can_unsubscribe_someone_who_asks(admin_client):
    subscription = SubscriptionFactory()

    admin_client.post(
        SUBSCRIPTIONS, {"action": "unsubscribe_selected", "_selected_action": [subscription.pk]}
    )

    assert not Subscription.objects.exists()


def test_workforce_development_can_see_subscribers_and_runs_but_not_remove_them(client):
    user = make_staff_user(username="workforce", group=WORKFORCE_DEVELOPMENT)
    sign_in_staff(client, user)
    subscription = SubscriptionFactory()

    listed = client.get(SUBSCRIPTIONS)
    runs = client.get(RUNS)
    client.post(
        SUBSCRIPTIONS, {"action": "unsubscribe_selected", "_selected_action": [subscription.pk]}
    )

    assert listed.status_code == runs.status_code == 200
    assert "unsubscribe_selected" not in listed.content.decode()
    assert Subscription.objects.exists()


def test_confirmed_subscribers_by_role_counts_only_confirmed_ones(django_assert_num_queries):
    SubscriptionFactory(roles=[role("pcso"), role("police-officer")])
    SubscriptionFactory(roles=[role("pcso")])
    SubscriptionFactory(roles=[role("pcso")], confirmed_at=None)

    with django_assert_num_queries(1):
        counts = confirmed_subscribers_by_role()

    assert counts == {"police-officer": 1, "pcso": 2, "special-constable": 0}


def test_the_dashboard_summary_shows_each_role_with_its_count(admin_client):
    SubscriptionFactory.create_batch(3, roles=[role("special-constable")])
    SubscriptionFactory(email="pending@example.com", confirmed_at=None)

    html = Template("{% load alerts_admin %}{% alerts_summary %}").render(Context())
    link = re.search(r'href="([^"]+)"', html).group(1).replace("&amp;", "&")
    listed = admin_client.get(link).content.decode()

    assert "Event alerts: confirmed subscribers" in html
    assert '<th scope="row">Special constable</th>\n        <td>3</td>' in html
    assert "Police officer" in html
    assert "3 subscriptions" in listed
    assert "pending@example.com" not in listed
