"""A candidate asks to hear about new events on a phone, confirms from the
email, hears about an event staff publish, and unsubscribes; and every alerts
page passes axe-core at WCAG 2.2 AA at a phone and a desktop viewport."""

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.core import mail
from playwright.sync_api import Page, expect

from alerts import services
from alerts.models import Subscription
from events.models import EventFormat
from tests.factories import EventFactory, role
from tests.outbox import as_sent, to_be_sent

from .support import SCREENSHOTS, axe_violations, describe_violations

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PCSO = "Police community support officer (PCSO)"
CONSENT = "I want emails about new insight events, and I know I can stop them at any time"
SCROLLS_SIDEWAYS = "() => document.documentElement.scrollWidth > window.innerWidth"


def alerts_path(to: str, *, kind: str, path: str) -> str:
    """The path of the /alerts/<path>/<token>/ link in the latest `kind` email to `to`."""
    email = to_be_sent().filter(to=to, kind=kind).order_by("-pk").first()
    assert email is not None, f"no {kind} email to {to}"
    email = as_sent(email)
    match = re.search(re.escape(settings.SITE_URL) + rf"(/alerts/{path}/[^/\s]+/)", email.body_text)
    assert match, f"no /alerts/{path}/ link in the {kind} email:\n{email.body_text}"
    return match.group(1)


def fill_alerts_form(page: Page, *, email: str) -> None:
    page.get_by_label("Email address").fill(email)
    page.get_by_label(PCSO).check()
    page.get_by_label("Online only").check()
    page.get_by_label(CONSENT).check()


@pytest.mark.parametrize("viewport", ["phone"])
def test_subscribe_confirm_hear_about_an_event_and_unsubscribe_on_a_phone(page, viewport):
    page.goto("/events/")
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("link", name="Event alerts").click()
    expect(page.locator("h1")).to_have_text("Get emails about new insight events")

    fill_alerts_form(page, email="niamh@example.com")
    page.get_by_role("button", name="Send me event alerts").click()

    page.wait_for_url("**/alerts/check-your-email/")
    expect(page.locator("h1")).to_have_text("Check your email")
    expect(page.locator("main")).to_contain_text("niamh@example.com")
    subscription = Subscription.objects.get(email_key="niamh@example.com")
    assert not subscription.is_confirmed
    assert [message.subject for message in mail.outbox] == [
        "Confirm you want emails about new insight events"
    ]

    page.goto(alerts_path("niamh@example.com", kind="alerts_confirm", path="confirm"))
    expect(page.locator("h1")).to_have_text("Confirm your event alerts")
    expect(page.locator("main")).to_contain_text(PCSO)
    assert not Subscription.objects.get().is_confirmed  # opening the link confirms nothing
    page.get_by_role("button", name="Confirm and start alerts").click()
    expect(page.locator("h1")).to_have_text("Your event alerts")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "You will get an email when we add an event"
    )
    assert Subscription.objects.get().is_confirmed

    # Staff publish a matching online event and beat runs.
    event = EventFactory(
        title="Online evening for PCSOs",
        format=EventFormat.ONLINE,
        venue_name="",
        address="",
        roles=[role("pcso")],
    )
    EventFactory(title="Special constables evening", roles=[role("special-constable")])
    services.start_event_alerts()

    alerts = [message for message in mail.outbox if message.subject.startswith("New insight")]
    assert [message.subject.split(",")[0] for message in alerts] == [
        "New insight event: Online evening for PCSOs"
    ]
    assert alerts[0].extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    page.goto(event.get_absolute_url())
    expect(page.locator("h1")).to_contain_text("Online evening for PCSOs")

    page.goto(alerts_path("niamh@example.com", kind="event_alert", path="unsubscribe"))
    expect(page.locator("h1")).to_have_text("Unsubscribe from event alerts?")
    assert Subscription.objects.exists()  # opening the link unsubscribes nobody
    page.get_by_role("button", name="Yes, unsubscribe").click()
    page.wait_for_url("**/alerts/unsubscribed/")
    expect(page.locator("h1")).to_have_text("You have unsubscribed")
    assert not Subscription.objects.exists()


