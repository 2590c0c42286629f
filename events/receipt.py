"""What a browser remembers of the registration form it has just sent: the
address, for the "Check your email" page, and, for a new registration only,
which registration it made, so that it (and nobody after a repeat) may answer
the optional equality questions.

A cookie rather than the session: registering writes nothing to the
database for it, the address is never stored server-side for this, and it
ends when the browser closes. The cookie is encrypted and authenticated
(Fernet: AES-128-CBC and HMAC-SHA256, with a key derived from SECRET_KEY),
and what it holds is padded to one fixed length before encryption, so a new
and a repeat registration give cookies of the same length that say nothing
to whoever holds them: not whether the address was already registered, not
how many registrations there are. Nothing is compressed (compression would
let the length speak). A visitor cannot name someone else's registration;
equality.queries still refuses one already answered."""

import base64
import struct
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.utils.crypto import salted_hmac

SALT = "events.receipt"
# As long as a staff session: long enough to come back to the questions.
MAX_AGE_SECONDS = 8 * 60 * 60

# The registration's id (0: none) and the address's length, then the
# address in UTF-8, padded with zeros. An address is at most 254 characters
# (core.forms), so at most 1,016 bytes.
_HEADER = struct.Struct(">QH")
_EMAIL_BYTES = 1024
PLAINTEXT_BYTES = _HEADER.size + _EMAIL_BYTES


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
    value = request.COOKIES.get(cookie_name())
    if not value:
        return Receipt()
    try:
        plaintext = _fernet().decrypt(value.encode("ascii"), ttl=MAX_AGE_SECONDS)
        return _unpack(plaintext)
    except (InvalidToken, UnicodeError, ValueError, struct.error):
        return Receipt()


def give(response, *, email: str, registration_id: int | None) -> None:
    response.set_cookie(
        cookie_name(),
        _fernet().encrypt(_pack(email, registration_id)).decode("ascii"),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def forget_registration(request, response) -> None:
    """Keep the address, drop the registration: its questions are answered
    or skipped. The cookie is given again whether or not it named one, so
    this answer too is the same after a new and a repeat registration."""
    receipt = read(request)
    if receipt.email is not None:
        give(response, email=receipt.email, registration_id=None)


def forget_if_about(request, response, registration) -> None:
    """A registration cancelled or given back: the browser's receipt goes
    when it is about that registration (names it, or names none and holds
    its address), so a shared computer keeps nothing of it. A receipt about
    another (another event's, just made in this browser) stays."""
    held = read(request)
    names_it = held.registration_id == registration.pk
    holds_its_address = held.registration_id is None and (
        (held.email or "").strip().casefold() == registration.email_key
    )
    if names_it or holds_its_address:
        response.delete_cookie(cookie_name(), samesite="Lax")


def _pack(email: str, registration_id: int | None) -> bytes:
    address = email.encode("utf-8")
    if len(address) > _EMAIL_BYTES:
        raise ValueError("The address is longer than any the forms accept")
    header = _HEADER.pack(registration_id or 0, len(address))
    return (header + address).ljust(PLAINTEXT_BYTES, b"\0")


def _unpack(plaintext: bytes) -> Receipt:
    if len(plaintext) != PLAINTEXT_BYTES:
        raise ValueError("Not a receipt")
    registration_id, length = _HEADER.unpack_from(plaintext)
    email = plaintext[_HEADER.size : _HEADER.size + length].decode("utf-8")
    return Receipt(email=email, registration_id=registration_id or None)


def _fernet() -> MultiFernet:
    """Keys from SECRET_KEY, then SECRET_KEY_FALLBACKS: a rotated key still
    reads the receipts it made, and new ones use the current key."""
    keys = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    return MultiFernet([Fernet(_derive_key(secret)) for secret in keys])


def _derive_key(secret: str) -> bytes:
    digest = salted_hmac(SALT, "fernet-key", secret=secret, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest)
