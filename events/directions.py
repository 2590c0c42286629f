"""Directions to an in-person event: a plain link to a map search of its
postcode (no map embedded, no third-party script on our pages)."""

import re
from urllib.parse import urlencode

from .models import Event

# The UK postcode format (outward code, space optional, inward code).
POSTCODE = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2})\b", re.IGNORECASE)


def postcode(address: str) -> str:
    """The last postcode in the address, upper case, or ""."""
    found = POSTCODE.findall(address)
    return found[-1].upper() if found else ""


def directions_url(event: Event) -> str:
    """A map search for the venue's postcode (the venue and address when it
    has none), or "" for an online event or one with no address yet."""
    if event.is_online:
        return ""
    query = postcode(event.address) or ", ".join(
        part for part in [event.venue_name, *event.address.splitlines()] if part.strip()
    )
    if not query:
        return ""
    return "https://www.google.com/maps/search/?" + urlencode({"api": "1", "query": query})
