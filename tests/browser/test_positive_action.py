"""A candidate asks the Positive Action team for support with the keyboard
alone, meets the consent error, sends the request, opens the link from the
email and withdraws it: in Chromium, at a phone and a desktop viewport, with
axe-core on every page on the way and each one photographed."""

import re

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from emails.models import OutgoingEmail
from mentoring.models import MentoringRequest

from .support import (
    SCREENSHOTS,
    assert_focus_visible,
    axe_violations,
    describe_violations,
    tab_to,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SCROLLS_SIDEWAYS = "() => document.documentElement.scrollWidth > window.innerWidth"


class Checks:
    """axe-core, sideways scrolling and a screenshot, for each page reached."""

    def __init__(self, page: Page, viewport: str):
        self.page, self.viewport, self.problems = page, viewport, []
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def __call__(self, name: str) -> None:
        self.page.screenshot(
            path=SCREENSHOTS / f"positive-action-{name}-{self.viewport}.png", full_page=True
        )
        self.problems += describe_violations(name, axe_violations(self.page))
        if self.page.evaluate(SCROLLS_SIDEWAYS):
            self.problems.append(f"{name}: the page scrolls sideways (WCAG 1.4.10)")


def request_link_path(to: str) -> str:
    email = OutgoingEmail.objects.get(to=to, kind="mentoring_request_received")
    match = re.search(
        re.escape(settings.SITE_URL) + r"(/positive-action/request/[^/\s]+/)", email.body_text
    )
    assert match, email.body_text
    return match.group(1)


def fill_in_everything_but_consent(page: Page) -> None:
    """Tab from field to field, typing and choosing with the keyboard."""
    tab_to(page, "#id_name", within=40)
    page.keyboard.type("Nguyễn Thị Lan")
    tab_to(page, "#id_email")
    page.keyboard.type("lan.nguyen@example.com")
    tab_to(page, "#id_contact_method_1")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # moves to, and selects, "Text message"
    tab_to(page, "#id_phone")
    page.keyboard.type("07700 900 982")
    tab_to(page, "#id_role_1")
    page.keyboard.press("ArrowDown")  # the second role: PCSO
    tab_to(page, "#id_journey_stage_1")
    page.keyboard.press("Space")
    tab_to(page, "#id_support_kinds_1")
    tab_to(page, "#id_support_kinds_2")
    page.keyboard.press("Space")
    tab_to(page, "#id_support_kinds_3")
    page.keyboard.press("Space")
    tab_to(page, "#id_under_represented", within=4)
    page.keyboard.type("王芳 is my mother's name; I am a woman of Chinese heritage.")
    tab_to(page, "#id_anything_else")
    page.keyboard.type("Evenings are best.")
    tab_to(page, "#id_consent", within=2)  # past the link to the privacy notice


def test_ask_for_support_with_the_keyboard_then_withdraw(axe_page, viewport):
    page = axe_page
    check = Checks(page, viewport)
    page.goto("/positive-action/")
    expect(page.locator("h1")).to_have_text("Ask for support to join Hertfordshire Constabulary")
    check("form")

    fill_in_everything_but_consent(page)
    tab_to(page, "#submit-id-submit")
    assert_focus_visible(page)
    page.keyboard.press("Enter")

    expect(page).to_have_title(re.compile(r"^\s*Error: "))
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    expect(page.locator(".govuk-error-summary__list li")).to_have_count(1)
    expect(page.get_by_label("Full name")).to_have_value("Nguyễn Thị Lan")
    expect(page.get_by_label("Text message")).to_be_checked()
    expect(page.get_by_label("Help with the application form")).to_be_checked()
    expect(page.get_by_label("Why do you feel under-represented")).to_have_value(
        "王芳 is my mother's name; I am a woman of Chinese heritage."
    )
    check("form-errors")
    assert not MentoringRequest.objects.exists()

    # The error summary's link takes the focus to the box to tick.
    tab_to(page, ".govuk-error-summary a")
    page.keyboard.press("Enter")
    expect(page.locator("#id_consent")).to_be_focused()
    page.keyboard.press("Space")
    tab_to(page, "#submit-id-submit")
    page.keyboard.press("Enter")

    page.wait_for_url("**/positive-action/sent/")
    expect(page.locator("h1")).to_have_text("Request sent")
    expect(page.locator("main")).to_contain_text("lan.nguyen@example.com")
    check("sent")
    request = MentoringRequest.objects.get()
    assert (request.name, request.contact_method, request.role.code) == (
        "Nguyễn Thị Lan",
        "text",
        "pcso",
    )
    assert request.support_kinds == ["application", "fitness"]

    page.goto(request_link_path("lan.nguyen@example.com"))
    expect(page.locator("h1")).to_have_text("Your request for support")
    expect(page.locator("main")).to_contain_text("Practice for the fitness test")
    check("request")
    tab_to(page, "a.govuk-button--warning", within=40)
    assert_focus_visible(page)
    page.keyboard.press("Enter")

    expect(page.locator("h1")).to_have_text("Are you sure you want to withdraw your request?")
    check("withdraw")
    assert MentoringRequest.objects.exists()  # the page asks; only the button erases
    tab_to(page, "button.govuk-button--warning", within=10)
    page.keyboard.press("Enter")

    page.wait_for_url("**/positive-action/withdrawn/")
    expect(page.locator("h1")).to_have_text("Request withdrawn")
    check("withdrawn")
    assert not MentoringRequest.objects.exists()
    assert not check.problems, "\n".join(check.problems)


def test_the_pages_run_under_the_content_security_policy(page, problems):
    page.goto("/positive-action/")
    assert page.locator("body.govuk-frontend-supported").count() == 1
    page.get_by_role("button", name="Send request").click()

    expect(page.locator(".govuk-error-summary")).to_be_focused()
    response = page.goto("/positive-action/request/not-a-real-token/")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("Page not found")
    assert not problems.found, problems.found


@pytest.mark.parametrize("viewport", ["phone"])
def test_long_unbroken_answers_wrap_on_a_phone(axe_page, viewport):
    page = axe_page
    email = ("a" * 60) + "@" + ("b" * 60) + ".example.com"
    page.goto("/positive-action/")
    page.get_by_label("Full name").fill("Ó" * 150)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Email", exact=True).check()
    page.get_by_label("I have not decided yet").check()
    page.get_by_label("Thinking about applying").check()
    page.get_by_label("A mentor to talk to").check()
    page.get_by_label("Why do you feel under-represented").fill("王" * 500)
    page.get_by_label("Anything else").fill("x" * 1000)
    page.get_by_label("I agree").check()
    page.get_by_role("button", name="Send request").click()

    expect(page.locator("h1")).to_have_text("Request sent")
    assert not page.evaluate(SCROLLS_SIDEWAYS), "the confirmation scrolls sideways"
    page.goto(request_link_path(email))
    expect(page.locator("h1")).to_have_text("Your request for support")
    page.screenshot(path=SCREENSHOTS / "positive-action-request-long-phone.png", full_page=True)
    assert not page.evaluate(SCROLLS_SIDEWAYS), "the request page scrolls sideways"
