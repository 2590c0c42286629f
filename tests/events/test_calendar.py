"""The .ics files: entries that Google, Outlook and Apple calendars import
at the right Europe/London time and replace or remove on a later update."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from emails.models import OutgoingEmail
from events import calendar, services
from events.models import EventFormat, RegistrationStatus
from tests.factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def parse(attachment):
    return icalendar.Calendar.from_ical(attachment["content"])


def test_the_timezone_we_send_agrees_with_europe_london_for_years_to_come():
    sent = parse(calendar.registration_ics(RegistrationFactory()))
    [vtimezone] = sent.walk("VTIMEZONE")
    as_read = vtimezone.to_tz()

    for year in range(2026, 2046):
        for month in (1, 3, 4, 6, 10, 11, 12):
            for day in (1, 24, 25, 26, 27, 28, 29, 30, 31):
                for hour in (0, 1, 2, 3, 19):
                    try:
                        moment = datetime(year, month, day, hour)  # noqa: DTZ001 - a wall-clock time
                    except ValueError:
                        continue
                    expected = moment.replace(tzinfo=LONDON).utcoffset()
                    assert moment.replace(tzinfo=as_read).utcoffset() == expected, moment


def test_an_invite_has_a_stable_uid_and_london_times_with_the_zone_named():
    registration = RegistrationFactory()
    start = datetime(2026, 7, 14, 19, 0, tzinfo=LONDON)
    registration.event.starts_at, registration.event.ends_at = start, start + timedelta(hours=2)

    first = parse(calendar.registration_ics(registration))
    again = parse(calendar.registration_ics(registration))

    [entry] = first.walk("VEVENT")
    assert first["METHOD"] == "PUBLISH"
    assert str(entry["UID"]) == str(again.walk("VEVENT")[0]["UID"])
    assert entry["DTSTART"].params["TZID"] == "Europe/London"
    assert entry["DTSTART"].to_ical() == b"20260714T190000"
    assert entry["DTEND"].dt == start + timedelta(hours=2)
    assert "mailto:recruitment@example.org" in str(entry["ORGANIZER"])
    assert "Stanborough Road" in str(entry["LOCATION"])


def test_a_cancellation_names_organizer_and_attendee_and_outranks_the_invite():
    registration = RegistrationFactory()

    invite = parse(calendar.registration_ics(registration)).walk("VEVENT")[0]
    cancel_file = calendar.registration_ics(registration, cancel=True)
    cancel = parse(cancel_file).walk("VEVENT")[0]

    assert cancel_file["mimetype"] == "text/calendar; charset=utf-8; method=CANCEL"
    assert cancel["UID"] == invite["UID"]
    assert cancel["SEQUENCE"] > invite["SEQUENCE"]
    assert cancel["STATUS"] == "CANCELLED"
    assert str(cancel["ATTENDEE"]) == f"mailto:{registration.email}"
    assert "ORGANIZER" in cancel


def test_an_online_event_has_its_joining_link_as_url_and_location():
    event = EventFactory(
        format=EventFormat.ONLINE,
        venue_name="",
        address="",
        online_joining_url="https://meet.example.org/insight-42",
        online_joining_details="Dial 01632 960123, meeting ID 482 1937.",
    )
    registration = RegistrationFactory(event=event)

    [entry] = parse(calendar.registration_ics(registration)).walk("VEVENT")

    assert str(entry["URL"]) == "https://meet.example.org/insight-42"
    assert str(entry["LOCATION"]) == "https://meet.example.org/insight-42"
    assert "482 1937" in str(entry["DESCRIPTION"])
    assert "chat" in str(entry["DESCRIPTION"])


def test_adding_or_changing_the_joining_link_raises_the_sequence_and_emails_those_with_a_place():
    event = EventFactory(format=EventFormat.ONLINE, venue_name="", address="", capacity=1)
    confirmed = RegistrationFactory(event=event)
    RegistrationFactory(event=event, status=RegistrationStatus.WAITING)
    first = parse(calendar.registration_ics(confirmed)).walk("VEVENT")[0]

    for link in ("https://meet.example.org/one", "https://meet.example.org/two"):
        services.change_event(
            event,
            starts_at=event.starts_at,
            ends_at=event.ends_at,
            venue_name="",
            address="",
            online_joining_url=link,
        )
    confirmed.refresh_from_db()

    [entry] = parse(calendar.registration_ics(confirmed)).walk("VEVENT")
    assert entry["SEQUENCE"] == first["SEQUENCE"] + 2
    assert str(entry["URL"]) == "https://meet.example.org/two"
    changed = OutgoingEmail.objects.filter(kind="event_changed").order_by("pk")
    assert [email.to for email in changed] == [confirmed.email, confirmed.email]
    assert "https://meet.example.org/two" in changed.last().body_text
    assert "joining details for" in changed.last().body_text
    assert changed.last().attachments[0]["filename"] == "invite.ics"


def test_add_to_calendar_links_carry_the_event_in_utc():
    registration = RegistrationFactory()
    start = datetime(2026, 7, 14, 19, 0, tzinfo=LONDON)
    registration.event.starts_at, registration.event.ends_at = start, start + timedelta(hours=2)

    google = calendar.google_calendar_url(registration)
    outlook = calendar.outlook_calendar_url(registration)

    assert "dates=20260714T180000Z%2F20260714T200000Z" in google
    assert "AL8+6XF" in google
    assert "startdt=2026-07-14T18%3A00%3A00Z" in outlook
    assert "rru=addevent" in outlook
