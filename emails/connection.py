"""One mail connection per worker process, kept open across messages: an
SMTP conversation (connect, EHLO, STARTTLS, AUTH) per email cost the worker
most of its time. Any error closes it, so the next message starts afresh;
a connection the relay dropped while idle is reopened once."""

import contextlib
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

_held: dict = {"key": None, "backend": None}


def _key() -> tuple:
    # Tests change the email settings between tests; a new key, a new backend.
    names = ["EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER"]
    names += ["EMAIL_USE_TLS", "EMAIL_USE_SSL", "EMAIL_TIMEOUT"]
    return tuple(getattr(settings, name, None) for name in names)


def deliver(message: EmailMessage) -> None:
    """Send one message over the process's connection, opening it if need
    be. Raises what the backend raises."""
    backend, reused = _backend()
    try:
        backend.send_messages([message])
    except (smtplib.SMTPServerDisconnected, ConnectionError) as error:
        close()
        if not reused:
            raise
        # Dropped while idle (a relay's idle timeout): nothing was accepted.
        backend, _ = _backend()
        try:
            backend.send_messages([message])
        except Exception:
            close()
            raise error from None
    except Exception:
        close()
        raise


def _backend():
    key = _key()
    if _held["backend"] is not None and _held["key"] == key:
        return _held["backend"], True
    close()
    backend = get_connection(fail_silently=False)
    backend.open()
    _held.update(key=key, backend=backend)
    return backend, False


def close() -> None:
    """Close the process's connection (the next message opens a new one)."""
    backend, _held["backend"] = _held["backend"], None
    if backend is not None:
        with contextlib.suppress(Exception):
            backend.close()
