"""What the browser tests share: the events they run against, the public pages
they visit, keyboard helpers, axe-core and the problems a page must not have."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import BrowserContext, ConsoleMessage, Page, Request, Response, expect

from emails.models import OutgoingEmail
from events.models import Audience, Event, EventFormat, EventStatus, Registration
from tests.factories import EventFactory, RegistrationFactory, role
from tests.support.registration import register
from tests.support.staff import authenticator_app, current_code

LONDON = ZoneInfo("Europe/London")
AXE_JS = settings.BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SCREENSHOTS = settings.BASE_DIR / "var" / "screenshots"
# GOV.UK Frontend's focus colour, the background of a focused link or button.
FOCUS_YELLOW = "rgb(255, 221, 0)"


# The events -------------------------------------------------------------


def evening(days: int, *, hour: int = 19) -> datetime:
    """7pm London time `days` from today, as an aware datetime."""
    day = timezone.now().astimezone(LONDON).date() + timedelta(days=days)
    return datetime.combine(day, time(hour), tzinfo=LONDON)


@dataclass
class SiteData:
    open_event: Event
    few_left_event: Event
    full_event: Event
    online_event: Event
    closed_event: Event
    not_yet_open_event: Event
    cancelled_event: Event
    past_event: Event
    registration: Registration
    manage_path: str
    full_event_holder_path: str
    # The full event's other date: same roles and audience, places free.
    other_date_event: Event | None = None


def build_site() -> SiteData:
    """An upcoming programme with an event in every state a candidate can
    see, and one registration made the way a candidate makes it."""
    hq = {
        "venue_name": "Police Headquarters",
        "address": "Stanborough Road\nWelwyn Garden City\nAL8 6XF",
        "travel_notes": "Free parking on site. Welwyn Garden City station is a 20-minute walk.",
        "access_notes": "Step-free entrance, a hearing loop in the main hall and accessible toilets.",
    }
    open_event = EventFactory(
        title="Insight evening at headquarters",
        slug="insight-evening-at-headquarters",
        summary="Officers, PCSOs and special constables talk about the job and how to apply.",
        starts_at=evening(14),
        ends_at=evening(14, hour=21),
        capacity=80,
        **hq,
    )
    few_left_event = EventFactory(
        title="Second insight evening at headquarters",
        slug="second-insight-evening",
        starts_at=evening(42),
        ends_at=evening(42, hour=21),
        capacity=6,
        **hq,
    )
    RegistrationFactory.create_batch(3, event=few_left_event)
    full_event = EventFactory(
        title="Women-only insight evening",
        slug="women-only-insight-evening",
        audience=Audience.WOMEN,
        starts_at=evening(21),
        ends_at=evening(21, hour=21),
        capacity=1,
        **hq,
    )
    holder = register(event=full_event, first_name="Priya", email="priya@example.com").registration
    other_date_event = EventFactory(
        title="Evening for women: second date",
        slug="evening-for-women-second-date",
        audience=Audience.WOMEN,
        starts_at=evening(35),
        ends_at=evening(35, hour=21),
        capacity=40,
        **hq,
    )
    online_event = EventFactory(
        title="Online evening for LGBT+ candidates",
        slug="online-evening-lgbt",
        format=EventFormat.ONLINE,
        audience=Audience.LGBT,
        venue_name="",
        address="",
        online_joining_details="Join on the video call: meeting ID 123 456 789.",
        starts_at=evening(28, hour=18),
        ends_at=evening(28, hour=19),
    )
    soon = timezone.now() + timedelta(minutes=90)
    closed_event = EventFactory(
        title="Insight evening tonight",
        slug="insight-evening-tonight",
        starts_at=soon,
        ends_at=soon + timedelta(hours=2),
        **hq,
    )
    not_yet_open_event = EventFactory(
        title="Special constables evening",
        slug="special-constables-evening",
        starts_at=evening(56),
        ends_at=evening(56, hour=21),
        registration_opens_at=evening(7, hour=9),
        roles=[role("special-constable")],
        **hq,
    )
    cancelled_event = EventFactory(
        title="Daytime drop-in",
        slug="daytime-drop-in",
        status=EventStatus.CANCELLED,
        cancellation_message="The hall is needed for an operational briefing. We are sorry.",
        starts_at=evening(10, hour=10),
        ends_at=evening(10, hour=13),
        **hq,
    )
    past_event = EventFactory(
        title="Earlier evening at headquarters",
        slug="earlier-evening",
        starts_at=evening(-10),
        ends_at=evening(-10, hour=21),
        **hq,
    )
    registration = register(
        event=open_event, first_name="Aoife", email="aoife@example.com"
    ).registration
    return SiteData(
        open_event=open_event,
        few_left_event=few_left_event,
        full_event=full_event,
        online_event=online_event,
        closed_event=closed_event,
        not_yet_open_event=not_yet_open_event,
        cancelled_event=cancelled_event,
        past_event=past_event,
        registration=registration,
        manage_path=link_path(registration.email, kind="registration_confirmed"),
        full_event_holder_path=link_path(holder.email, kind="registration_confirmed"),
        other_date_event=other_date_event,
    )


def link_path(to: str, *, kind: str) -> str:
    """The path of the secret link in the latest `kind` email to `to`.

    The token exists only in the email; the link in it is absolute (SITE_URL),
    so drop the host and open the path on the live server."""
    email = OutgoingEmail.objects.filter(to=to, kind=kind).order_by("-pk").first()
    assert email is not None, f"no {kind} email to {to}"
    match = re.search(re.escape(settings.SITE_URL) + r"(/registration/[^/\s]+/)", email.body_text)
    assert match, f"no registration link in the {kind} email:\n{email.body_text}"
    return match.group(1)


# Filling in the registration form ---------------------------------------


def fill_registration_form(
    page: Page,
    *,
    first_name: str = "Sam",
    last_name: str = "Okafor",
    email: str = "sam.okafor@example.com",
    role_label: str = "Police officer",
    heard_from_label: str = "Social media",
    access_needs: str = "",
) -> None:
    page.get_by_label("First name").fill(first_name)
    page.get_by_label("Last name").fill(last_name)
    page.get_by_label("Email address").fill(email)
    page.get_by_label(role_label, exact=True).check()
    if access_needs:
        page.get_by_label("Access needs or adjustments (optional)").fill(access_needs)
    page.get_by_label(heard_from_label, exact=True).check()
    page.get_by_label("I have read the privacy notice").check()


def register_on_page(page: Page, event: Event, **answers) -> None:
    """Register for `event` through its real registration page, as a
    candidate does: open it, fill in the form (fill_registration_form's
    answers, `answers` replacing them) and press Register. The page then
    shows whatever came of it; the caller checks that. (Tests that only
    need a registration to exist use tests/support/registration.py's
    `register`, which calls the same service without a browser.)"""
    page.goto(f"/events/{event.slug}/register/")
    fill_registration_form(page, **answers)
    page.get_by_role("button", name="Register").click()


# The public pages -------------------------------------------------------


@dataclass(frozen=True)
class PublicPage:
    name: str
    heading: str
    visit: Callable[[Page, SiteData], object]


def _submit_registration(page: Page, site: SiteData) -> None:
    register_on_page(page, site.open_event, email="new.candidate@example.com")


def _register_faster_than_a_person_reads(page: Page, site: SiteData) -> None:
    # The live server runs in this process, so it sees the setting.
    with override_settings(FORM_MIN_FILL_SECONDS=30):
        _submit_registration(page, site)
        page.locator(".govuk-error-summary").wait_for()


def _register_without_csrf_cookie(page: Page, site: SiteData) -> None:
    page.goto(f"/events/{site.open_event.slug}/register/")
    page.context.clear_cookies()
    page.get_by_role("button", name="Register").click()


def _change_details_with_error(page: Page, site: SiteData) -> None:
    page.goto(site.manage_path)
    page.get_by_label("First name").fill("")
    page.get_by_role("button", name="Save changes").click()
    page.locator(".govuk-error-summary").wait_for()  # the heading stays the same


def _cancel_registration(page: Page, site: SiteData) -> None:
    page.goto(site.manage_path + "cancel/")
    page.get_by_role("button", name="Yes, cancel my registration").click()


def _event(attribute: str) -> Callable[[Page, SiteData], object]:
    return lambda page, site: page.goto(getattr(site, attribute).get_absolute_url())


def _path(path: str) -> Callable[[Page, SiteData], object]:
    return lambda page, site: page.goto(path)


# In this order: the last pages change the registration they show.
PUBLIC_PAGES = [
    PublicPage("home", "Thinking of joining", _path("/")),
    PublicPage("events", "Thinking of joining", _path("/events/")),
    PublicPage("events-filtered-none", "Thinking of joining", _path("/events/?audience=bame")),
    PublicPage("event-open", "Insight evening at headquarters", _event("open_event")),
    PublicPage("event-few-left", "Second insight evening", _event("few_left_event")),
    PublicPage("event-full", "Women-only insight evening", _event("full_event")),
    PublicPage("event-online", "Online evening for LGBT+", _event("online_event")),
    PublicPage("event-closed", "Insight evening tonight", _event("closed_event")),
    PublicPage("event-not-yet-open", "Special constables evening", _event("not_yet_open_event")),
    PublicPage("event-cancelled", "Daytime drop-in", _event("cancelled_event")),
    PublicPage("event-past", "Earlier evening at headquarters", _event("past_event")),
    PublicPage(
        "register",
        "Register for Insight evening",
        lambda page, site: page.goto(f"/events/{site.open_event.slug}/register/"),
    ),
    PublicPage(
        "register-errors",
        "Register for Insight evening",
        lambda page, site: (
            page.goto(f"/events/{site.open_event.slug}/register/"),
            page.get_by_role("button", name="Register").click(),
            page.locator(".govuk-error-summary").wait_for(),  # the heading stays the same
        ),
    ),
    PublicPage(
        "register-waiting-list",
        "Join the waiting list",
        lambda page, site: page.goto(f"/events/{site.full_event.slug}/register/"),
    ),
    PublicPage(
        "register-refused",
        "You cannot register",
        lambda page, site: page.goto(f"/events/{site.cancelled_event.slug}/register/"),
    ),
    PublicPage(
        "register-send-again", "Register for Insight evening", _register_faster_than_a_person_reads
    ),
    PublicPage(
        "register-csrf-failure", "could not accept your form", _register_without_csrf_cookie
    ),
    PublicPage("check-your-email", "Check your email", _submit_registration),
    PublicPage("registration", "Your registration", lambda page, site: page.goto(site.manage_path)),
    PublicPage("registration-errors", "Your registration", _change_details_with_error),
    PublicPage(
        "registration-cancel",
        "Are you sure you want to cancel?",
        lambda page, site: page.goto(site.manage_path + "cancel/"),
    ),
    PublicPage("registration-cancelled", "Your registration", _cancel_registration),
    PublicPage("privacy", "Privacy notice", _path("/privacy/")),
    PublicPage("accessibility", "Accessibility statement", _path("/accessibility/")),
    PublicPage("cookies", "Cookies", _path("/cookies/")),
    PublicPage("not-found", "Page not found", _path("/no-such-page/")),
    PublicPage("registration-not-found", "Page not found", _path("/registration/not-a-token/")),
]


def visit(page: Page, site: SiteData, public_page: PublicPage) -> None:
    public_page.visit(page, site)
    # A visit may end with a click: wait for the page it leads to, never
    # check (or run axe on) the one it leaves or one still loading.
    expect(page.locator("h1").first).to_contain_text(public_page.heading)
    page.wait_for_load_state()


# Keyboard ---------------------------------------------------------------


def describe_focus(page: Page) -> str:
    return page.evaluate(
        "() => { const e = document.activeElement;"
        " return e ? e.outerHTML.replace(/\\s+/g, ' ').slice(0, 160) : 'nothing'; }"
    )


def tab_to(page: Page, selector: str, *, within: int = 1) -> None:
    """Press Tab until `selector` has the focus, at most `within` times: with
    the default of 1 the very next Tab must reach it, which checks the order."""
    for _ in range(within):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(
        f"{selector} not reached in {within} Tab press(es); focus is on {describe_focus(page)}"
    )


def assert_focus_visible(page: Page) -> None:
    """The focused link or button shows GOV.UK's yellow focus state."""
    style = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return {background: s.backgroundColor, outline: s.outlineColor,"
        " outlineStyle: s.outlineStyle}; }"
    )
    assert FOCUS_YELLOW in (style["background"], style["outline"]), (
        f"no visible focus on {describe_focus(page)}: {style}"
    )


