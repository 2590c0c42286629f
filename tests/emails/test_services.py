"""The outbox: a row per reason in the caller's transaction, sent once by the
task, temporary failures retried later, permanent ones failed with the
reason. Sending goes through the worker's SMTP backend to a real SMTP server on
loopback (see conftest.py); tasks run in-process (CELERY_TASK_ALWAYS_EAGER)."""

import smtplib
import socket
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from emails import services
from emails.models import EmailStatus, OutgoingEmail
from emails.tasks import SEND_RETRY, task_send_email
from events.models import Event
from tests.emails.conftest import free_port
from tests.factories import EventFactory
from tests.outbox import alert
from tests.support.registration import register

pytestmark = pytest.mark.django_db


def queue(to="sam@example.com", key="test:1"):
    return services.queue_email(
        kind="staff_message",
        to=to,
        context={"event": EventFactory(), "subject": "Bring photo ID", "message": "Bring ID."},
        dedupe_key=key,
    )


def register_then_fail(event):
    with transaction.atomic():
        register(event=event)
        raise RuntimeError("the request failed after registering")


def test_a_rolled_back_transaction_leaves_no_email(event, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
    ):
        register_then_fail(event)

    assert not OutgoingEmail.objects.exists()
    assert callbacks == []
    assert mail.outbox == []


