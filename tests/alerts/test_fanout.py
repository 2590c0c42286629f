import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from alerts import services
from alerts.models import AlertRunStatus, EventAlertRun, FormatPreference, Subscription
from emails.models import OutgoingEmail
from emails.services import build_message
from events.models import EventFormat, EventStatus
from tests.conftest import requires_postgresql
from tests.factories import (
    EventAlertRunFactory,
    EventFactory,
    SubscriptionFactory,
    bulk_subscriptions,
    role,
)

from .conftest import emails_of_kind, link_token

pytestmark = pytest.mark.django_db


def alerted(event) -> set[str]:
    return set(
        OutgoingEmail.objects.filter(
            kind="event_alert", dedupe_key__endswith=f":{event.pk}"
        ).values_list("to", flat=True)
    )


def run_alerts(event, **kwargs) -> EventAlertRun:
    run = services.start_event_alert_run(event)
    return services.send_event_alerts(run or event.alert_run, **kwargs)


def test_nothing_is_sent_about_events_before_confirming(django_capture_on_commit_callbacks):
    services.subscribe(email="new@example.com", roles=[role("pcso")])
    event = EventFactory(roles=[role("pcso")])

    with django_capture_on_commit_callbacks(execute=True):
        services.start_event_alerts()

    assert alerted(event) == set()
    assert EventAlertRun.objects.get(event=event).status == AlertRunStatus.DONE


def test_publishing_emails_every_confirmed_subscriber_of_a_matching_role_and_format(
    django_capture_on_commit_callbacks,
):
    event = EventFactory(format=EventFormat.IN_PERSON, roles=[role("pcso"), role("police-officer")])
    pcso = SubscriptionFactory(email="pcso@example.com", roles=[role("pcso")])
    both = SubscriptionFactory(
        email="both@example.com", roles=[role("police-officer"), role("special-constable")]
    )
    in_person = SubscriptionFactory(
        email="in-person@example.com", format=FormatPreference.IN_PERSON, roles=[role("pcso")]
    )
    SubscriptionFactory(email="special@example.com", roles=[role("special-constable")])
    SubscriptionFactory(email="online@example.com", format=FormatPreference.ONLINE)

    with django_capture_on_commit_callbacks(execute=True):
        [run] = services.start_event_alerts()

    run.refresh_from_db()
    assert alerted(event) == {pcso.email, both.email, in_person.email}
    assert run.status == AlertRunStatus.DONE
    assert (run.total, run.queued) == (3, 3)
    assert run.finished_at is not None


def test_an_online_event_goes_to_online_and_both(django_capture_on_commit_callbacks):
    event = EventFactory(format=EventFormat.ONLINE, venue_name="", address="")
    SubscriptionFactory(email="online@example.com", format=FormatPreference.ONLINE)
    SubscriptionFactory(email="both@example.com", format=FormatPreference.BOTH)
    SubscriptionFactory(email="in-person@example.com", format=FormatPreference.IN_PERSON)

    run_alerts(event)

    assert alerted(event) == {"online@example.com", "both@example.com"}


def test_the_alert_has_the_event_in_london_time_and_working_links(client):
    # 18:30 UTC on a summer evening is 7:30pm in London.
    starts = timezone.now().replace(month=7, day=14, hour=18, minute=30, second=0, microsecond=0)
    starts = starts.replace(year=timezone.now().year + 1)
    event = EventFactory(
        title="Summer evening", starts_at=starts, ends_at=starts + timedelta(hours=2)
    )
    SubscriptionFactory(email="sam@example.com")

    run_alerts(event)

    [email] = emails_of_kind("event_alert")
    assert email.subject.startswith("New insight event: Summer evening, ")
    assert "7:30pm to 9:30pm (UK time)" in email.body_text
    assert f"https://events.example.org/events/{event.slug}/" in email.body_text
    assert email.about == f"subscription:{Subscription.objects.get().pk}"
    token = link_token(email, path="unsubscribe")
    assert link_token(email, path="manage") == token
    assert client.get(f"/alerts/manage/{token}/").status_code == 200
    for link in ("/alerts/manage/", "/alerts/unsubscribe/", f"/events/{event.slug}/"):
        assert link in email.body_html


def test_every_alert_has_one_click_unsubscribe_headers():
    event = EventFactory()
    SubscriptionFactory(email="sam@example.com")

    run_alerts(event)

    [email] = emails_of_kind("event_alert")
    token = link_token(email, path="unsubscribe")
    message = build_message(email).message()
    assert message["List-Unsubscribe"] == (
        f"<https://events.example.org/alerts/unsubscribe/{token}/>"
    )
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_running_the_fan_out_twice_sends_no_second_email():
    event = EventFactory()
    SubscriptionFactory.create_batch(3)
    run = run_alerts(event)

    # As if a worker picked the run up again from the start.
    EventAlertRun.objects.filter(pk=run.pk).update(
        status=AlertRunStatus.RUNNING, last_subscription_id=0, queued=0
    )
    again = services.send_event_alerts(EventAlertRun.objects.get(pk=run.pk))

    assert OutgoingEmail.objects.filter(kind="event_alert").count() == 3
    assert again.status == AlertRunStatus.DONE
    assert again.queued == 0
    assert services.start_event_alert_run(event) is None


def test_beat_starts_one_run_per_event_however_often_it_runs(django_capture_on_commit_callbacks):
    event = EventFactory()
    SubscriptionFactory()

    with django_capture_on_commit_callbacks(execute=True):
        services.start_event_alerts()
        services.start_event_alerts()

    assert EventAlertRun.objects.filter(event=event).count() == 1
    assert len(emails_of_kind("event_alert")) == 1