@pytest.mark.parametrize("viewport", ["desktop"])
def test_the_form_errors_are_in_the_summary_and_at_each_field(page, viewport):
    page.goto("/alerts/")
    page.get_by_label("Email address").fill("niamh@")

    page.get_by_role("button", name="Send me event alerts").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    for message in (
        "Enter an email address in the correct format, like name@example.com",
        "Select at least one role",
        "Select in person, online, or both",
        "Confirm that you want emails about new insight events",
    ):
        expect(summary).to_contain_text(message)
        expect(page.locator(".govuk-error-message", has_text=message)).to_have_count(1)
    expect(page.get_by_label("Email address")).to_have_value("niamh@")
    summary.get_by_role("link", name="Select at least one role").click()
    expect(page.get_by_label("Police officer")).to_be_focused()


# axe-core on every alerts page -------------------------------------------


@dataclass(frozen=True)
class AlertsPage:
    name: str
    heading: str
    visit: Callable[[Page, dict], object]


def _submit(page: Page, links: dict) -> None:
    page.goto("/alerts/")
    fill_alerts_form(page, email="new.subscriber@example.com")
    page.get_by_role("button", name="Send me event alerts").click()


def _submit_empty(page: Page, links: dict) -> None:
    page.goto("/alerts/")
    page.get_by_role("button", name="Send me event alerts").click()
    page.locator(".govuk-error-summary").wait_for()  # the heading stays the same


def _manage_with_error(page: Page, links: dict) -> None:
    page.goto(links["manage"])
    for checkbox in page.locator("input[name=roles]").all():
        checkbox.uncheck()
    page.get_by_role("button", name="Save changes").click()
    page.locator(".govuk-error-summary").wait_for()  # the heading stays the same


def _unsubscribe(page: Page, links: dict) -> None:
    page.goto(links["unsubscribe"])
    page.get_by_role("button", name="Yes, unsubscribe").click()


ALERTS_PAGES = [
    AlertsPage(
        "alerts-form", "Get emails about new insight events", lambda page, _: page.goto("/alerts/")
    ),
    AlertsPage("alerts-form-errors", "Get emails about new insight events", _submit_empty),
    AlertsPage("alerts-check-your-email", "Check your email", _submit),
    AlertsPage(
        "alerts-confirm",
        "Confirm your event alerts",
        lambda page, links: page.goto(links["confirm"]),
    ),
    AlertsPage(
        "alerts-reconfirm",
        "Keep getting event alerts",
        lambda page, links: page.goto(links["keep"]),
    ),
    AlertsPage(
        "alerts-manage", "Your event alerts", lambda page, links: page.goto(links["manage"])
    ),
    AlertsPage("alerts-manage-errors", "Your event alerts", _manage_with_error),
    AlertsPage(
        "alerts-unsubscribe",
        "Unsubscribe from event alerts?",
        lambda page, links: page.goto(links["unsubscribe"]),
    ),
    AlertsPage("alerts-unsubscribed", "You have unsubscribed", _unsubscribe),
    AlertsPage(
        "alerts-link-not-found", "Page not found", lambda page, _: page.goto("/alerts/manage/nope/")
    ),
]


def subscriber_links() -> dict[str, str]:
    """An unconfirmed subscriber's confirm link and a confirmed one's links."""
    roles = [role("police-officer"), role("special-constable")]
    services.subscribe(email="pending@example.com", roles=roles)
    confirmed = services.subscribe(
        email="a.very.long.address.for.a.phone.screen@example.com", roles=roles
    )
    services.confirm_subscription(confirmed)
    token = services.add_link(confirmed)
    return {
        "confirm": alerts_path("pending@example.com", kind="alerts_confirm", path="confirm"),
        "keep": f"/alerts/confirm/{token}/",
        "manage": f"/alerts/manage/{token}/",
        "unsubscribe": f"/alerts/unsubscribe/{token}/",
    }


def test_every_alerts_page_has_no_wcag_22_aa_violations(axe_page, viewport):
    links = subscriber_links()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems = []

    for alerts_page in ALERTS_PAGES:
        alerts_page.visit(axe_page, links)
        # Wait for the page a visit's click leads to, not the one it leaves.
        expect(axe_page.locator("h1").first).to_contain_text(alerts_page.heading)
        axe_page.wait_for_load_state()
        axe_page.screenshot(path=SCREENSHOTS / f"{alerts_page.name}-{viewport}.png", full_page=True)
        problems += describe_violations(alerts_page.name, axe_violations(axe_page))
        if axe_page.evaluate(SCROLLS_SIDEWAYS):
            problems.append(f"{alerts_page.name}: the page scrolls sideways (WCAG 1.4.10)")

    assert not problems, "\n".join(problems)