def test_a_committed_registration_leaves_one_email_however_often_it_runs(
    event, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = register(event=event)
        again = register(event=event)

    assert first.registration == again.registration
    assert sorted(OutgoingEmail.objects.values_list("kind", "status")) == [
        ("registration_confirmed", EmailStatus.SENT),
        ("registration_link_resent", EmailStatus.DROPPED),  # the repeat's row, dropped unsent
    ]
    assert [message.to for message in mail.outbox] == [["sam@example.com"]]


def test_queueing_the_same_reason_twice_keeps_one_row():
    first = queue(key="registration_confirmed:7")
    second = queue(key="registration_confirmed:7")

    assert first is not None
    assert second is None
    assert OutgoingEmail.objects.filter(dedupe_key="registration_confirmed:7").count() == 1


def test_queue_emails_skips_reasons_queued_before_and_repeated_in_the_batch():
    queue(key="reminder:1:48h:0")
    event = EventFactory()
    batch = [
        services.EmailToQueue(
            "reminder", f"{n}@example.com", {"event": event}, f"reminder:{n}:48h:0"
        )
        for n in (1, 2, 2, 3)
    ]

    rows = services.queue_emails(batch)

    assert [row.dedupe_key for row in rows] == ["reminder:2:48h:0", "reminder:3:48h:0"]
    assert OutgoingEmail.objects.count() == 3


def test_confirmation_goes_through_smtp_with_reply_to_auto_submitted_and_its_message_id(
    event, smtp_backend, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        register(event=event)

    row = OutgoingEmail.objects.get()
    [message] = smtp_backend.received()
    assert row.status == EmailStatus.SENT
    assert row.sent_at is not None
    assert row.attempts == 1
    assert message["Message-ID"] == row.message_id
    assert message["Auto-Submitted"] == "auto-generated"
    assert "recruitment@example.org" in message["Reply-To"]
    assert message["Subject"].startswith("You have a place: ")
    content_types = [part.get_content_type() for part in message.walk()]
    assert {"text/plain", "text/html", "text/calendar"} <= set(content_types)


def test_a_registrations_email_is_written_by_the_worker_and_kept_as_sent(event, smtp_backend):
    registration = register(event=event).registration
    row = OutgoingEmail.objects.get()
    # The request stored only what the worker needs: no text yet.
    assert (row.subject, row.body_text, row.attachments) == ("", "", [])
    assert row.context["registration"] == registration.pk

    row = send_now(row)

    [message] = smtp_backend.received()
    assert row.status == EmailStatus.SENT
    assert (
        row.subject
        == message["Subject"]
        == f"You have a place: {event.title} ({registration.reference})"
    )
    assert "https://events.example.org/registration/" in row.body_text
    assert [attachment["filename"] for attachment in row.attachments] == [
        "invite.ics",
        "door-pass.png",
        f"Door pass {registration.reference}.png",
    ]
    assert row.context == {}
    assert "text/calendar" in [part.get_content_type() for part in message.walk()]


def test_an_email_written_by_the_worker_shows_the_event_as_it_is_when_sent(event, smtp_backend):
    register(event=event)
    row = OutgoingEmail.objects.get()
    Event.objects.filter(pk=event.pk).update(venue_name="Hatfield Police Station")

    send_now(row)

    [message] = smtp_backend.received()
    text = message.get_body(preferencelist=["plain"]).get_content()
    assert "Hatfield Police Station" in text


def test_an_email_the_worker_cannot_write_fails_with_the_reason(event, smtp_backend):
    register(event=event)
    row = OutgoingEmail.objects.get()
    OutgoingEmail.objects.filter(pk=row.pk).update(context={**row.context, "registration": 0})

    row = send_now(row)

    assert row.status == EmailStatus.FAILED
    assert "DoesNotExist" in row.last_error
    assert smtp_backend.received() == []


def send_now(row):
    task_send_email.apply(kwargs={"email_id": row.pk})
    row.refresh_from_db()
    return row


def make_due(row):
    """Time passes: the retry's moment has come."""
    OutgoingEmail.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())


@pytest.mark.parametrize("address", ["greylisted@example.com", "busy@example.com"])
def test_smtp_4xx_is_retried_later_with_the_same_message_id(smtp_backend, address):
    row = queue(to=address)

    send_now(row)

    assert row.status == EmailStatus.QUEUED
    assert row.attempts == 1
    assert "451" in row.last_error
    assert row.next_attempt_at > timezone.now() + timedelta(seconds=50)
    assert smtp_backend.received() == []

    make_due(row)
    services.sweep_outbox(
        stuck_after=timedelta(minutes=5), lost_after=timedelta(minutes=10), max_attempts=12
    )

    row.refresh_from_db()
    [message] = smtp_backend.received()
    assert row.status == EmailStatus.SENT
    assert row.attempts == 2
    assert message["Message-ID"] == row.message_id


def test_smtp_5xx_for_a_bad_address_fails_with_the_reason(smtp_backend):
    row = queue(to="nobody@example.com")

    send_now(row)

    assert row.status == EmailStatus.FAILED
    assert "550" in row.last_error
    assert "No such mailbox" in row.last_error
    assert smtp_backend.received() == []


def test_smtp_server_refusing_connections_is_retried_later(settings):
    settings.EMAIL_BACKEND = "emails.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    row = queue()

    send_now(row)

    assert row.status == EmailStatus.QUEUED
    assert "ConnectionRefusedError" in row.last_error


def test_smtp_server_that_never_answers_times_out_and_is_retried_later(settings):
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(5)  # connections complete, but nobody ever says hello
        settings.EMAIL_BACKEND = "emails.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", silent.getsockname()[1]
        settings.EMAIL_TIMEOUT = 1
        row = queue()

        send_now(row)

    assert row.status == EmailStatus.QUEUED
    assert "timed out" in row.last_error


def test_a_temporary_failure_fails_for_good_after_the_last_attempt(settings):
    settings.EMAIL_BACKEND = "emails.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    row = queue()
    OutgoingEmail.objects.filter(pk=row.pk).update(attempts=SEND_RETRY.max_attempts - 1)

    send_now(row)

    assert row.status == EmailStatus.FAILED
    assert row.attempts == SEND_RETRY.max_attempts
    assert row.last_error.startswith(f"Gave up after {SEND_RETRY.max_attempts} attempts.")


def test_backoff_doubles_from_a_minute_up_to_its_cap():
    policy = services.RetryPolicy(
        first_delay=timedelta(minutes=1), max_delay=timedelta(hours=2), max_attempts=12
    )

    delays = [policy.delay_after(attempts) for attempts in range(1, 10)]

    assert delays[:4] == [timedelta(minutes=minutes) for minutes in (1, 2, 4, 8)]
    assert delays[-1] == timedelta(hours=2)
    assert delays == sorted(delays)


@pytest.mark.parametrize(
    ("error", "temporary"),
    [
        (smtplib.SMTPRecipientsRefused({"a@example.com": (550, b"No such user")}), False),
        (smtplib.SMTPRecipientsRefused({"a@example.com": (450, b"Mailbox busy")}), True),
        (smtplib.SMTPDataError(451, b"Try later"), True),
        (smtplib.SMTPDataError(554, b"Rejected as spam"), False),
        (smtplib.SMTPSenderRefused(421, b"Too many connections", "x@example.org"), True),
        (smtplib.SMTPAuthenticationError(535, b"Bad credentials"), True),
        (smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), True),
        (ConnectionRefusedError(111, "Connection refused"), True),
        (TimeoutError("timed out"), True),
        (ValueError("Header values may not contain linefeed"), False),
    ],
)
def test_failures_are_told_apart_as_temporary_or_permanent(error, temporary):
    assert services.is_temporary(error) is temporary