def test_beat_skips_drafts_past_closed_and_not_yet_open_events_until_they_open():
    now = timezone.now()
    EventFactory(status=EventStatus.DRAFT)
    EventFactory(status=EventStatus.CANCELLED)
    EventFactory(starts_at=now - timedelta(days=2), ends_at=now - timedelta(days=2, hours=-2))
    EventFactory(starts_at=now + timedelta(hours=1))  # registration closed 2 hours before
    later = EventFactory(registration_opens_at=now + timedelta(days=3))

    assert services.start_event_alerts(now=now) == []
    [run] = services.start_event_alerts(now=now + timedelta(days=3))
    assert run.event == later


def test_a_duplicated_event_is_announced_too():
    first = EventFactory(title="Popular evening")
    SubscriptionFactory()
    run_alerts(first)

    duplicate = EventFactory(title="Popular evening", slug="popular-evening-2")
    run_alerts(duplicate)

    assert len(emails_of_kind("event_alert")) == 2


def test_a_run_stops_when_the_event_is_cancelled_half_way():
    event = EventFactory()
    SubscriptionFactory.create_batch(5)
    run = services.start_event_alert_run(event)
    run = services.send_event_alert_batch(run, batch_size=2)

    event.status = EventStatus.CANCELLED
    event.save()
    run = services.send_event_alerts(run, batch_size=2)

    assert run.status == AlertRunStatus.STOPPED
    assert run.queued == 2
    assert len(emails_of_kind("event_alert")) == 2


def test_a_run_resumes_after_the_last_subscription_done():
    event = EventFactory()
    ids = [subscription.pk for subscription in SubscriptionFactory.create_batch(5)]
    run = services.start_event_alert_run(event)

    run = services.send_event_alert_batch(run, batch_size=2)
    run = services.send_event_alert_batch(run, batch_size=2)
    # The worker dies here; a later worker carries on from the stored position.
    resumed = services.send_event_alerts(EventAlertRun.objects.get(pk=run.pk), batch_size=2)

    assert run.last_subscription_id == ids[3]
    assert resumed.status == AlertRunStatus.DONE
    assert resumed.queued == 5
    assert OutgoingEmail.objects.filter(kind="event_alert").count() == 5


def test_subscribers_who_confirm_during_a_run_are_not_counted_into_it():
    event = EventFactory()
    SubscriptionFactory.create_batch(2)
    run = services.start_event_alert_run(event)
    SubscriptionFactory(email="late@example.com")

    run = services.send_event_alerts(run)

    assert (run.total, run.queued) == (2, 2)
    assert "late@example.com" not in alerted(event)


def test_beat_hands_a_stalled_run_over_again(django_capture_on_commit_callbacks):
    event = EventFactory()
    SubscriptionFactory.create_batch(2)
    run = services.start_event_alert_run(event)  # the worker never got it (no capture)
    later = timezone.now() + services.STALLED_AFTER + timedelta(seconds=1)

    with django_capture_on_commit_callbacks(execute=True):
        services.start_event_alerts(now=later)

    run.refresh_from_db()
    assert run.status == AlertRunStatus.DONE
    assert run.queued == 2


def test_events_published_before_alerts_existed_are_never_announced(
    django_capture_on_commit_callbacks,
):
    # What migration 0002 gives every published event at the time it runs.
    event = EventFactory()
    EventAlertRunFactory(event=event, status=AlertRunStatus.SKIPPED)
    SubscriptionFactory()

    with django_capture_on_commit_callbacks(execute=True):
        assert services.start_event_alerts() == []

    assert alerted(event) == set()


@requires_postgresql
def test_fan_out_to_a_few_thousand_subscribers_emails_each_match_exactly_once():
    officer, pcso, special = role("police-officer"), role("pcso"), role("special-constable")
    event = EventFactory(format=EventFormat.ONLINE, roles=[officer, pcso])
    wanted = bulk_subscriptions(1500, roles=[officer], prefix="officer")
    wanted += bulk_subscriptions(700, roles=[pcso, special], prefix="pcso", event_format="online")
    bulk_subscriptions(600, roles=[special], prefix="special")
    bulk_subscriptions(400, roles=[officer], prefix="inperson", event_format="in_person")
    # officer1, officer10-19, officer100-199 and officer1000-1499 never confirmed: 611.
    Subscription.objects.filter(email__startswith="officer1").update(confirmed_at=None)
    wanted = set(
        Subscription.objects.filter(pk__in=wanted).confirmed().values_list("email", flat=True)
    )

    run = services.start_event_alert_run(event)
    first = services.send_event_alert_batch(run, batch_size=500)
    run = services.send_event_alerts(first, batch_size=500)

    emails = OutgoingEmail.objects.filter(kind="event_alert")
    assert first.queued == 500
    assert run.status == AlertRunStatus.DONE
    assert run.total == run.queued == len(wanted) == 1500 - 611 + 700
    assert emails.count() == len(wanted)
    assert set(emails.values_list("to", flat=True)) == wanted
    assert emails.values("dedupe_key").distinct().count() == len(wanted)
    assert all(email.headers["List-Unsubscribe-Post"] for email in emails.only("headers")[:50])


def test_the_management_command_does_what_beat_does(django_capture_on_commit_callbacks):
    event = EventFactory(title="Evening for the demo")
    SubscriptionFactory.create_batch(2)
    output = io.StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("start_event_alerts", stdout=output)

    assert "Evening for the demo: alerting 2 subscriber(s)" in output.getvalue()
    assert EventAlertRun.objects.get(event=event).status == AlertRunStatus.DONE
