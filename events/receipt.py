"""What a browser remembers of the registration form it has just sent: the
address, for the "Check your email" page, and, for a new registration only,
which registration it made, so that it (and nobody after a repeat) may answer
the optional equality questions.

A signed cookie rather than the session: registering writes nothing to the
database for it, the address is never stored server-side for this, and it
ends when the browser closes. The signature stops a visitor naming someone
else's registration; equality.queries still refuses one already answered."""

import json
from dataclasses import dataclass

from django.conf import settings

SALT = "events.receipt"
# As long as a staff session: long enough to come back to the questions.
MAX_AGE_SECONDS = 8 * 60 * 60


@dataclass(frozen=True)
class Receipt:
    email: str | None = None
    registration_id: int | None = None


def cookie_name() -> str:
    # __Host- wherever cookies are secure: this website only, over HTTPS.
    return "__Host-registered" if settings.SESSION_COOKIE_SECURE else "registered"


def read(request) -> Receipt:
    """The receipt, or an empty one when there is none, it was tampered
    with or it is older than MAX_AGE_SECONDS."""
    value = request.get_signed_cookie(
        cookie_name(), default=None, salt=SALT, max_age=MAX_AGE_SECONDS
    )
    if value is None:
        return Receipt()
    data = json.loads(value)
    return Receipt(email=data["email"], registration_id=data["registration"])


def give(response, *, email: str, registration_id: int | None) -> None:
    response.set_signed_cookie(
        cookie_name(),
        json.dumps({"email": email, "registration": registration_id}),
        salt=SALT,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def forget_registration(request, response) -> None:
    """Keep the address, drop the registration: its questions are answered or skipped."""
    receipt = read(request)
    if receipt.registration_id is not None:
        give(response, email=receipt.email, registration_id=None)
