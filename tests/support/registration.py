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
