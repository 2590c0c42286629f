"""A member of Workforce development, new to the admin: signs in, creates an
evening, publishes it and duplicates it to a new date on a desktop, then
checks people in at the door on a phone. In Chromium with the site's
Content Security Policy enforced (any violation fails the test)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from events.models import Event, EventStatus, Registration, RegistrationStatus

from .conftest import TIMEOUT_MS, VIEWPORTS
from .support import (
    BrowserProblems,
    EventFactory,
    RegistrationFactory,
    evening,
    screenshot,
    sign_in,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def open_context(browser, live_server):
    """Contexts at a named viewport, each watched for CSP violations,
    JavaScript errors and failed assets."""
    problems = BrowserProblems()
    contexts = []

    def open_at(viewport: str):
        context = browser.new_context(base_url=live_server.url, **VIEWPORTS[viewport])
        context.set_default_timeout(TIMEOUT_MS)
        problems.watch(context)
        contexts.append(context)
        return context.new_page()

    yield open_at
    for context in contexts:
        context.close()
    problems.assert_none()


def test_create_publish_and_duplicate_an_evening_then_check_people_in(open_context, staff_member):
    busy = EventFactory(title="Tuesday insight evening", capacity=3, starts_at=evening(12))
    RegistrationFactory.create_batch(3, event=busy)
    RegistrationFactory.create_batch(2, event=busy, status=RegistrationStatus.WAITING)
    past = evening(-20)
    held = EventFactory(title="Autumn evening", starts_at=past, ends_at=past + timedelta(hours=2))
    RegistrationFactory.create_batch(4, event=held, checked_in_at=past)
    RegistrationFactory.create_batch(2, event=held)
    page = open_context("desktop")

    # The dashboard shows where demand outruns the places.
    sign_in(page)
    demand = page.locator("#demand")
    expect(demand).to_contain_text("Tuesday insight evening")
    expect(demand).to_contain_text("2 waiting")
    expect(page.locator("#attendance-chart svg[role=img]")).to_be_visible()
    screenshot(page, "dashboard")

    # Create an evening: it starts as a draft.
    page.locator("#upcoming-events").get_by_role("link", name="Upcoming events").click()
    expect(page.get_by_role("link", name="Add event")).to_be_visible()
    screenshot(page, "changelist")
    page.get_by_role("link", name="Add event").click()
    page.get_by_label("Title:").fill("Women in policing evening")
    page.get_by_label("Summary:").fill("Officers talk about careers as a woman in the force.")
    page.get_by_label("Description:").fill("Talks, then questions.")
    page.get_by_label("Police officer").check()
    start = timezone.localtime(evening(30))
    page.locator("#id_starts_at_0").fill(f"{start:%d/%m/%Y}")
    page.locator("#id_starts_at_1").fill("19:00:00")
    page.locator("#id_ends_at_0").fill(f"{start:%d/%m/%Y}")
    page.locator("#id_ends_at_1").fill("21:00:00")
    page.get_by_label("Venue name:").fill("Police Headquarters")
    page.get_by_label("Capacity:").fill("80")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("saved as a draft")
    screenshot(page, "event-form")
    event = Event.objects.get(title="Women in policing evening")
    assert event.status == EventStatus.DRAFT
    assert event.slug == "women-in-policing-evening"

    # Publish it, after a page that says what publishing does.
    page.locator(".object-tools").get_by_role("link", name="Publish").click()
    expect(page.locator("#content")).to_contain_text("Publishing shows an event")
    page.get_by_role("button", name="Yes, publish 1 event").click()
    expect(page.locator(".messagelist")).to_contain_text("is published")
    event.refresh_from_db()
    assert event.status == EventStatus.PUBLISHED

    # Duplicate it four weeks later.
    page.get_by_role("link", name="Women in policing evening").click()
    page.locator(".object-tools").get_by_role("link", name="Duplicate").click()
    new_day = (start + timedelta(days=28)).date()
    page.get_by_label("New date").fill(new_day.isoformat())
    page.get_by_role("button", name="Create the draft copy").click()
    expect(page.locator(".messagelist")).to_contain_text("is a draft copy")
    copy = Event.objects.exclude(pk=event.pk).get(title="Women in policing evening")
    assert copy.status == EventStatus.DRAFT
    assert timezone.localtime(copy.starts_at).date() == new_day
    assert copy.registrations.count() == 0

    # On the night, at the door, on a phone.
    start_tonight = timezone.now() - timedelta(minutes=15)
    tonight = EventFactory(
        title="Tonight at headquarters",
        starts_at=start_tonight,
        ends_at=start_tonight + timedelta(hours=2),
    )
    guest = RegistrationFactory(event=tonight, first_name="Priya", last_name="Shah")
    RegistrationFactory(event=tonight, first_name="Tom", last_name="Adams")
    phone = open_context("phone")
    sign_in(phone)
    phone.goto(f"/admin/events/event/{tonight.pk}/check-in/")
    expect(phone.locator("h1")).to_have_text("Tonight at headquarters")
    expect(phone.locator("[data-count=here]")).to_have_text("0")
    phone.get_by_label("Find by name or reference").fill("shah")
    phone.get_by_role("button", name="Search").click()
    phone.get_by_role("button", name="Check in Priya Shah").click()
    expect(phone.locator(".app-door-message")).to_contain_text("Priya Shah is checked in.")
    expect(phone.locator("[data-count=here]")).to_have_text("1")
    expect(phone.locator(f"#person-{guest.pk}")).to_contain_text("Here since")
    screenshot(phone, "checkin-phone")
    guest.refresh_from_db()
    assert guest.checked_in_at is not None

    # A walk-in, then a mistaken tap undone.
    phone.get_by_role("link", name="Add a walk-in").click()
    phone.get_by_label("First name").fill("Jordan")
    phone.get_by_label("Last name").fill("Lee")
    phone.get_by_label("Email address").fill("jordan@example.com")
    phone.get_by_label("Police officer").check()
    phone.get_by_role("button", name="Check them in").click()
    expect(phone.locator("[data-count=walk_ins]")).to_have_text("1")
    phone.get_by_role("button", name="Check in Tom Adams").click()
    phone.get_by_role("button", name="Undo check-in for Tom Adams").click()
    expect(phone.locator("[data-count=here]")).to_have_text("2")
    assert Registration.objects.filter(event=tonight, checked_in_at__isnull=False).count() == 2
