"""The optional equality questions: a candidate who has just registered
answers them, or skips them, in a few taps on a phone (and at a desktop
viewport); axe-core finds nothing on the questions and on the pages after
them; and Workforce development sees the counts in the admin. In Chromium
with the site's Content Security Policy enforced."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from core.groups import WORKFORCE_DEVELOPMENT
from equality import services
from equality.models import AnsweredMark, EqualityResponse, PendingResponse, answered_fingerprints
from events.models import Registration
from tests.support.staff import authenticator_app, current_code, make_staff_user

from .support import (
    SCREENSHOTS,
    EventFactory,
    RegistrationFactory,
    axe_violations,
    describe_violations,
    register_on_page,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SCROLLS_SIDEWAYS = "() => document.documentElement.scrollWidth > window.innerWidth"


JO = {"first_name": "Jo", "last_name": "Adeyemi", "email": "jo.adeyemi@example.com"}


def screenshot(page, name, viewport):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"equality-{name}-{viewport}.png", full_page=True)


def test_answer_the_questions_in_a_few_taps_after_registering(page, site, viewport):
    def question(legend):
        return page.get_by_role("group", name=legend)

    register_on_page(page, site.open_event, **JO)

    expect(page.locator("h1")).to_have_text("Check your email")
    offer = page.locator("section", has_text="Help us see who our events reach")
    expect(offer).to_contain_text("changes nothing about your place")
    screenshot(page, "offer", viewport)

    offer.get_by_role("button", name="Answer 7 short questions").click()
    expect(page.locator("h1")).to_have_text("Help us see who our events reach")
    page.get_by_label("Female", exact=True).check()
    question("Is the gender you identify with").get_by_label("Yes", exact=True).check()
    page.get_by_label("25 to 34").check()
    page.get_by_label("Black, Black British, Caribbean or African").check()
    question("Do you have any physical or mental health").get_by_label("No", exact=True).check()
    question("What is your religion?").get_by_label("Prefer not to say").check()
    screenshot(page, "questions", viewport)
    page.get_by_role("button", name="Send my answers").click()
    expect(page.locator("h1")).to_have_text("More about your answers")
    assert not PendingResponse.objects.exists()  # nothing until the follow-ups are sent
    page.get_by_label("Caribbean", exact=True).check()
    screenshot(page, "follow-up", viewport)
    page.get_by_role("button", name="Send my answers").click()

    expect(page.locator("h1")).to_have_text("Thank you for answering")
    screenshot(page, "thanks", viewport)
    answers = PendingResponse.objects.get()
    assert answers.event == site.open_event
    assert (answers.sex, answers.gender_identity, answers.age_band) == ("female", "yes", "25_34")
    assert (answers.ethnic_group, answers.ethnic_background) == ("black", "black_caribbean")
    assert (answers.disability, answers.religion) == ("not_disabled", "prefer_not_to_say")
    assert answers.sexual_orientation == ""  # left out
    registration = Registration.objects.get(email_key="jo.adeyemi@example.com")
    assert AnsweredMark.objects.filter(pk=answered_fingerprints(registration.pk)[0]).exists()


def test_skip_the_questions_with_one_tap(page, site, viewport):
    register_on_page(page, site.open_event, **JO)
    expect(page.locator("h1")).to_have_text("Check your email")

    page.get_by_role("button", name="Skip these questions").click()

    expect(page.locator("h1")).to_have_text("You have skipped the questions")
    screenshot(page, "skipped", viewport)
    assert not PendingResponse.objects.exists()


def test_skip_from_the_questions_page_keeps_nothing_that_was_chosen(page, site, viewport):
    register_on_page(page, site.open_event, **JO)
    expect(page.locator("h1")).to_have_text("Check your email")
    page.get_by_role("button", name="Answer 7 short questions").click()
    page.get_by_label("Male", exact=True).check()

    page.get_by_role("button", name="Skip these questions").click()

    expect(page.locator("h1")).to_have_text("You have skipped the questions")
    assert not PendingResponse.objects.exists()


def test_the_registrations_own_page_offers_the_questions_until_they_are_answered(
    page, site, viewport
):
    page.goto(site.manage_path)
    screenshot(page, "registration-offer", viewport)
    page.get_by_role("link", name="Answer the optional questions").click()
    expect(page.locator(".govuk-caption-l")).to_have_text(site.open_event.title)
    page.get_by_label("Male", exact=True).check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.locator("h1")).to_have_text("Thank you for answering")

    page.goto(site.manage_path)

    expect(page.get_by_role("link", name="Answer the optional questions")).to_have_count(0)
    assert PendingResponse.objects.get().sex == "male"


def test_the_questions_and_the_pages_after_them_have_no_wcag_22_aa_violations(
    axe_page, site, viewport
):
    problems = []

    def check(name):
        problems.extend(describe_violations(name, axe_violations(axe_page)))
        if axe_page.evaluate(SCROLLS_SIDEWAYS):
            problems.append(f"{name}: the page scrolls sideways (WCAG 1.4.10)")

    register_on_page(axe_page, site.open_event, **JO)

    expect(axe_page.locator("h1")).to_have_text("Check your email")
    check("offer")
    axe_page.get_by_role("button", name="Answer 7 short questions").click()
    # axe must wait for the new page: run on one still loading, it finds no document.
    expect(axe_page.locator("h1")).to_have_text("Help us see who our events reach")
    check("questions")
    axe_page.get_by_label("Mixed or multiple ethnic groups").check()
    axe_page.get_by_role("group", name="Do you have any physical or mental health").get_by_label(
        "Yes", exact=True
    ).check()
    axe_page.get_by_role("button", name="Send my answers").click()
    expect(axe_page.locator("h1")).to_have_text("More about your answers")
    check("follow-ups")
    axe_page.get_by_role("button", name="Send my answers").click()
    expect(axe_page.locator("h1")).to_have_text("Thank you for answering")
    check("thanks")
    register_on_page(axe_page, site.few_left_event, **JO)
    expect(axe_page.locator("h1")).to_have_text("Check your email")
    axe_page.get_by_role("button", name="Skip these questions").click()
    expect(axe_page.locator("h1")).to_have_text("You have skipped the questions")
    check("skipped")
    axe_page.goto(site.manage_path)
    check("registration-with-offer")
    axe_page.get_by_role("link", name="Answer the optional questions").click()
    expect(axe_page.locator("h1")).to_have_text("Help us see who our events reach")
    check("questions-from-link")

    assert not problems, "\n".join(problems)


EMAIL = "sam.reid@herts.example.org"
PASSWORD = "equality-report-password-1"


@pytest.fixture
def workforce_member(transactional_db):
    return make_staff_user(username=EMAIL, password=PASSWORD, group=WORKFORCE_DEVELOPMENT)


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_workforce_development_sees_who_the_women_only_session_reached(
    page, workforce_member, viewport
):
    event = EventFactory(title="Women-only insight evening", starts_at=timezone.now())
    RegistrationFactory.create_batch(24, event=event, checked_in_at=timezone.now())
    RegistrationFactory.create_batch(6, event=event)
    for sex, number in [("female", 21), ("male", 2), ("prefer_not_to_say", 3)]:
        EqualityResponse.objects.bulk_create(
            EqualityResponse(event=event, sex=sex) for _ in range(number)
        )
    services.flush_answer_pool()  # as beat does: its registration has closed
    app = authenticator_app(workforce_member)
    page.goto("/admin/")
    page.get_by_label("Username").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_label("Code from your authenticator app").fill(current_code(app))
    page.get_by_role("button", name="Continue").click()

    page.get_by_role("link", name="Who our events reach").first.click()
    page.locator("#id_event").select_option(str(event.pk))
    page.get_by_role("button", name="Show this event").click()

    expect(page.locator("#report-title")).to_have_text(event.title)
    expect(page.locator("#report-summary")).to_contain_text(
        "30 registered, 24 attended, 26 answered (87% of those registered)."
    )
    sex = page.locator("table", has=page.locator("caption", has_text="Sex"))

    def row(name):
        return sex.locator("tr", has=page.get_by_role("rowheader", name=name, exact=True))

    expect(row("Female")).to_contain_text("21")
    expect(row("Male")).to_contain_text("fewer than 5")
    screenshot(page, "report", viewport)
