"""The candidate's evening at a phone's width (360 px): the way into an
online event appears only once they have a place, a place given back from
the reminder goes at once to the first person waiting, and axe finds
nothing on any of the new pages or their states."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from core import tokens
from emails.models import OutgoingEmail
from events import services
from events.models import Event, EventStatus, RegistrationStatus
from events.reminders import queue_due_reminders
from tests.factories import EventFactory, RegistrationFactory, RegistrationLinkFactory
from tests.support.registration import register

from .support import (
    SCREENSHOTS,
    axe_violations,
    describe_violations,
    fill_registration_form,
    link_path,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

JOIN_URL = "https://meet.example.org/insight-lgbt-evening-5c1e"
SCROLLS_SIDEWAYS = "() => document.documentElement.scrollWidth > window.innerWidth"


def give_back_path(to: str, *, kind: str) -> str:
    """The one-tap link in the latest `kind` email to `to`, as a path."""
    email = OutgoingEmail.objects.filter(to=to, kind=kind).order_by("-pk").first()
    assert email is not None, f"no {kind} email to {to}"
    found = re.search(
        re.escape(settings.SITE_URL) + r"(/registration/[^/\s]+/give-back/)", email.body_text
    )
    assert found, f"no give-back link in the {kind} email:\n{email.body_text}"
    return found.group(1)


def subjects_to(address: str) -> list[str]:
    return [message.subject for message in mail.outbox if message.to == [address]]


def with_joining_link(event: Event) -> Event:
    Event.objects.filter(pk=event.pk).update(online_joining_url=JOIN_URL)
    event.refresh_from_db()
    return event


@pytest.mark.parametrize("viewport", ["phone"])
def test_register_for_an_online_event_and_find_the_link_only_then(page, site, viewport):
    event = with_joining_link(site.online_event)
    page.goto(event.get_absolute_url())
    expect(page.locator("main")).to_contain_text("ask your questions in the chat")
    assert JOIN_URL not in page.content()

    page.get_by_role("button", name="Register").first.click()
    fill_registration_form(page, first_name="Alex", email="alex@example.com")
    page.get_by_role("button", name="Register").click()
    expect(page.locator("h1")).to_have_text("Check your email")
    assert JOIN_URL not in page.content()

    page.goto(link_path("alex@example.com", kind="registration_confirmed"))
    expect(page.locator("h1")).to_have_text("Your registration")
    join = page.get_by_role("button", name="Join the video call")
    expect(join).to_have_attribute("href", JOIN_URL)
    expect(page.locator("main")).to_contain_text("meeting ID 123 456 789")
    expect(page.get_by_role("link", name="Add to Google Calendar")).to_be_visible()
    assert not page.evaluate(SCROLLS_SIDEWAYS)
    [confirmation] = [m for m in mail.outbox if m.to == ["alex@example.com"]]
    assert JOIN_URL in confirmation.body
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "evening-online-registration-phone.png", full_page=True)


@pytest.mark.parametrize("viewport", ["phone"])
def test_give_a_place_back_from_the_reminder_and_the_first_person_waiting_gets_it(
    page, site, viewport
):
    event = site.full_event
    grace = register(event=event, first_name="Grace", email="grace@example.com").registration
    register(event=event, first_name="Hana", email="hana@example.com")
    assert grace.status == RegistrationStatus.WAITING
    queue_due_reminders(now=event.starts_at - timedelta(hours=1))

    page.goto(give_back_path("priya@example.com", kind="reminder"))
    expect(page.locator("h1")).to_have_text("Give your place to someone else")
    grace.refresh_from_db()
    assert grace.status == RegistrationStatus.WAITING  # opening the link changes nothing
    page.get_by_role("button", name="Give my place back").click()

    expect(page.locator("h1")).to_have_text("You have given your place back")
    expect(page.locator("#what-happened")).to_contain_text(
        "Your place has gone to the next person on the waiting list"
    )
    grace.refresh_from_db()
    assert grace.status == RegistrationStatus.CONFIRMED
    assert subjects_to("grace@example.com")[-1] == (
        f"A place is now yours: {event.title} ({grace.reference})"
    )
    page.goto(link_path("grace@example.com", kind="promoted_from_waiting_list"))
    expect(page.locator("main .govuk-tag")).to_have_text("You have a place")

    # The same link again gives nothing more away.
    page.goto(give_back_path("priya@example.com", kind="reminder"))
    expect(page.get_by_role("button", name="Give my place back")).to_have_count(0)
    assert [r.status for r in event.registrations.order_by("pk")] == [
        RegistrationStatus.CANCELLED,
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.WAITING,
    ]


def secret_path(registration, suffix: str = "") -> str:
    token = tokens.new_token()
    RegistrationLinkFactory(registration=registration, token=token)
    return f"/registration/{token}/{suffix}"


def test_axe_finds_nothing_on_the_new_pages_and_their_states(axe_page, site, viewport):
    online = with_joining_link(site.online_event)
    alex = register(event=online, first_name="Alex", email="alex@example.com").registration
    waiting = register(
        event=site.full_event, first_name="Grace", email="grace@example.com"
    ).registration
    released = register(
        event=site.open_event, first_name="Rita", email="rita@example.com"
    ).registration
    left = register(event=site.full_event, first_name="Lee", email="lee@example.com").registration
    cancelled = register(
        event=site.open_event, first_name="Cy", email="cy@example.com"
    ).registration
    released_path, left_path = secret_path(released, "give-back/"), secret_path(left, "give-back/")
    services.release_place(released)
    services.release_place(left)
    services.cancel_registration(cancelled)
    now = timezone.now()
    started = EventFactory(starts_at=now - timedelta(minutes=10), ends_at=now + timedelta(hours=1))
    off = EventFactory(status=EventStatus.CANCELLED)
    states = {
        "manage-in-person": site.manage_path,
        "manage-online": secret_path(alex),
        "manage-waiting": secret_path(waiting),
        "give-back": site.manage_path + "give-back/",
        "give-back-waiting": secret_path(waiting, "give-back/"),
        "given-back": released_path,
        "left-waiting-list": left_path,
        "give-back-started": secret_path(RegistrationFactory(event=started), "give-back/"),
        "give-back-event-cancelled": secret_path(RegistrationFactory(event=off), "give-back/"),
        "give-back-already-cancelled": secret_path(cancelled, "give-back/"),
    }
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems = []

    for name, path in states.items():
        response = axe_page.goto(path)
        assert response.status == 200, f"{name}: {response.status}"
        axe_page.screenshot(path=SCREENSHOTS / f"evening-{name}-{viewport}.png", full_page=True)
        problems += describe_violations(name, axe_violations(axe_page))
        if axe_page.evaluate(SCROLLS_SIDEWAYS):
            problems.append(f"{name}: the page scrolls sideways (WCAG 1.4.10)")

    assert not problems, "\n".join(problems)
