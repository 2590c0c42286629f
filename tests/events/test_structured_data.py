"""What an event page tells link previews and search engines: a meta
description, Open Graph and Twitter card tags, and schema.org Event data
as JSON-LD that parses and says the right things in every state."""

import json
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from events.models import Audience, EventFormat, EventStatus
from events.structured_data import postal_address
from tests.factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
SCHEMA = "https://schema.org/"
# 7pm to 9pm in London: GMT in January, BST in July.
WINTER = datetime(2031, 1, 14, 19, tzinfo=LONDON), datetime(2031, 1, 14, 21, tzinfo=LONDON)
SUMMER = datetime(2031, 7, 15, 19, tzinfo=LONDON), datetime(2031, 7, 15, 21, tzinfo=LONDON)


def page(client, event) -> str:
    return client.get(event.get_absolute_url()).content.decode()


def json_ld(body: str) -> dict:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', body, re.S)
    assert len(blocks) == 1
    return json.loads(blocks[0])


def meta(body: str, name: str) -> str:
    match = re.search(rf'<meta (?:name|property)="{re.escape(name)}"\s+content="([^"]*)"', body)
    assert match, f"no {name} meta tag"
    return " ".join(match.group(1).split())


def test_an_in_person_event_is_an_offline_event_at_a_place_with_a_postal_address(client):
    starts, ends = WINTER
    event = EventFactory(title="Insight evening", starts_at=starts, ends_at=ends)

    data = json_ld(page(client, event))

    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Event"
    assert data["name"] == "Insight evening"
    assert data["url"] == f"https://events.example.org/events/{event.slug}/"
    assert data["startDate"] == "2031-01-14T19:00:00+00:00"
    assert data["endDate"] == "2031-01-14T21:00:00+00:00"
    assert data["eventAttendanceMode"] == SCHEMA + "OfflineEventAttendanceMode"
    assert data["eventStatus"] == SCHEMA + "EventScheduled"
    assert data["location"] == {
        "@type": "Place",
        "name": "Police Headquarters",
        "address": {
            "@type": "PostalAddress",
            "streetAddress": "Stanborough Road",
            "addressLocality": "Welwyn Garden City",
            "postalCode": "AL8 6XF",
            "addressCountry": "GB",
        },
    }
    assert data["organizer"] == {
        "@type": "Organization",
        "name": "Hertfordshire Constabulary",
        "url": "https://events.example.org/",
    }
    assert data["offers"] == {
        "@type": "Offer",
        "price": 0,
        "priceCurrency": "GBP",
        "availability": SCHEMA + "InStock",
        "url": f"https://events.example.org/events/{event.slug}/register/",
    }


def test_an_online_event_is_at_a_virtual_location_that_is_never_the_joining_link(client):
    starts, ends = SUMMER
    event = EventFactory(
        format=EventFormat.ONLINE,
        venue_name="",
        address="",
        online_joining_details="https://meet.example.org/secret-room",
        starts_at=starts,
        ends_at=ends,
    )

    body = page(client, event)
    data = json_ld(body)

    assert data["startDate"] == "2031-07-15T19:00:00+01:00"
    assert data["endDate"] == "2031-07-15T21:00:00+01:00"
    assert data["eventAttendanceMode"] == SCHEMA + "OnlineEventAttendanceMode"
    assert data["location"] == {
        "@type": "VirtualLocation",
        "url": f"https://events.example.org/events/{event.slug}/",
    }
    assert "secret-room" not in body


def test_a_full_event_is_sold_out_and_a_few_places_left_is_limited(client):
    full = EventFactory(capacity=1)
    RegistrationFactory(event=full)
    few = EventFactory(capacity=10)
    RegistrationFactory.create_batch(8, event=few)

    assert json_ld(page(client, full))["offers"]["availability"] == SCHEMA + "SoldOut"
    assert json_ld(page(client, few))["offers"]["availability"] == SCHEMA + "LimitedAvailability"


def test_a_cancelled_event_says_so(client):
    event = EventFactory(status=EventStatus.CANCELLED)

    body = page(client, event)
    data = json_ld(body)

    assert data["eventStatus"] == SCHEMA + "EventCancelled"
    assert data["offers"]["availability"] == SCHEMA + "Discontinued"
    assert meta(body, "og:description").startswith("Cancelled: ")


def test_markup_in_a_title_cannot_end_the_script_element(client):
    event = EventFactory(title="Evening </script><script>alert(1)</script> & <!-- more")

    body = page(client, event)
    block = body.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]

    assert "<" not in block
    assert json.loads(block)["name"] == event.title


def test_link_previews_get_a_title_description_and_absolute_address(client):
    starts, ends = WINTER
    event = EventFactory(
        title="Women's insight evening",
        summary="Officers talk about the job.",
        audience=Audience.WOMEN,
        starts_at=starts,
        ends_at=ends,
    )

    body = page(client, event)

    expected = (
        "Tuesday 14 January 2031, 7pm to 9pm. Police Headquarters. Officers talk about the job."
    )
    assert meta(body, "description") == expected
    assert meta(body, "og:description") == expected
    assert meta(body, "twitter:description") == expected
    assert meta(body, "og:title") == "Women&#x27;s insight evening"
    assert meta(body, "twitter:title") == "Women&#x27;s insight evening"
    assert meta(body, "og:type") == "website"
    assert meta(body, "og:url") == f"https://events.example.org/events/{event.slug}/"
    assert meta(body, "twitter:card") == "summary"


@pytest.mark.parametrize("path", ["/", "/events/", "/privacy/"])
def test_home_list_and_other_pages_have_a_meta_description(client, path):
    EventFactory()

    body = client.get(path).content.decode()

    assert "insight events" in meta(body, "description")


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        (
            "Stanborough Road\nWelwyn Garden City\nAL8 6XF",
            {"streetAddress": "Stanborough Road", "addressLocality": "Welwyn Garden City"}
            | {"postalCode": "AL8 6XF"},
        ),
        (
            "Police Station, Lytton Way,\nStevenage\nsg1 1hf",
            {"streetAddress": "Police Station, Lytton Way", "addressLocality": "Stevenage"}
            | {"postalCode": "SG1 1HF"},
        ),
        ("Lytton Way\nStevenage", {"streetAddress": "Lytton Way", "addressLocality": "Stevenage"}),
        ("Somewhere", {"streetAddress": "Somewhere"}),
        ("", {}),
    ],
)
def test_a_written_address_becomes_a_postal_address(address, expected):
    assert postal_address(address) == {
        "@type": "PostalAddress",
        "addressCountry": "GB",
        **expected,
    }
