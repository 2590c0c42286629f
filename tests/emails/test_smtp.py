"""The worker's SMTP backend writes each message faster than Django's, and
must write the same bytes: a relay, a spam filter and a mail program see
exactly what Django would have sent, boundaries aside (each is random)."""

import re
from email import message_from_bytes

import pytest
from django.core.mail import EmailMultiAlternatives
from hypothesis import given
from hypothesis import strategies as st

from emails.models import OutgoingEmail
from emails.services import build_message
from emails.smtp import as_bytes
from tests.factories import EventFactory
from tests.outbox import as_sent
from tests.support.registration import register

BOUNDARY = re.compile(rb'boundary="([^"]+)"')
# Each message() stamps the time on a message without a Date: fixed here,
# so that two writings of one message can be compared.
DATE = "Fri, 04 Dec 2026 19:00:00 -0000"


def as_django_sends_it(message) -> bytes:
    return message.message().as_bytes(linesep="\r\n")


def written_both_ways(message) -> tuple:
    """Django's bytes and ours, boundaries aside, or the error each raised."""
    results = []
    for write in (as_django_sends_it, as_bytes):
        try:
            results.append(same_but_boundaries(write(message)))
        except Exception as error:  # noqa: BLE001 - the same refusal is as good as the same bytes
            results.append(type(error))
    return tuple(results)


def same_but_boundaries(raw: bytes) -> bytes:
    """`raw` with each boundary replaced by its number, in order."""
    for number, boundary in enumerate(BOUNDARY.findall(raw)):
        raw = raw.replace(boundary, b"boundary-%d" % number)
    return raw


def email(**fields) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=fields.get("subject", "Your place is booked"),
        body=fields.get("body", "Hello,\n\nSee you there.\n"),
        from_email=fields.get("from_email", "Recruitment <recruitment@example.org>"),
        to=[fields.get("to", "sam@example.com")],
        headers={"Message-ID": "<1@example.org>", "Date": DATE, **fields.get("headers", {})},
    )
    message.attach_alternative(fields.get("html", "<p>Hello,</p>"), "text/html")
    return message


@pytest.mark.django_db
def test_a_confirmation_with_its_invite_and_qr_code_is_written_as_django_writes_it():
    register(event=EventFactory(title="Insight evening — Welwyn Garden City"))
    row = as_sent(OutgoingEmail.objects.get(kind="registration_confirmed"))
    row.headers = {**row.headers, "Date": DATE}
    message = build_message(row)

    django_writes, we_write = written_both_ways(message)

    assert len(BOUNDARY.findall(we_write)) >= 2  # mixed, with the .ics and the QR code
    assert we_write == django_writes


@pytest.mark.parametrize(
    "fields",
    [
        {"subject": "Ymgeisio: noson wybodaeth – Ŵyl y Gwanwyn ✓"},
        {"subject": "A very long subject " * 12},
        {"subject": "Two  spaces and a trailing one "},
        {"to": "Siân O'Brien-Ñúñez <sian@example.com>"},
        {"from_email": "Heddlu — Recruitment <recruitment@example.org>"},
        {"headers": {"List-Unsubscribe": "<https://events.example.org/alerts/" + "u" * 90 + "/>"}},
        {"body": "A line of 1,000 characters: " + "x" * 1000},
        {"body": "From the start of a line, and a dot:\n.\nFrom here", "html": "<p>é</p>"},
        {"to": "Sam\x0bJones <sam@example.com>"},
        {"headers": {"X-Name": "Sam\x0cJones"}},
    ],
)
def test_odd_headers_and_bodies_are_written_as_django_writes_them(fields):
    message = email(**fields)

    django_writes, we_write = written_both_ways(message)

    assert we_write == django_writes


def test_an_attached_message_is_written_as_django_writes_it():
    message = email(subject="Forwarded")
    message.attach(
        "original.eml", email(subject="The original", html="<p>Inner</p>"), "message/rfc822"
    )

    django_writes, we_write = written_both_ways(message)

    assert we_write == django_writes
    assert b"message/rfc822" in we_write


# Any character but a line break (Django refuses those before writing).
HEADER_TEXT = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\r\n"))


@given(
    subject=HEADER_TEXT.filter(lambda text: len(text) <= 200),
    name=HEADER_TEXT.filter(lambda text: len(text) <= 60),
    body=st.text(st.characters(exclude_categories=["Cs"]), max_size=300),
)
def test_any_subject_name_and_body_are_written_as_django_writes_them(subject, name, body):
    message = email(subject=subject, body=body, headers={"X-Name": name})

    django_writes, we_write = written_both_ways(message)

    assert we_write == django_writes


def test_each_boundary_is_new_and_the_message_reads_back_whole():
    message = email(subject="Your place is booked", body="Hello,\n", html="<p>Hello,</p>")

    first, second = as_bytes(message), as_bytes(message)

    assert BOUNDARY.findall(first) != BOUNDARY.findall(second)
    parsed = message_from_bytes(first)
    parts = [part.get_payload(decode=True) for part in parsed.walk() if not part.is_multipart()]
    assert parts == [b"Hello,\r\n", b"<p>Hello,</p>"]
    assert parsed["Subject"] == "Your place is booked"
