"""The SMTP backend the worker sends with (settings: any smtp:// EMAIL_URL):
Django's, except that it writes each message out in half the time.

Django's messages use the email package's compat32 policy, which passes
every header through email.header.Header to fold it, and a multipart's
boundary is checked against the whole text with a regular expression
compiled afresh for each message. Together that was about a fifth of the
worker's time per email in a bulk send (cProfile). Here a short single-line ASCII header, all
but the Subject of most emails, is written as it is (what Header would
write for it), and each boundary is a random 128-bit token, too long to
turn up in a body by chance; everything else is written as Django writes it
(tests/emails/test_smtp.py compares the two byte for byte)."""

import secrets
import smtplib
from email.generator import BytesGenerator
from email.policy import Compat32
from io import BytesIO

from django.conf import settings
from django.core.mail.backends import smtp
from django.core.mail.message import EmailMessage, sanitize_address


class _Policy(Compat32):
    def fold_binary(self, name, value):
        if (
            isinstance(value, str)
            and value.isascii()
            # No tab, line break or other control character: Header folds
            # at those (and Django refuses some), so they take its path.
            and value.isprintable()
            and len(name) + 2 + len(value) <= self.max_line_length
            and "  " not in value
            and value == value.strip()
        ):
            return f"{name}: {value}{self.linesep}".encode("ascii")
        return super().fold_binary(name, value)


_POLICY = _Policy(linesep="\r\n")


def as_bytes(email_message: EmailMessage) -> bytes:
    """The message as Django's SMTP backend would send it, boundaries aside."""
    message = email_message.message()
    _set_boundaries(message)
    output = BytesIO()
    BytesGenerator(output, mangle_from_=False, policy=_POLICY).flatten(message)
    return output.getvalue()


def _set_boundaries(part) -> None:
    """A new boundary for `part` and each multipart in it, not going into an
    attached message (message/rfc822), which is written as Django would."""
    if part.get_content_maintype() == "multipart":
        part.set_boundary(f"=_{secrets.token_hex(16)}")
        for child in part.get_payload():
            _set_boundaries(child)


class EmailBackend(smtp.EmailBackend):
    def _send(self, email_message):
        # Django's _send, writing the message with as_bytes.
        if not email_message.recipients():
            return False
        encoding = email_message.encoding or settings.DEFAULT_CHARSET
        from_email = sanitize_address(email_message.from_email, encoding)
        recipients = [sanitize_address(address, encoding) for address in email_message.recipients()]
        try:
            self.connection.sendmail(from_email, recipients, as_bytes(email_message))
        except smtplib.SMTPException:
            if not self.fail_silently:
                raise
            return False
        return True
