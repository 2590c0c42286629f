import pytest
from django.utils import timezone

from emails.models import EmailStatus, OutgoingEmail
from emails.retention import ERASED, ERASED_BEFORE_SENDING, erase_emails_to
from tests.factories import OutgoingEmailFactory

pytestmark = pytest.mark.django_db


def row(to, *, key, status=EmailStatus.SENT, about=""):
    return OutgoingEmailFactory(
        dedupe_key=key,
        to=to,
        subject=f"Your place, {to}",
        body_text="Manage it: https://events.example.org/registration/secret/",
        about=about,
        status=status,
        message_id=f"<{key}@example.org>",
    )


def test_erase_emails_to_blanks_every_email_to_the_address_in_any_case():
    sent = row("Jo@Example.org", key="a")
    shouted = row("JO@EXAMPLE.ORG", key="b", status=EmailStatus.FAILED)
    kept = row("jo@example.org.uk", key="c")

    erased = erase_emails_to(["jo@example.org"])

    assert erased == 2
    for email in [sent, shouted]:
        email.refresh_from_db()
        assert (email.to, email.subject, email.body_text) == (ERASED, ERASED, "")
        assert email.kind == "registration_confirmed"
    assert OutgoingEmail.objects.get(pk=kept.pk).to == "jo@example.org.uk"


def test_erase_emails_to_also_blanks_emails_about_the_persons_records():
    about = row("typed-differently@example.org", key="a", about="registration:7")
    other = row("sam@example.org", key="b", about="registration:8")

    erase_emails_to([], abouts=["registration:7"])

    assert OutgoingEmail.objects.get(pk=about.pk).to == ERASED
    assert OutgoingEmail.objects.get(pk=other.pk).to == "sam@example.org"


def test_erase_emails_to_stops_an_email_not_yet_sent():
    waiting = row("jo@example.org", key="a", status=EmailStatus.QUEUED)
    sent = row("jo@example.org", key="b", status=EmailStatus.SENT)

    erase_emails_to(["jo@example.org"])

    waiting.refresh_from_db()
    sent.refresh_from_db()
    assert (waiting.status, waiting.last_error) == (EmailStatus.FAILED, ERASED_BEFORE_SENDING)
    assert (sent.status, sent.last_error) == (EmailStatus.SENT, "")


def test_erase_emails_to_nobody_erases_nothing():
    row("jo@example.org", key="a")

    assert erase_emails_to([], abouts=[""]) == 0
    assert OutgoingEmail.objects.filter(to=ERASED).count() == 0


def test_an_erased_email_still_queued_is_stopped_and_cannot_be_resent(db):
    from datetime import timedelta

    from emails.models import EmailStatus, OutgoingEmail
    from emails.retention import ERASED, erase_emails_about
    from emails.services import resend_email

    email = OutgoingEmailFactory(
        kind="test",
        to="someone@example.com",
        about="mentoring_request:99",
        next_attempt_at=timezone.now() - timedelta(minutes=1),
    )

    erase_emails_about(["mentoring_request:99"])

    email.refresh_from_db()
    assert email.to == ERASED
    assert email.status == EmailStatus.FAILED
    assert resend_email(email) is None
    assert OutgoingEmail.objects.count() == 1


def test_an_email_still_to_be_written_loses_its_stored_link_and_is_stopped():
    waiting = row("jo@example.org", key="a", status=EmailStatus.QUEUED)
    OutgoingEmail.objects.filter(pk=waiting.pk).update(
        subject="",
        body_text="",
        context={"registration": 7, "manage_url": "https://events.example.org/registration/s/"},
    )

    erase_emails_to(["jo@example.org"])

    waiting.refresh_from_db()
    assert waiting.context == {}
    assert (waiting.status, waiting.last_error) == (EmailStatus.FAILED, ERASED_BEFORE_SENDING)
