"""The public registration form as a candidate fills it in, shared by the
view tests, the fuzz tests and the fault drills."""


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
