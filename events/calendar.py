"""The .ics invite attached to registration emails: one stable UID per
registration, SEQUENCE from the event so a changed event replaces the old
entry, times in Europe/London with the zone's definition included.

METHOD:PUBLISH (an entry to add, not a meeting request to answer) for
invites and changes, METHOD:CANCEL with STATUS:CANCELLED to remove it. Both
name the ORGANIZER, and a CANCEL names the ATTENDEE, as RFC 5546 asks:
Outlook ignores a cancellation without them."""

from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from urllib.parse import urlsplit
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
    if event.is_online:
        entry.add("location", "Online: joining details are in your email")
    else:
        entry.add("location", ", ".join([event.venue_name, *event.address.splitlines()]))
    entry.add("description", f"Your reference: {registration.reference}")
    entry.add("url", f"{settings.SITE_URL}{event.get_absolute_url()}")
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    entry.add("organizer", f"mailto:{address}", parameters={"CN": name or settings.FORCE_NAME})
    if cancel:
        entry.add(
            "attendee", f"mailto:{registration.email}", parameters={"CN": _name(registration)}
        )
    return entry


def _name(registration: Registration) -> str:
    return registration.full_name.replace('"', "'")
