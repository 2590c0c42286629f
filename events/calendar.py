"""The .ics invite attached to registration emails: one stable UID per
registration, SEQUENCE from the event so a changed event replaces the old
entry, times in Europe/London with the zone's definition included."""

from datetime import UTC, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings

from .models import Registration

LONDON = ZoneInfo("Europe/London")


def _uid(registration: Registration) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"registration-{registration.pk}@{host}"


def registration_ics(registration: Registration, *, cancel: bool = False) -> dict:
    """The attachment as the outbox stores it: {filename, content, mimetype}."""
    event = registration.event
    calendar = icalendar.Calendar()
    calendar.add("prodid", f"-//{settings.FORCE_NAME}//Insight events//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancel else "PUBLISH")
    entry = icalendar.Event()
    entry.add("uid", _uid(registration))
    entry.add("sequence", event.sequence + (1 if cancel else 0))
    entry.add("dtstamp", datetime.now(tz=UTC))
    entry.add("dtstart", event.starts_at.astimezone(LONDON))
    entry.add("dtend", event.ends_at.astimezone(LONDON))
    entry.add("summary", f"{event.title} ({settings.FORCE_NAME})")
    entry.add("status", "CANCELLED" if cancel else "CONFIRMED")
    if event.is_online:
        entry.add("location", "Online: joining details are in your email")
    else:
        entry.add("location", ", ".join([event.venue_name, *event.address.splitlines()]))
    entry.add("description", f"Your reference: {registration.reference}")
    entry.add("url", f"{settings.SITE_URL}{event.get_absolute_url()}")
    calendar.add_component(entry)
    calendar.add_missing_timezones()
    return {
        "filename": "cancel.ics" if cancel else "invite.ics",
        "content": calendar.to_ical().decode(),
        "mimetype": f"text/calendar; charset=utf-8; method={'CANCEL' if cancel else 'PUBLISH'}",
    }
