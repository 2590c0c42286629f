"""What an event page tells search engines and link previews (WhatsApp,
Facebook, X, LinkedIn): schema.org `Event` data, built here and written
into the page as JSON-LD by the `json_ld` filter (core/templatetags/display.py).

Never the joining link of an online event: only registrants see it."""

import re
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse

from core.templatetags.govuk_dates import event_when

from .models import Event, EventState

LONDON = ZoneInfo("Europe/London")
SCHEMA = "https://schema.org/"
UK_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$", re.IGNORECASE)

AVAILABILITY = {
    EventState.OPEN: "InStock",
    EventState.FEW_LEFT: "LimitedAvailability",
    EventState.FULL: "SoldOut",
    EventState.NOT_YET_OPEN: "PreOrder",
}


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def preview_text(event: Event, *, state: str) -> str:
    """The description a link preview shows under the title: when, where
    and the summary, so a shared link answers "when is it?" by itself."""
    where = "Online" if event.is_online else event.venue_name
    cancelled = "Cancelled: " if state == EventState.CANCELLED else ""
    return f"{cancelled}{event_when(event.starts_at, event.ends_at)}. {where}. {event.summary}"


def event_data(event: Event, *, state: str) -> dict:
    """The schema.org Event for this event in this state. Times are
    Europe/London with their offset (+00:00 in winter, +01:00 in summer)."""
    url = absolute(event.get_absolute_url())
    return {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "description": event.summary,
        "url": url,
        "startDate": event.starts_at.astimezone(LONDON).isoformat(),
        "endDate": event.ends_at.astimezone(LONDON).isoformat(),
        "eventAttendanceMode": SCHEMA
        + ("OnlineEventAttendanceMode" if event.is_online else "OfflineEventAttendanceMode"),
        # EventRescheduled would need the date it moved from, which is not
        # stored (Event.sequence also rises for a change of place).
        "eventStatus": SCHEMA
        + ("EventCancelled" if state == EventState.CANCELLED else "EventScheduled"),
        "location": _location(event, url=url),
        "organizer": {
            "@type": "Organization",
            "name": settings.FORCE_NAME,
            "url": absolute("/"),
        },
        "isAccessibleForFree": True,
        "offers": {
            "@type": "Offer",
            "price": 0,
            "priceCurrency": "GBP",
            "availability": SCHEMA + AVAILABILITY.get(state, "Discontinued"),
            "url": absolute(reverse("events:register", kwargs={"slug": event.slug})),
        },
    }


def _location(event: Event, *, url: str) -> dict:
    if event.is_online:
        # The event's public page, never the joining link.
        return {"@type": "VirtualLocation", "url": url}
    return {"@type": "Place", "name": event.venue_name, "address": postal_address(event.address)}


def postal_address(address: str) -> dict:
    """A multi-line UK address as a schema.org PostalAddress: a last line
    that is a postcode becomes postalCode, the line before it the town."""
    lines = [line.strip().rstrip(",") for line in address.splitlines() if line.strip()]
    postal = {"@type": "PostalAddress", "addressCountry": "GB"}
    if lines and UK_POSTCODE.match(lines[-1]):
        postal["postalCode"] = lines.pop().upper()
    if len(lines) > 1:
        postal["addressLocality"] = lines.pop()
    if lines:
        postal["streetAddress"] = ", ".join(lines)
    return postal
