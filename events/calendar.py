"""The .ics invite attached to registration emails: one stable UID per
registration, SEQUENCE from the event so a changed event replaces the old
entry, times in Europe/London with the zone's definition included.

METHOD:PUBLISH (an entry to add, not a meeting request to answer) for
invites and changes, METHOD:CANCEL with STATUS:CANCELLED to remove it. Both
name the ORGANIZER, and a CANCEL names the ATTENDEE, as RFC 5546 asks:
Outlook ignores a cancellation without them."""

from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings

from .models import Registration

LONDON = ZoneInfo("Europe/London")


def _uid(registration: Registration) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"registration-{registration.pk}@{host}"


def london_timezone() -> icalendar.Timezone:
    """Europe/London as a VTIMEZONE with the rule (last Sunday of March and
    of October, at 01:00 UTC) rather than a list of dates: the form Google,
    Outlook and Apple calendars write themselves, valid for any year."""
    timezone = icalendar.Timezone()
    timezone.add("tzid", "Europe/London")
    timezone.add("x-lic-location", "Europe/London")
    summer = icalendar.TimezoneDaylight()
    summer.add("tzname", "BST")
    summer.add("tzoffsetfrom", timedelta(0))
    summer.add("tzoffsetto", timedelta(hours=1))
    summer.add("dtstart", datetime(1970, 3, 29, 1, 0))  # noqa: DTZ001 - local time of the rule
    summer.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "-1su"})
    winter = icalendar.TimezoneStandard()
    winter.add("tzname", "GMT")
    winter.add("tzoffsetfrom", timedelta(hours=1))
    winter.add("tzoffsetto", timedelta(0))
    winter.add("dtstart", datetime(1970, 10, 25, 2, 0))  # noqa: DTZ001 - local time of the rule
    winter.add("rrule", {"freq": "yearly", "bymonth": 10, "byday": "-1su"})
    timezone.add_component(summer)
    timezone.add_component(winter)
    return timezone


def registration_ics(registration: Registration, *, cancel: bool = False) -> dict:
    """The attachment as the outbox stores it: {filename, content, mimetype}."""
    method = "CANCEL" if cancel else "PUBLISH"
    calendar = icalendar.Calendar()
    calendar.add("prodid", f"-//{settings.FORCE_NAME}//Insight events//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    calendar.add_component(london_timezone())
    calendar.add_component(_entry(registration, cancel=cancel))
    return {
        "filename": "cancel.ics" if cancel else "invite.ics",
        "content": calendar.to_ical().decode(),
        "mimetype": f"text/calendar; charset=utf-8; method={method}",
    }


def _entry(registration: Registration, *, cancel: bool) -> icalendar.Event:
    event = registration.event
    entry = icalendar.Event()
    entry.add("uid", _uid(registration))
    # A cancellation must outrank the last invite, which carried event.sequence.
    entry.add("sequence", event.sequence + (1 if cancel else 0))
    entry.add("dtstamp", datetime.now(tz=UTC))
    entry.add("dtstart", event.starts_at.astimezone(LONDON))
    entry.add("dtend", event.ends_at.astimezone(LONDON))
    entry.add("summary", f"{event.title} ({settings.FORCE_NAME})")
    entry.add("status", "CANCELLED" if cancel else "CONFIRMED")
    entry.add("location", location(event))
    entry.add("description", description(registration))
    # For an online event the calendar's link is the way in (only people
    # with a place get this file); otherwise the event's page.
    entry.add("url", event.online_joining_url or f"{settings.SITE_URL}{event.get_absolute_url()}")
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    entry.add("organizer", f"mailto:{address}", parameters={"CN": name or settings.FORCE_NAME})
    if cancel:
        entry.add(
            "attendee", f"mailto:{registration.email}", parameters={"CN": _name(registration)}
        )
    return entry


def _name(registration: Registration) -> str:
    return registration.full_name.replace('"', "'")


def location(event) -> str:
    """Where, in one line: the joining link of an online event (or just
    "Online" until staff add it), else the venue and address."""
    if event.is_online:
        return event.online_joining_url or "Online"
    return ", ".join(part for part in [event.venue_name, *event.address.splitlines()] if part)


def description(registration: Registration) -> str:
    event = registration.event
    lines = [f"Your reference: {registration.reference}"]
    if event.is_online:
        if event.online_joining_url:
            lines.append(f"Join the video call: {event.online_joining_url}")
        if event.online_joining_details:
            lines.append(event.online_joining_details)
        lines.append("Ask your questions in the chat.")
    return "\n".join(lines)


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def google_calendar_url(registration: Registration) -> str:
    """Google Calendar's documented "add event" link, from the event's fields."""
    event = registration.event
    dates = "/".join(
        f"{_utc(moment):%Y%m%dT%H%M%SZ}" for moment in (event.starts_at, event.ends_at)
    )
    query = {
        "action": "TEMPLATE",
        "text": f"{event.title} ({settings.FORCE_NAME})",
        "dates": dates,
        "details": description(registration),
        "location": location(event),
        "ctz": "Europe/London",
    }
    return "https://calendar.google.com/calendar/render?" + urlencode(query)


def outlook_calendar_url(registration: Registration) -> str:
    """Outlook on the web's "add event" link (personal accounts), from the event's fields."""
    event = registration.event
    query = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": f"{event.title} ({settings.FORCE_NAME})",
        "startdt": f"{_utc(event.starts_at):%Y-%m-%dT%H:%M:%SZ}",
        "enddt": f"{_utc(event.ends_at):%Y-%m-%dT%H:%M:%SZ}",
        "body": description(registration),
        "location": location(event),
    }
    return "https://outlook.live.com/calendar/0/deeplink/compose?" + urlencode(query)
