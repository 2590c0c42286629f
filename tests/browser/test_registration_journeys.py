"""A candidate finds an evening and registers, joins a waiting list, and
meets the form's errors: in Chromium, at a phone and a desktop viewport."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from events.models import Registration, RegistrationStatus

from .support import (
    assert_focus_visible,
    describe_focus,
    fill_registration_form,
    is_focused,
    link_path,
    register_on_page,
    tab_to,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def emails_to(address: str) -> list[str]:
    return [message.subject for message in mail.outbox if message.to == [address]]


def test_find_an_evening_and_register_with_the_keyboard_alone(page, site):
    event_url = site.open_event.get_absolute_url()
    page.goto("/events/")

    tab_to(page, "a.govuk-skip-link")
    page.keyboard.press("Enter")
    tab_to(page, f'.app-event-card a[href="{event_url}"]', within=12)
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{event_url}")
    tab_to(page, "a.govuk-button--start", within=10)
    assert_focus_visible(page)
    # A link styled as a button: GOV.UK Frontend makes Space press it too.
    page.keyboard.press("Space")
    page.wait_for_url(f"**{event_url}register/")
    tab_to(page, "#id_first_name", within=10)
    page.keyboard.type("Niamh")
    tab_to(page, "#id_last_name")
    page.keyboard.type("Ó Súilleabháin")
    tab_to(page, "#id_email")
    page.keyboard.type("niamh.osullivan@example.com")
    tab_to(page, "#id_phone")  # optional: left empty
    tab_to(page, "#id_role_1")
    page.keyboard.press("ArrowDown")  # moves to, and selects, the second role
    tab_to(page, "#id_access_needs")
    page.keyboard.type("I use a wheelchair.")
    tab_to(page, "#id_heard_from_1")
    page.keyboard.press("Space")
    tab_to(page, "#id_privacy", within=2)  # past the link to the privacy notice
    page.keyboard.press("Space")
    tab_to(page, "#submit-id-submit")
    assert_focus_visible(page)
    page.keyboard.press("Enter")

    page.wait_for_url(f"**{event_url}register/done/")
    expect(page.locator("h1")).to_have_text("Check your email")
    expect(page.locator("main")).to_contain_text("niamh.osullivan@example.com")
    registration = Registration.objects.get(email_key="niamh.osullivan@example.com")
    assert registration.event == site.open_event
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.last_name == "Ó Súilleabháin"
    assert registration.role.code == "pcso"
    assert registration.heard_from == "social_media"
    assert registration.phone == ""
    assert registration.access_needs == "I use a wheelchair."
    assert emails_to("niamh.osullivan@example.com") == [
        f"You have a place: {site.open_event.title} ({registration.reference})"
    ]


def test_join_the_waiting_list_and_get_the_place_when_it_frees(page, site):
    page.goto("/events/")
    card = page.locator(".app-event-card", has_text=site.full_event.title)
    expect(card.locator(".govuk-tag")).to_have_text("Full: waiting list open")
    card.get_by_role("link", name=site.full_event.title).click()
    expect(page.locator("main")).to_contain_text("Full. You can join the waiting list")
    page.get_by_role("button", name="Join the waiting list").click()
    expect(page.locator("h1")).to_have_text(f"Join the waiting list for {site.full_event.title}")
    fill_registration_form(page, first_name="Grace", email="grace@example.com")
    page.get_by_role("button", name="Join the waiting list").click()

    expect(page.locator("h1")).to_have_text("Check your email")
    waiting = Registration.objects.get(event=site.full_event, email_key="grace@example.com")
    assert waiting.status == RegistrationStatus.WAITING
    page.goto(link_path("grace@example.com", kind="waiting_list_joined"))
    expect(page.locator("main .govuk-tag")).to_have_text("On the waiting list")
    expect(page.locator("main")).to_contain_text("You are number 1 on the waiting list.")
    expect(page.get_by_role("button", name="Leave the waiting list")).to_be_visible()
    expect(page.get_by_role("button", name="Cancel my registration")).to_have_count(0)

    # The person with the only place cancels with their own link...
    page.goto(site.full_event_holder_path + "cancel/")
    page.get_by_role("button", name="Yes, cancel my registration").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("has been cancelled")

    # ...and the place goes to the person waiting, who is told by email.
    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.CONFIRMED
    page.goto(link_path("grace@example.com", kind="promoted_from_waiting_list"))
    expect(page.locator("main .govuk-tag")).to_have_text("You have a place")
    assert emails_to("grace@example.com") == [
        f"You are on the waiting list: {site.full_event.title} ({waiting.reference})",
        f"A place is now yours: {site.full_event.title} ({waiting.reference})",
    ]


ERRORS_AND_FIELDS = [
    ("Enter your first name", "#id_first_name"),
    ("Enter your last name", "#id_last_name"),
    ("Enter your email address", "#id_email"),
    ("Select the role you are most interested in", "#id_role_1"),
    ("Confirm that you have read the privacy notice", "#id_privacy"),
]


def test_empty_form_gets_an_error_summary_that_takes_the_focus_and_links_to_each_field(page, site):
    page.goto(f"/events/{site.open_event.slug}/register/")
    page.get_by_role("button", name="Register").click()

    expect(page).to_have_title(re.compile(r"^\s*Error: "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text([error for error, _ in ERRORS_AND_FIELDS])
    for error, field in ERRORS_AND_FIELDS:
        expect(page.locator(".govuk-form-group--error", has=page.locator(field))).to_contain_text(
            error
        )
        summary.get_by_role("link", name=error).focus()
        page.keyboard.press("Enter")
        assert is_focused(page, field), f"{error!r} took the focus to {describe_focus(page)}"
    assert not Registration.objects.filter(event=site.open_event).exclude(pk=site.registration.pk)


def test_what_was_typed_is_kept_after_an_error(page, site):
    page.goto(f"/events/{site.open_event.slug}/register/")
    page.get_by_label("First name").fill("王芳")
    page.get_by_label("Email address").fill("wang.fang+events@example.com")
    page.get_by_label("Phone number (optional)").fill("07700 900 982")
    page.get_by_label("Police community support officer (PCSO)").check()
    page.get_by_label("Access needs or adjustments (optional)").fill("A quiet space, please.")
    page.get_by_label("I have read the privacy notice").check()
    page.get_by_role("button", name="Register").click()

    expect(page.locator(".govuk-error-summary").get_by_role("link")).to_have_text(
        ["Enter your last name"]
    )
    expect(page.get_by_label("First name")).to_have_value("王芳")
    expect(page.get_by_label("Email address")).to_have_value("wang.fang+events@example.com")
    expect(page.get_by_label("Phone number (optional)")).to_have_value("07700 900 982")
    expect(page.get_by_label("Police community support officer (PCSO)")).to_be_checked()
    expect(page.get_by_label("Access needs or adjustments (optional)")).to_have_value(
        "A quiet space, please."
    )
    expect(page.get_by_label("I have read the privacy notice")).to_be_checked()
    assert not Registration.objects.filter(email_key="wang.fang+events@example.com").exists()


def test_an_invalid_email_address_gets_the_gov_uk_error(page, site):
    register_on_page(page, site.open_event, email="not-an-email")

    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter an email address in the correct format", timeout=1_000
    )


def test_a_form_filled_as_fast_as_autofill_comes_back_and_registers_when_sent_again(
    page, site, settings
):
    """Phone autofill fills and sends the form within a second: the person
    is asked to check and send again, with everything they typed kept,
    never told "Check your email" for a place they do not have."""
    settings.FORM_MIN_FILL_SECONDS = 30
    register_on_page(
        page, site.open_event, email="quick.fingers@example.com", access_needs="Step-free access"
    )

    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("link")).to_have_text(["Check your answers and send again"])
    expect(summary).to_be_focused()
    expect(page.get_by_label("Email address")).to_have_value("quick.fingers@example.com")
    expect(page.get_by_label("Access needs or adjustments (optional)")).to_have_value(
        "Step-free access"
    )
    expect(page.get_by_label("I have read the privacy notice")).to_be_checked()
    assert not Registration.objects.filter(email_key="quick.fingers@example.com").exists()

    page.get_by_role("button", name="Register").click()

    page.wait_for_url(f"**/events/{site.open_event.slug}/register/done/")
    expect(page.locator("h1")).to_have_text("Check your email")
    registration = Registration.objects.get(email_key="quick.fingers@example.com")
    assert registration.access_needs == "Step-free access"
