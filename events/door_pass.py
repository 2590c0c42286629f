"""The door pass: a QR code of a registration's reference, for check-in on
the night (the check-in page scans it). Made on the server with segno and
sent with a confirmed place's emails for an event in person, as an inline
image and as an attachment to keep or print."""

import base64
import io

import segno

from .models import Registration, RegistrationStatus

CONTENT_ID = "door-pass"


def wanted(registration: Registration) -> bool:
    """Only a confirmed place at an event with a door needs a pass."""
    return registration.status == RegistrationStatus.CONFIRMED and not registration.event.is_online


def qr_png(text: str, *, scale: int = 8) -> bytes:
    buffer = io.BytesIO()
    segno.make_qr(text, error="m").save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


def attachments(registration: Registration) -> list[dict]:
    """The outbox's attachment entries (JSON): the inline image the HTML
    shows by its Content-ID, and the same image as a file."""
    content = base64.b64encode(qr_png(registration.reference)).decode("ascii")
    image = {"content": content, "mimetype": "image/png", "encoding": "base64"}
    return [
        {**image, "filename": "door-pass.png", "content_id": CONTENT_ID},
        {**image, "filename": f"Door pass {registration.reference}.png"},
    ]
