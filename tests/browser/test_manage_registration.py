"""A candidate opens the secret link from their email, changes their
details and cancels: in Chromium, at a phone and a desktop viewport."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from events.models import RegistrationStatus

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_open_the_link_change_details_then_cancel(page, site):
    registration = site.registration
    page.goto(site.manage_path)
    expect(page.locator("h1")).to_have_text("Your registration")
    expect(page.locator("main")).to_contain_text(registration.reference)
    expect(page.locator("main .govuk-tag")).to_have_text("You have a place")

    page.get_by_label("Phone number (optional)").fill("01632 960 001")
    page.get_by_label("Access needs or adjustments (optional)").fill("A seat near the front.")
    page.get_by_role("button", name="Save changes").click()

    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Your details have been updated."
    )
    registration.refresh_from_db()
    assert (registration.phone, registration.access_needs) == (
        "01632 960 001",
        "A seat near the front.",
    )

    page.get_by_role("button", name="Cancel my registration").click()
    expect(page.locator("h1")).to_have_text("Are you sure you want to cancel?")
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED  # a GET changes nothing
    page.get_by_role("button", name="Yes, cancel my registration").click()

    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Your registration has been cancelled."
    )
    expect(page.locator("main .govuk-tag")).to_have_text("Cancelled")
    expect(page.get_by_role("button", name="Save changes")).to_have_count(0)
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED
    assert [m.subject for m in mail.outbox if m.to == [registration.email]][-1] == (
        f"Your registration is cancelled: {site.open_event.title} ({registration.reference})"
    )


def test_a_change_with_an_error_keeps_what_was_typed_and_saves_nothing(page, site):
    page.goto(site.manage_path)
    page.get_by_label("First name").fill("")
    page.get_by_label("Access needs or adjustments (optional)").fill("Step-free access.")
    page.get_by_role("button", name="Save changes").click()

    expect(page).to_have_title(re.compile(r"^\s*Error: "))
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your first name")
    expect(page.get_by_label("Access needs or adjustments (optional)")).to_have_value(
        "Step-free access."
    )
    site.registration.refresh_from_db()
    assert (site.registration.first_name, site.registration.access_needs) == ("Aoife", "")


def test_a_mistyped_link_gets_the_page_not_found(page, site):
    response = page.goto(site.manage_path[:-5] + "/")

    assert response.status == 404
    expect(page.locator("h1")).to_have_text("Page not found")
