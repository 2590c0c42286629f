"""No dead ends, in Chromium at a phone and a desktop viewport: a full
event offers its other dates and alerts, an empty filter offers alerts,
someone waiting can leave the list, the privacy notice's contents list
jumps to each section; axe finds nothing on any of them, and the event
pages' JSON-LD is never blocked by the Content Security Policy."""

import json
import re

import pytest
from playwright.sync_api import expect

from tests.support.registration import register

from .support import SCREENSHOTS, axe_violations, describe_violations, link_path

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def check_with_axe(page, name: str, viewport: str) -> list[str]:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}-{viewport}.png", full_page=True)
    return describe_violations(name, axe_violations(page))


def test_a_full_event_offers_its_other_dates_and_alerts(page, site):
    page.goto("/events/")
    card = page.locator(".app-event-card", has_text=site.other_date_event.title)
    expect(card.locator(".govuk-tag")).to_have_text("40 places left")
    page.locator(".app-event-card", has_text=site.full_event.title).get_by_role(
        "link", name=site.full_event.title, exact=True
    ).click()

    page.get_by_role("link", name="choose another date").click()
    other_dates = page.locator("main ul", has_text=site.other_date_event.title)
    expect(other_dates).to_contain_text("40 places left")
    page.get_by_role("link", name="Get an email when we add new events").click()
    expect(page.locator("h1")).to_have_text("Get emails about new insight events")

    page.goto(site.full_event.get_absolute_url())
    page.get_by_role("link", name=site.other_date_event.title).click()
    expect(page.locator("h1")).to_have_text(site.other_date_event.title)
    expect(page.get_by_role("button", name="Register for this event")).to_be_visible()


def test_every_event_page_carries_json_ld_that_the_csp_lets_be(page, problems, site):
    for event in (site.open_event, site.full_event, site.online_event, site.cancelled_event):
        page.goto(event.get_absolute_url())
        data = json.loads(page.locator('script[type="application/ld+json"]').text_content())

        assert data["@type"] == "Event"
        assert data["name"] == event.title
        assert not problems.found, problems.found


def test_someone_waiting_leaves_the_list(page, site):
    register(event=site.full_event, first_name="Grace", email="grace@example.com")
    page.goto(link_path("grace@example.com", kind="waiting_list_joined"))

    page.get_by_role("button", name="Leave the waiting list").click()
    expect(page.locator("h1")).to_have_text("Leave the waiting list")
    expect(page.get_by_role("link", name="Stay on the waiting list")).to_be_visible()
    page.get_by_role("button", name="Leave the waiting list").click()

    expect(page.locator("h1")).to_have_text("You have left the waiting list")


def test_the_privacy_notices_contents_list_jumps_to_each_section(page, site):
    page.goto("/privacy/")
    contents = page.get_by_role("navigation", name="Contents")

    contents.get_by_role("link", name="Your rights").click()

    expect(page).to_have_url(re.compile(r"/privacy/#your-rights$"))
    expect(page.locator("#your-rights")).to_be_in_viewport()


def test_axe_finds_nothing_on_the_pages_that_stop_dead_ends(axe_page, site, viewport):
    register(event=site.full_event, first_name="Grace", email="grace@example.com")
    waiting = link_path("grace@example.com", kind="waiting_list_joined")
    pages = {
        "full-event-with-other-dates": (site.full_event.get_absolute_url(), "Other dates"),
        "events-filtered-none-alerts": ("/events/?audience=bame", "Get an email when"),
        "privacy-contents": ("/privacy/", "Contents"),
        "registration-waiting": (waiting, "Leave the waiting list"),
        "registration-leave-waiting-list": (waiting + "cancel/", "leave the waiting list?"),
    }
    problems = []

    for name, (path, shows) in pages.items():
        axe_page.goto(path)
        expect(axe_page.locator("main")).to_contain_text(shows)
        problems += check_with_axe(axe_page, name, viewport)

    assert not problems, "\n".join(problems)
