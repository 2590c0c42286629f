import json
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client

from recruitment.settings import BASE_DIR


@pytest.mark.parametrize(
    ("path", "heading", "text"),
    [
        ("/privacy/", "Privacy notice", "Information Commissioner"),
        ("/accessibility/", "Accessibility statement", "version 2.2 AA"),
        ("/cookies/", "Cookies", "csrftoken"),
    ],
)
def test_content_pages_show_their_content(client, db, path, heading, text):
    response = client.get(path)

    assert response.status_code == 200
    body = response.content.decode()
    assert heading in body
    assert text in body
    assert "Hertfordshire Constabulary" in body


def test_every_page_links_to_privacy_accessibility_and_cookies(client, db):
    body = client.get("/privacy/").content.decode()

    for link in ('href="/privacy/"', 'href="/accessibility/"', 'href="/cookies/"'):
        assert link in body
    assert 'href="#main-content"' in body


def test_favicon_ico_leads_to_the_forces_own_icon(client, db):
    response = client.get("/favicon.ico")

    assert response.status_code == 302
    assert "max-age=86400" in response["Cache-Control"]
    icon = finders.find(response["Location"].removeprefix(settings.STATIC_URL))
    assert icon, response["Location"]
    with open(icon, "rb") as file:
        assert file.read(4) == b"\x00\x00\x01\x00"  # an ICO file


def test_pages_name_the_icon(client, db):
    body = client.get("/privacy/").content.decode()

    assert 'rel="icon"' in body
    assert "favicon.ico" in body
    assert "favicon.svg" in body


def test_unknown_page_is_a_styled_404(client, db):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert "govuk-header" in response.content.decode()


def test_a_body_the_site_cannot_read_gets_the_styled_400_and_saves_nothing(client, db):
    from alerts.models import Subscription

    response = client.generic("POST", "/alerts/", b"email=x", content_type="multipart/form-data")

    assert response.status_code == 400
    body = response.content.decode()
    assert "Sorry, there is a problem" in body
    assert "Nothing has been saved" in body
    assert not Subscription.objects.exists()


def test_post_without_csrf_token_gets_the_styled_403(db, event):
    client = Client(enforce_csrf_checks=True)

    response = client.post(f"/events/{event.slug}/register/", {"first_name": "Sam"})

    assert response.status_code == 403
    assert "Nothing you typed has been saved" in response.content.decode() or (
        "could not accept your form" in response.content.decode()
    )


def test_server_error_page_renders_without_the_database(settings):
    from core.views import server_error

    response = server_error(None)

    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()
    assert "Hertfordshire Constabulary" in response.content.decode()


def test_healthz_reports_database_and_broker(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    assert response.json()["status"] == "ok"


def run_without_database(script: str) -> dict:
    """Run `script` in a separate process whose DATABASE_URL points at a
    closed port; it prints one JSON line, returned here."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/nothing",
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_healthz_is_503_when_the_database_is_unreachable():
    # A separate process whose DATABASE_URL points at a closed port.
    script = (
        "import django, json; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz');"
        "print(json.dumps({'status': r.status_code, 'body': r.json()}))"
    )
    answer = run_without_database(script)

    assert answer["status"] == 503
    assert answer["body"]["database"] == "unavailable"


def test_healthz_is_503_when_the_broker_is_unreachable(client, db, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["broker"] == "unavailable"
    assert response.json()["database"] == "ok"


def test_pages_send_a_content_security_policy_without_inline_code(client, db):
    response = client.get("/privacy/")

    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "<script>" not in response.content.decode()
    assert "style=" not in response.content.decode()


def test_pages_and_forms_answer_a_styled_503_when_the_database_is_unreachable():
    # A separate process whose DATABASE_URL points at a closed port.
    script = (
        "import django, json; django.setup();"
        "from django.test import Client;"
        "c = Client(raise_request_exception=False);"
        "page = c.get('/events/');"
        "post = c.post('/events/any-event/register/', {'first_name': 'Sam'});"
        "print(json.dumps({'page': [page.status_code, page.content.decode(),"
        " page.headers.get('Retry-After')], 'post': post.status_code}))"
    )
    answer = run_without_database(script)

    status, body, retry_after = answer["page"]
    assert status == 503
    assert "Sorry, the service is unavailable" in body
    assert "govuk-header" in body
    assert retry_after == "60"
    assert answer["post"] == 503


def test_pages_send_the_security_headers(client, db):
    response = client.get("/privacy/")

    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "geolocation=()" in response.headers["Permissions-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_expired_sessions_are_deleted_and_live_ones_kept(db):
    from datetime import timedelta

    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from core.tasks import task_clear_expired_sessions

    for key, offset in (("old", -1), ("live", 1)):
        store = SessionStore()
        store["registered_email"] = f"{key}@example.com"
        store.create()
        Session.objects.filter(pk=store.session_key).update(
            expire_date=timezone.now() + timedelta(hours=offset)
        )

    task_clear_expired_sessions()

    remaining = [s.get_decoded()["registered_email"] for s in Session.objects.all()]
    assert remaining == ["live@example.com"]


def test_privacy_notice_opens_with_a_contents_list_linking_every_section(client, db):
    body = client.get("/privacy/").content.decode()

    sections = re.findall(r'<h2 class="govuk-heading-l"\s+id="([a-z-]+)">', body)
    contents = body.split('id="contents-title"', 1)[1].split("</nav>", 1)[0]
    assert len(sections) == 9
    assert re.findall(r'href="#([a-z-]+)"', contents) == sections
    assert body.index("contents-title") < body.index(f'id="{sections[0]}"')