def test_the_sweeper_sends_rows_the_broker_never_got(smtp_backend):
    # Queued without running on_commit: as if the process died at commit,
    # before handing the row to the broker. A new row is written marked as
    # handed over, so the sweeper takes it once that mark is LOST_AFTER old.
    row = queue()
    not_yet = services.sweep_outbox(
        stuck_after=timedelta(minutes=5), lost_after=timedelta(minutes=10), max_attempts=12
    )
    OutgoingEmail.objects.filter(pk=row.pk).update(
        enqueued_at=timezone.now() - timedelta(minutes=11)
    )

    handed_over = services.sweep_outbox(
        stuck_after=timedelta(minutes=5), lost_after=timedelta(minutes=10), max_attempts=12
    )

    row.refresh_from_db()
    assert (not_yet, handed_over) == (0, 1)
    assert row.status == EmailStatus.SENT
    assert len(smtp_backend.received()) == 1


def test_the_sweeper_leaves_rows_not_due_or_handed_over_a_moment_ago(smtp_backend):
    later = queue(key="test:later")
    OutgoingEmail.objects.filter(pk=later.pk).update(
        next_attempt_at=timezone.now() + timedelta(minutes=3)
    )
    in_the_queue = queue(key="test:in-the-queue")
    OutgoingEmail.objects.filter(pk=in_the_queue.pk).update(enqueued_at=timezone.now())

    handed_over = services.sweep_outbox(
        stuck_after=timedelta(minutes=5), lost_after=timedelta(minutes=10), max_attempts=12
    )

    assert handed_over == 0
    assert smtp_backend.received() == []


def test_the_sweeper_hands_over_again_a_row_lost_by_the_broker(smtp_backend):
    row = queue()
    OutgoingEmail.objects.filter(pk=row.pk).update(
        enqueued_at=timezone.now() - timedelta(minutes=11)
    )

    services.sweep_outbox(
        stuck_after=timedelta(minutes=5), lost_after=timedelta(minutes=10), max_attempts=12
    )

    row.refresh_from_db()
    assert row.status == EmailStatus.SENT


def test_a_row_stuck_in_sending_is_sent_again_with_the_same_message_id(smtp_backend):
    row = queue()
    claimed = services.claim_email(row.pk)  # and then the worker died
    OutgoingEmail.objects.filter(pk=row.pk).update(
        claimed_at=claimed.claimed_at - timedelta(minutes=6)
    )

    services.sweep_outbox(
        stuck_after=timedelta(minutes=5), lost_after=timedelta(minutes=10), max_attempts=12
    )

    row.refresh_from_db()
    [message] = smtp_backend.received()
    assert row.status == EmailStatus.SENT
    assert row.attempts == 2
    assert message["Message-ID"] == row.message_id


def test_a_row_that_keeps_killing_its_worker_fails_after_the_last_attempt():
    row = queue()
    services.claim_email(row.pk)
    OutgoingEmail.objects.filter(pk=row.pk).update(
        attempts=12, claimed_at=timezone.now() - timedelta(minutes=6)
    )

    services.sweep_outbox(
        stuck_after=timedelta(minutes=5), lost_after=timedelta(minutes=10), max_attempts=12
    )

    row.refresh_from_db()
    assert row.status == EmailStatus.FAILED
    assert row.last_error.startswith(services.WORKER_LOST)


def test_a_row_being_sent_is_not_claimed_twice():
    row = queue()

    first = services.claim_email(row.pk)
    second = services.claim_email(row.pk)

    assert first is not None
    assert second is None


