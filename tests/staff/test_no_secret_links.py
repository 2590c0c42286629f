"""Staff never see a live secret link. For each role (a superuser,
Workforce development, Positive action), walk every admin page reachable
from the admin home (the dashboard, changelists, each row's change form,
custom views such as check-in, duplicate, publish, cancel, email and the
CSV export) and look for the candidates' links in every answer."""

import re
from collections import Counter
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from alerts.services import subscriptions
from core.groups import POSITIVE_ACTION, WORKFORCE_DEVELOPMENT, ensure_staff_groups
from core.redaction import find_secret_links
from emails.models import OutgoingEmail
from events import services
from mentoring import services as mentoring
from staff.redaction import HIDDEN
from tests.factories import EventFactory, RegistrationFactory, role
from tests.mentoring.support import make_request
from tests.support.registration import register
from tests.support.staff import make_staff_user, sign_in_staff

pytestmark = pytest.mark.django_db
MOST_PAGES = 800
VARIANTS_PER_PATH = 4


@pytest.fixture
def candidates_links(django_capture_on_commit_callbacks):
    """Every kind of email with a secret link, sent (rendered) as the worker
    sends them; returns the tokens in them."""
    ensure_staff_groups()
    start = timezone.now() - timedelta(minutes=30)
    with django_capture_on_commit_callbacks(execute=True):
        event = EventFactory(title="Tuesday insight evening", capacity=2)
        tonight = EventFactory(title="Tonight", starts_at=start, ends_at=start + timedelta(hours=2))
        people = [
            register(
                event=place,
                last_name=["Adams", "Begum", "Clarke"][number],
                email=f"sam{number}@example.com",
            ).registration
            for number, place in enumerate([event, event, event])
        ]
        RegistrationFactory(event=tonight)
        services.cancel_registration(people[0])  # promotes the one waiting
        subscriptions.subscribe(email="alerts@example.com", roles=[role()])
        make_request(email="kept@example.com")
        withdrawn, _ = make_request(email="withdrawn@example.com")
        mentoring.withdraw_request(withdrawn)
    stored = " ".join(
        f"{email.body_text} {email.body_html} {email.headers} {email.context}"
        for email in OutgoingEmail.objects.all()
    )
    links = find_secret_links(stored)
    tokens = {token for _path, token in links}
    paths = {path for path, _token in links}
    assert {"/registration/", "/alerts/confirm/", "/positive-action/request/"} <= paths
    assert len(tokens) >= 6
    return tokens


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href") if tag == "a" else None
        if href and href.startswith("/admin/"):
            self.found.append(href.split("#")[0])


def walk(client) -> dict[str, str]:
    """Every admin page reachable by links from /admin/ (a few query-string
    variants of each: filters, "Past", "All"), with what it answered."""
    pages: dict[str, str] = {}
    variants: Counter = Counter()
    queue = ["/admin/"]
    while queue and len(pages) < MOST_PAGES:
        url = queue.pop(0)
        path = urlsplit(url).path
        if url in pages or variants[path] >= VARIANTS_PER_PATH or "logout" in path:
            continue
        variants[path] += 1
        response = client.get(url)
        assert response.status_code < 500, url
        body = response.content.decode(errors="replace")
        pages[url] = body
        if "text/html" in response.get("Content-Type", ""):
            parser = Links()
            parser.feed(body)
            queue.extend(link for link in parser.found if link not in pages)
    return pages


LIVE_LINK = re.compile(
    re.escape("https://events.example.org")  # SITE_URL in tests (tests/conftest.py)
    + r"(/registration/|/positive-action/request/|/alerts/(?:confirm|manage|unsubscribe)/)"
    + rf"(?!{re.escape(HIDDEN)})"
)


@pytest.mark.parametrize(
    ("who", "must_reach"),
    [
        ("superuser", ["/admin/emails/outgoingemail/", "/admin/mentoring/mentoringrequest/"]),
        (WORKFORCE_DEVELOPMENT, ["/admin/emails/outgoingemail/", "/check-in/"]),
        (POSITIVE_ACTION, ["/admin/mentoring/mentoringrequest/"]),
    ],
)
def test_no_admin_page_shows_a_secret_link(client, candidates_links, who, must_reach):
    if who == "superuser":
        user = make_staff_user(username="root", superuser=True)
    else:
        user = make_staff_user(username="someone", group=who)
    pages = walk(sign_in_staff(client, user))

    assert len(pages) > 5
    for wanted in must_reach:
        assert any(wanted in url for url in pages), (wanted, sorted(pages))
    for url, body in pages.items():
        assert not LIVE_LINK.search(body), (url, LIVE_LINK.search(body).group(0))
        for token in candidates_links:
            assert token not in body, (url, token)
    if who != POSITIVE_ACTION:
        outbox_rows = [url for url in pages if re.search(r"outgoingemail/\d+/change/$", url)]
        assert len(outbox_rows) >= 5
        assert any(HIDDEN in pages[url] for url in outbox_rows)


def test_a_fresh_client_without_signing_in_sees_none_either(candidates_links):
    pages = walk(Client())

    assert list(pages) == ["/admin/"]
    assert not LIVE_LINK.search(pages["/admin/"])
