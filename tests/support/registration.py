"""Registering a candidate, as the tests arrange it: `register()` through
the service the registration view calls, and the public registration form as
a candidate fills it in (shared by the view tests, the fuzz tests and the
fault drills). The browser tests fill in the real page with
tests/browser/support.py's `register_on_page`."""

from datetime import datetime

from events import services
from events.models import Event, Role
from tests.factories import EventFactory
from tests.factories import role as role_of


def register(
    *,
    event: Event | None = None,
    email: str = "sam@example.com",
    first_name: str = "Sam",
    last_name: str = "Okafor",
    role: Role | None = None,
    heard_from: str = "social_media",
    phone: str = "",
    access_needs: str = "",
    form_key: str = "",
    now: datetime | None = None,
) -> services.RegistrationOutcome:
    """Register a candidate the way the registration page does: through
    `events.services.register_candidate`, so the place is decided under the
    event's row lock, the trigger counts it, and the confirmation or
    waiting-list email is queued in the outbox (the test's `.registration`
    is the row; `.created` is False for a repeat address).

    Every argument has a candidate's ordinary answer: `event` a new
    published event (EventFactory), `role` police officer. Use
    RegistrationFactory instead for a row whose emails and link do not
    matter to the test."""
    return services.register_candidate(
        event if event is not None else EventFactory(),
        first_name=first_name,
        last_name=last_name,
        email=email,
        role=role if role is not None else role_of("police-officer"),
        heard_from=heard_from,
        phone=phone,
        access_needs=access_needs,
        form_key=form_key,
        now=now,
    )


def form_data(**overrides) -> dict:
    """A valid registration form, without the honeypot and signed start time
    the page adds; `overrides` replace or add fields."""
    return {
        "first_name": "Sam",
        "last_name": "Okafor",
        "email": "sam@example.com",
        "phone": "",
        "role": "police-officer",
        "access_needs": "",
        "heard_from": "social_media",
        "privacy": "on",
        **overrides,
    }


def register_url(event) -> str:
    return f"/events/{event.slug}/register/"


def send_registration_form(client, event, **answers):
    """Post `event`'s registration form from the Django test client, as a
    browser sends it (form_data's answers, `answers` replacing them): the
    view's whole path, spam checks included. Returns the response."""
    return client.post(register_url(event), form_data(**answers))


def receipt_of(client):
    """What the browser's encrypted receipt (events/receipt.py) holds now."""
    from django.test import RequestFactory

    from events import receipt

    request = RequestFactory().get("/")
    request.COOKIES = {name: morsel.value for name, morsel in client.cookies.items()}
    return receipt.read(request)


def hold_receipt(client, *, email: str, registration_id: int | None) -> None:
    """Give the test client the receipt a browser gets after registering."""
    from django.http import HttpResponse

    from events import receipt

    response = HttpResponse()
    receipt.give(response, email=email, registration_id=registration_id)
    client.cookies.update(response.cookies)
