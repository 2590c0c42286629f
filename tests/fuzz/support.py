"""What the fuzz tests share: one settings profile, a savepoint per example,
the row counts of every table a public page may write, and the checks on
what a page says back.

Hypothesis runs many examples inside one pytest-django test (one database
transaction). Each example runs in its own savepoint, rolled back at the
end, with the client's cookies cleared: no row, session or message leaks
from one example into the next, and a database error in one cannot poison
the next."""

import html
import re
from contextlib import contextmanager
from urllib.parse import quote

from django.db import connection, transaction
from django.utils.html import escape as html_escape
from hypothesis import HealthCheck, settings

from alerts.models import EventAlertRun, Subscription, SubscriptionLink
from emails.models import OutgoingEmail
from equality.models import AnsweredMark, ClosedEvent, EqualityResponse, PendingResponse
from events.models import Event, Registration, RegistrationLink, Role
from mentoring.models import ContactLogEntry, MentoringRequest
from privacy.models import AuditEntry


def fuzz_settings(examples: int):
    """Few examples each (the whole directory runs in about a minute on a
    small shared machine), scaled by the loaded profile's max_examples
    against Hypothesis's 100: `examples` as written under the "ci" profile
    of `make test`, five times as many under "fuzz" (tests/conftest.py); no
    deadline, as a request's time varies with the machine's load; the db
    and client fixtures are shared by the examples on purpose (each example
    rolls back its own writes)."""
    return settings(
        max_examples=max(1, examples * settings.default.max_examples // 100),
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


@contextmanager
def fresh_example(client):
    """Run one example in a savepoint that is always rolled back, with a
    client that carries no cookie from the example before."""
    client.cookies.clear()
    with transaction.atomic():
        yield client
        transaction.set_rollback(True)


# Every table a public page could write to, counted in one query.
TABLES = {
    "Event": Event,
    "Role": Role,
    "Registration": Registration,
    "RegistrationLink": RegistrationLink,
    "OutgoingEmail": OutgoingEmail,
    "MentoringRequest": MentoringRequest,
    "ContactLogEntry": ContactLogEntry,
    "Subscription": Subscription,
    "SubscriptionRole": Subscription.roles.through,
    "SubscriptionLink": SubscriptionLink,
    "EventAlertRun": EventAlertRun,
    "EqualityResponse": EqualityResponse,
    "PendingResponse": PendingResponse,
    "ClosedEvent": ClosedEvent,
    "AnsweredMark": AnsweredMark,
    "AuditEntry": AuditEntry,
}


def row_counts() -> dict[str, int]:
    sql = "SELECT " + ", ".join(
        f"(SELECT count(*) FROM {connection.ops.quote_name(model._meta.db_table)})"
        for model in TABLES.values()
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(zip(TABLES, cursor.fetchone(), strict=True))


def changes(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    """The tables whose row count moved, and by how much."""
    return {name: after[name] - before[name] for name in before if after[name] != before[name]}


# Requests ---------------------------------------------------------------------

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"


def encode(text: str) -> str:
    """Percent-encoded UTF-8; a lone surrogate goes as the bytes a careless
    client would send (Django decodes them with replacement characters)."""
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


def urlencoded(pairs: list[tuple[str, str]]) -> bytes:
    """A form body as a browser would send it, keys repeated as given."""
    return "&".join(f"{encode(key)}={encode(value)}" for key, value in pairs).encode("ascii")


def post_pairs(client, path: str, pairs: list[tuple[str, str]], **extra):
    return client.post(path, urlencoded(pairs), content_type=FORM_CONTENT_TYPE, **extra)


def human_check(client, path: str) -> dict[str, str]:
    """The honeypot and the signed start time, as the form's page gives them."""
    page = client.get(path)
    assert 'name="website"' in page.content.decode()
    return {"website": "", **start_on(page)}


def start_on(response) -> dict[str, str]:
    """The signed start time on a form's page, to send with the form."""
    started = re.search(r'name="started" value="([^"]+)"', response.content.decode())
    assert started, "no signed start time on the page"
    return {"started": html.unescape(started[1])}


# What a page says back ------------------------------------------------------------

SUMMARY = re.compile(
    r'<div class="govuk-error-summary".*?<ul class="govuk-list govuk-error-summary__list">'
    r"(.*?)</ul>",
    re.DOTALL,
)


def error_summary(response) -> list[str]:
    """The messages in the page's error summary, as a reader sees them."""
    match = SUMMARY.search(response.content.decode())
    assert match, "the form came back without an error summary"
    items = re.findall(r"<li>\s*<a [^>]*>(.*?)</a>\s*</li>", match[1], re.DOTALL)
    return [html.unescape(item).strip() for item in items]


def assert_refused_with_a_message(response):
    """A form sent back is the page again, with every problem named in the
    summary: never a blank page or a summary with nothing in it."""
    assert response.status_code == 200, response.status_code
    messages = error_summary(response)
    assert messages, "the error summary lists no problem"
    assert all(messages), f"an empty message in the summary: {messages}"


def assert_kept(response, sent, names: list[str]):
    """What was typed in these fields is on the page again (those that a
    browser could have sent as typed: printable, no lone surrogates)."""
    body = response.content.decode()
    for name in names:
        value = sent.get(name, "")
        if value and value.isprintable():
            assert f'value="{html_escape(value)}"' in body, name


def assert_not_found(response):
    assert response.status_code == 404, response.status_code
    assert "Page not found" in response.content.decode()


def post_raw(client, path: str, body: tuple[str, bytes]):
    """POST these very bytes (client.post would re-encode them to the
    charset the content type names, and fail on bytes that are not UTF-8)."""
    content_type, data = body
    return client.generic("POST", path, data, content_type=content_type)
