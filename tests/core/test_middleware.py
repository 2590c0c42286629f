"""Every page Django makes is sent with Cache-Control: no-store (core/middleware.py):
walked over every URL in the URLconf, public and admin, with real secret
links, and over the pages that show what a candidate typed."""

import re

import pytest

from alerts.services import add_link
from core.redaction import route_patterns
from emails.models import OutgoingEmail
from tests.factories import EventFactory, RegistrationFactory, SubscriptionFactory
from tests.mentoring.support import make_request
from tests.outbox import as_sent
from tests.support.registration import send_registration_form
from tests.support.staff import make_staff_user

pytestmark = pytest.mark.django_db


def assert_not_stored(response, url):
    cache_control = response.get("Cache-Control", "")
    assert "no-store" in cache_control, (url, response.status_code, cache_control)
    assert "public" not in cache_control, url


@pytest.fixture
def links(client):
    """A real secret link of each kind, and an event to register for."""
    event = EventFactory()
    send_registration_form(client, event)
    body = as_sent(OutgoingEmail.objects.get(kind="registration_confirmed")).body_text
    _, mentoring_token = make_request()
    return {
        "slug": event.slug,
        "registration": re.search(r"/registration/([\w-]+)/", body)[1],
        "positive-action": mentoring_token,
        "alerts": add_link(SubscriptionFactory()),
    }


def public_urls(links) -> list[str]:
    urls = []
    for route, _ in route_patterns():
        if route.startswith("admin/"):
            continue
        head = route.split("/", 1)[0]
        values = {"slug": links["slug"], "token": links.get(head, "not-a-token")}
        urls.append("/" + re.sub(r"<(?:[^>:]+:)?([^>]+)>", lambda m, v=values: v[m[1]], route))
    return urls


# Not pages, and nothing personal: a redirect to the static favicon, which
# browsers may keep for a day.
CACHEABLE = {"/favicon.ico"}


def test_every_public_page_is_sent_with_no_store(client, links):
    urls = public_urls(links)

    for url in urls:
        if url not in CACHEABLE:
            assert_not_stored(client.get(url), url)

    assert f"/registration/{links['registration']}/" in urls
    assert f"/positive-action/request/{links['positive-action']}/" in urls
    assert f"/alerts/manage/{links['alerts']}/" in urls


def test_a_form_shown_again_with_what_was_typed_is_sent_with_no_store(client, links):
    event = EventFactory()

    registration = send_registration_form(client, event, email="not-an-address")
    change = client.post(f"/registration/{links['registration']}/", {"first_name": "Sam"})
    unknown_link = client.get("/registration/not-a-token/")

    assert "not-an-address" in registration.content.decode()
    for response in (registration, change, unknown_link):
        assert_not_stored(response, response.request["PATH_INFO"])


def test_every_admin_page_is_sent_with_no_store(client):
    admin = make_staff_user(username="root", superuser=True)
    registration = RegistrationFactory()
    client.force_login(admin)
    ids = {"object_id": str(registration.event.pk), "registration_id": str(registration.pk)}

    for route, _ in route_patterns():
        if not route.startswith("admin/") or "(?P" in route or "<path:" in route:
            continue
        url = "/" + re.sub(r"<(?:[^>:]+:)?([^>]+)>", lambda m: ids.get(m[1], "1"), route)
        assert_not_stored(client.get(url), url)


def test_static_files_keep_their_own_caching(client):
    response = client.get("/static/govuk/govuk-frontend.min.js")
    response.close()

    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
