"""Drill: PostgreSQL goes away under the site, served by gunicorn in its own
process with its database connection through a proxy the drill can cut.

- Cut in the middle of a registration, before its confirmation email is
  written: nothing of it is saved.
- Cut after PostgreSQL committed it, before the site heard back: it is
  saved whole (registration and email), the candidate's second try gets the
  same answer, and the sweeper sends the email the site never handed over.
- Connections refused: every page, the form and /healthz answer 503 (the
  styled page, Retry-After; /healthz says it is the database), never 500.
- Back: the same gunicorn answers again, and every candidate gets exactly
  one confirmation."""

import pytest
from django.db import connection

from emails.models import EmailStatus, OutgoingEmail
from emails.tasks import task_sweep_outbox
from events.models import Registration
from tests.drills.outbox import an_hour_passes, unsent
from tests.drills.pgproxy import Cut, CuttableProxy
from tests.drills.website import Browser, Response, Website
from tests.factories import EventFactory
from tests.support.delivery import REAL_PROCESSES, database_url, through_broker, wait_for
from tests.support.registration import form_data, register_url

pytestmark = REAL_PROCESSES
OUTBOX_INSERT = b'INSERT INTO "emails_outgoingemail"'


@pytest.fixture
def queue_name():
    """The site hands tasks to Celery's default queue: on the drill's own
    Redis, nobody else's worker reads it."""
    return "celery"


@pytest.fixture
def database_proxy():
    db = connection.settings_dict
    proxy = CuttableProxy(upstream_host=db["HOST"], upstream_port=int(db["PORT"] or 5432))
    proxy.accept()
    yield proxy
    proxy.refuse()


@pytest.fixture
def browser(database_proxy, private_broker):
    website = Website(
        database_url=database_url(port=database_proxy.port), broker_url=private_broker.url
    )
    yield Browser(website)
    website.stop()


def form(email: str, token: dict) -> dict:
    return form_data(email=email, **token)


def assert_registered(response: Response, event) -> None:
    assert response.status == 302
    assert response.headers["Location"] == f"/events/{event.slug}/register/done/"


def assert_unavailable(response: Response) -> None:
    assert response.status == 503
    assert "Sorry, the service is unavailable" in response.text
    assert "govuk-header" in response.text
    assert response.headers["Retry-After"] == "60"


def test_the_database_going_away_answers_503_and_saves_nothing_by_halves(
    smtp_server, private_broker, start_worker, queue_name, database_proxy, browser
):
    event = EventFactory()
    start_worker(private_broker.url)
    path = register_url(event)
    token = browser.open_form(path)
    assert_registered(browser.post(path, form("before@example.com", token)), event)

    # The connection drops just before the confirmation email is written.
    cut = database_proxy.cut(Cut(at=OUTBOX_INSERT))
    assert_unavailable(browser.post(path, form("midway@example.com", token)))
    assert cut.done.is_set()
    assert not Registration.objects.filter(email="midway@example.com").exists()
    assert not OutgoingEmail.objects.filter(to="midway@example.com").exists()

    # The connection drops after PostgreSQL has committed a registration,
    # before the site hears so; the candidate sends the form again, as the
    # 503 page asks, and gets the same answer as a first registration.
    cut = database_proxy.cut(
        Cut(at=b"COMMIT", armed_by=OUTBOX_INSERT, after_the_server_answers=True)
    )
    assert_unavailable(browser.post(path, form("committed@example.com", token)))
    assert cut.done.is_set()
    registration = Registration.objects.get(email="committed@example.com")
    [email] = OutgoingEmail.objects.filter(about=f"registration:{registration.pk}")
    assert email.status == EmailStatus.QUEUED
    assert_registered(browser.post(path, form("committed@example.com", token)), event)
    assert Registration.objects.filter(email="committed@example.com").count() == 1

    # PostgreSQL refuses connections.
    database_proxy.refuse()
    assert_unavailable(browser.get("/events/"))
    assert_unavailable(browser.get(f"/events/{event.slug}/"))
    assert_unavailable(browser.post(path, form("during@example.com", token)))
    health = browser.get("/healthz")
    assert health.status == 503
    assert (health.json()["database"], health.json()["broker"]) == ("unavailable", "ok")

    # Back: the same gunicorn answers again, and hands emails over again.
    database_proxy.accept()
    assert browser.get("/healthz").status == 200
    assert browser.get(f"/events/{event.slug}/").status == 200
    assert_registered(browser.post(path, form("during@example.com", token)), event)
    assert_registered(browser.post(path, form("midway@example.com", token)), event)
    handed_over = {f"{name}@example.com" for name in ["before", "midway", "during"]}
    wait_for(
        lambda: {m["To"] for m in smtp_server.received()} == handed_over,
        what="the emails the site handed over",
    )

    # The email of the registration whose commit the site never heard of
    # was never handed to the broker: the sweeper sends it.
    assert not smtp_server.received("committed@example.com")
    with through_broker(private_broker.url, queue_name):
        task_sweep_outbox()
        an_hour_passes()
        task_sweep_outbox()
        wait_for(lambda: not unsent(), what="every email to be sent")
        task_sweep_outbox()  # hands over nothing more
    wait_for(lambda: private_broker.drained(queue_name), what="the worker to take every message")

    candidates = ["before", "midway", "committed", "during"]
    assert sorted(Registration.objects.values_list("email", flat=True)) == sorted(
        f"{name}@example.com" for name in candidates
    )
    assert sorted(m["To"] for m in smtp_server.received()) == sorted(
        f"{name}@example.com" for name in candidates
    )
