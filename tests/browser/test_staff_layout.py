"""Every staff page at a laptop's 1280 px and a phone's 360 px: nothing
wider than the screen, nothing cut off by its container, and no WCAG 2.2 AA
violation found by axe-core. At 1280 px no table needs a sideways scroll
either. At 360 px the pages staff use at the door on the night (home,
check-in, the registrations of one event) need no sideways scroll inside
any box and their checkboxes and buttons are big enough to tap; elsewhere
a long list may scroll inside its own box (the page does not).
Screenshots go to var/screenshots/staff-layout-*.png."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import RegistrationStatus
from tests.factories import EventFactory, RegistrationFactory, SubscriptionFactory

from .support import SCREENSHOTS, axe_violations, describe_violations, evening, sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# The pages used on the night, on a phone at the door.
NIGHT_PAGES = {"home", "registrations", "check-in"}

# What a page must not do. Elements inside a box that scrolls sideways on
# purpose (Django's changelist results) are that box's business, except
# where no box may scroll sideways (noScroll).
LAYOUT_PROBLEMS = """(noScroll) => {
  const width = document.documentElement.clientWidth;
  const problems = [];
  if (document.documentElement.scrollWidth > width) {
    problems.push(`the page is ${document.documentElement.scrollWidth}px wide`);
  }
  const scrolls = (el) => ["auto", "scroll"].includes(getComputedStyle(el).overflowX);
  const inScroller = (el) => { for (let p = el.parentElement; p; p = p.parentElement) {
    if (scrolls(p)) return true; } return false; };
  for (const el of document.querySelectorAll("body *")) {
    const style = getComputedStyle(el);
    if (style.display === "none" || style.visibility === "hidden") continue;
    const box = el.getBoundingClientRect();
    // Visually hidden text (for screen readers) is clipped on purpose.
    if (style.clip !== "auto" || style.clipPath !== "none" || box.width <= 1) continue;
    const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
      (el.className && typeof el.className === "string" ? "." + el.className.split(" ")[0] : "");
    if (box.width && box.right > width + 1 && !inScroller(el)) {
      problems.push(`${name} reaches ${Math.round(box.right)}px`);
    }
    const cuts = ["hidden", "clip"].includes(style.overflowX);
    // A text box shows the start of a long value and scrolls: not cut off.
    if (cuts && el.scrollWidth > el.clientWidth + 1 && !["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName)) {
      problems.push(`${name} cuts off ${el.scrollWidth - el.clientWidth}px`);
    }
    if (noScroll && scrolls(el) && el.scrollWidth > el.clientWidth + 1 && el.tagName !== "TEXTAREA") {
      problems.push(`${name} needs a sideways scroll of ${el.scrollWidth - el.clientWidth}px`);
    }
    // A column heading squeezed until its words break (one letter a line):
    // more lines of text than it has words.
    const head = el.closest("thead");  // a phone's hidden headings (.app-stack) aside
    if (el.tagName === "TH" && head && head.getBoundingClientRect().width > 1) {
      const tops = new Set();
      const texts = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      for (let text = texts.nextNode(); text; text = texts.nextNode()) {
        if (!text.textContent.trim()) continue;
        const range = document.createRange();
        range.selectNodeContents(text);
        for (const r of range.getClientRects()) if (r.width > 0) tops.add(Math.round(r.top));
      }
      const words = el.textContent.trim().split(/[\\s-]+/).length;
      if (tops.size > words) {
        problems.push(`heading "${el.textContent.trim()}" breaks inside a word`);
      }
    }
  }
  return [...new Set(problems)].slice(0, 10);
}"""

# WCAG 2.2's minimum target size (2.5.8): 24 by 24 px for every checkbox,
# button and list in the page's main content (links in text are exempt).
SMALL_TARGETS = """() => {
  const problems = [];
  const controls = "input[type=checkbox], input[type=submit], button, select";
  for (const el of document.querySelectorAll(controls)) {
    const box = el.getBoundingClientRect();
    if (!el.closest("main")) continue;
    if (!box.width || getComputedStyle(el).visibility === "hidden") continue;
    if (box.width < 24 || box.height < 24) {
      const name = el.getAttribute("aria-label") || el.textContent.trim() || el.name;
      problems.push(`${el.tagName.toLowerCase()} "${name}" is ${Math.round(box.width)}x${Math.round(box.height)}px`);
    }
  }
  return [...new Set(problems)].slice(0, 10);
}"""


def staff_pages(busy, tonight) -> dict[str, str]:
    event_url = lambda name: reverse(f"admin:events_event_{name}", args=[busy.pk])  # noqa: E731
    return {
        "home": reverse("admin:index"),
        "events": reverse("admin:events_event_changelist"),
        "event": event_url("change"),
        "add-event": reverse("admin:events_event_add"),
        "registrations": reverse("admin:events_registration_changelist")
        + f"?event__id__exact={busy.pk}",
        "check-in": reverse("admin:events_event_checkin", args=[tonight.pk]),
        "walk-in": reverse("admin:events_event_walk_in", args=[tonight.pk]),
        "duplicate": event_url("duplicate"),
        "series": event_url("series"),
        "email": event_url("email"),
        "register-by-phone": event_url("register_by_phone"),
        "outbox": reverse("admin:emails_outgoingemail_changelist"),
        "subscriptions": reverse("admin:alerts_subscription_changelist"),
        "alert-runs": reverse("admin:alerts_eventalertrun_changelist"),
    }


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_every_staff_page_fits_the_screen_and_passes_axe(axe_page, staff_member, viewport):
    busy = EventFactory(
        title="Insight evening at headquarters with a long title that wraps",
        capacity=3,
        starts_at=evening(12),
    )
    RegistrationFactory.create_batch(3, event=busy, access_needs="A hearing loop, please.")
    RegistrationFactory.create_batch(2, event=busy, status=RegistrationStatus.WAITING)
    start = timezone.now() - timedelta(minutes=15)
    tonight = EventFactory(title="Tonight", starts_at=start, ends_at=start + timedelta(hours=2))
    RegistrationFactory.create_batch(3, event=tonight)
    SubscriptionFactory.create_batch(2)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    sign_in(axe_page)
    problems = []

    for name, url in staff_pages(busy, tonight).items():
        axe_page.goto(url)
        axe_page.screenshot(
            path=SCREENSHOTS / f"staff-layout-{name}-{viewport}.png", full_page=True
        )
        at_the_door = viewport == "phone" and name in NIGHT_PAGES
        no_scroll = viewport == "desktop" or at_the_door
        problems += [f"{name}: {p}" for p in axe_page.evaluate(LAYOUT_PROBLEMS, no_scroll)]
        if at_the_door:
            problems += [f"{name}: {p}" for p in axe_page.evaluate(SMALL_TARGETS)]
        problems += describe_violations(name, axe_violations(axe_page))

    assert not problems, "\n".join(problems)