def is_focused(page: Page, selector: str) -> bool:
    return page.evaluate("s => document.activeElement.matches(s)", selector)


# axe-core ---------------------------------------------------------------


def axe_violations(page: Page) -> list[dict]:
    """Run axe-core on the page (which must bypass CSP) at WCAG 2.2 AA."""
    assert AXE_JS.exists(), f"{AXE_JS} is missing: run `npm ci` (make install does)"
    # An axe_page has it already (its context's init script); others get it now.
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=AXE_JS)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    return result["violations"]


def describe_violations(where: str, violations: list[dict]) -> list[str]:
    lines = []
    for violation in violations:
        for node in violation["nodes"]:
            lines.append(
                f"{where}: {violation['id']} ({violation['impact']}) {violation['help']}"
                f" at {' '.join(node['target'])}: {node['failureSummary']}"
            )
    return lines


# What a page must never do ------------------------------------------------


class BrowserProblems:
    """Collects Content Security Policy violations (Chromium reports them in
    the console), uncaught JavaScript errors and assets that fail to load."""

    def __init__(self):
        self.found: list[str] = []

    def watch(self, context: BrowserContext) -> None:
        context.on("console", self._console)
        context.on("weberror", lambda error: self.found.append(f"JavaScript error: {error.error}"))
        context.on("response", self._response)
        context.on("requestfailed", self._request_failed)

    def _console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            self.found.append(f"CSP violation on {message.page.url}: {message.text}")

    def _response(self, response: Response) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            self.found.append(f"{response.status} for {response.url}")

    def _request_failed(self, request: Request) -> None:
        # A request cut short because the page navigated away is not a fault.
        if request.failure != "net::ERR_ABORTED":
            self.found.append(f"{request.url} failed: {request.failure}")

    def assert_none(self) -> None:
        assert not self.found, "\n".join(self.found)


# Staff -----------------------------------------------------------------

STAFF_EMAIL = "alex.morgan@herts.example.org"
STAFF_PASSWORD = "staff-journey-password-1"


def sign_in(page):
    """Password, then the code from the authenticator app."""
    app = authenticator_app(get_user_model().objects.get(username=STAFF_EMAIL))
    page.goto("/admin/")
    expect(page.locator("body")).to_contain_text("wrong passwords, codes or passkeys")
    page.get_by_label("Username").fill(STAFF_EMAIL)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_label("Code from your authenticator app").fill(current_code(app))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/admin/")


def screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"staff-{name}.png", full_page=True)