def test_a_released_claim_cannot_overwrite_the_new_senders_result(smtp_backend):
    row = queue()
    slow = services.claim_email(row.pk)
    OutgoingEmail.objects.filter(pk=row.pk).update(
        claimed_at=slow.claimed_at - timedelta(minutes=6)
    )
    services.sweep_outbox(
        stuck_after=timedelta(minutes=5), lost_after=timedelta(minutes=10), max_attempts=12
    )

    services.send_email(slow, retry=SEND_RETRY)  # the slow worker finishes at last

    row.refresh_from_db()
    assert row.status == EmailStatus.SENT
    assert row.attempts == 2


def test_resending_a_failed_email_queues_the_same_row_again(smtp_backend):
    row = queue(to="greylisted@example.com")
    OutgoingEmail.objects.filter(pk=row.pk).update(
        status=EmailStatus.FAILED, attempts=12, last_error="SMTP 451"
    )
    row.refresh_from_db()

    resent = services.resend_email(row)

    row.refresh_from_db()
    assert resent.pk == row.pk
    assert row.status == EmailStatus.QUEUED
    assert row.attempts == 0
    assert row.last_error == ""
    assert OutgoingEmail.objects.count() == 1


def test_resending_a_sent_email_queues_a_copy_with_a_new_message_id(
    smtp_backend, django_capture_on_commit_callbacks
):
    row = queue()
    send_now(row)

    with django_capture_on_commit_callbacks(execute=True):
        copy = services.resend_email(row)
        double_click = services.resend_email(row)

    row.refresh_from_db()
    copy.refresh_from_db()
    assert double_click is None
    assert row.status == EmailStatus.SENT
    assert copy.status == EmailStatus.SENT
    assert copy.dedupe_key.startswith("test:1:resend:")
    assert copy.message_id != row.message_id
    assert [message["Message-ID"] for message in smtp_backend.received()] == [
        row.message_id,
        copy.message_id,
    ]


def test_queue_new_reasons_looks_each_reason_up_once_and_builds_only_the_new(
    django_assert_num_queries,
):
    event = EventFactory()
    services.queue_emails([alert(1, event)])
    built = []

    def build(todo):
        built.extend(key for _, key in todo)
        return [alert(n, event) for n, _ in todo]

    with django_assert_num_queries(2):  # one look-up, one INSERT
        rows = services.queue_new_reasons(
            [1, 2, 3, 3], dedupe_key=lambda n: f"alert:{n}", build=build
        )

    assert built == ["alert:2", "alert:3"]
    assert [row.dedupe_key for row in rows] == ["alert:2", "alert:3"]


def test_bulk_kinds_go_in_the_bulk_lane_and_the_rest_in_the_transactional_one(event):
    services.queue_emails([alert(1, event)])
    register(event=event)

    lanes = dict(OutgoingEmail.objects.values_list("kind", "lane"))

    assert lanes == {"event_alert": "bulk", "registration_confirmed": "transactional"}


def test_the_worker_sends_many_emails_over_one_connection(
    event, smtp_backend, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.queue_emails([alert(n, event) for n in range(5)])

    assert len(smtp_backend.received()) == 5
    assert smtp_backend.sessions == 1
    assert set(OutgoingEmail.objects.values_list("status", flat=True)) == {EmailStatus.SENT}


def test_a_connection_the_relay_dropped_is_opened_again_without_failing_the_email(
    event, smtp_backend, django_capture_on_commit_callbacks
):
    from emails import connection

    with django_capture_on_commit_callbacks(execute=True):
        services.queue_emails([alert(1, event)])
    # The relay closes an idle connection behind the worker's back.
    connection._held["backend"].connection.sock.shutdown(socket.SHUT_RDWR)
    with django_capture_on_commit_callbacks(execute=True):
        services.queue_emails([alert(2, event)])

    assert len(smtp_backend.received()) == 2
    assert smtp_backend.sessions == 2
    assert {row.attempts for row in OutgoingEmail.objects.all()} == {1}


def test_a_relay_saying_too_many_puts_the_email_back_without_counting_it(
    event, smtp_backend, django_capture_on_commit_callbacks, fresh_sending_rate
):
    smtp_backend.limit = (0, 60.0)  # refuses everything as too many

    with django_capture_on_commit_callbacks(execute=True):
        services.queue_emails([alert(1, event)])

    row = OutgoingEmail.objects.get()
    assert row.status == EmailStatus.QUEUED
    assert row.attempts == 0
    assert "421" in row.last_error
    assert smtp_backend.throttled >= 1
