"""A real SMTP server on loopback (aiosmtpd, in a thread of the test process)
that records what it accepts and answers as a relay would:

- an address starting `nobody@` is refused for good: 550 at RCPT;
- an address starting `greylisted@` is refused for now the first time
  (451 at RCPT, as greylisting does) and accepted after;
- an address starting `busy@` gets 451 after DATA the first time.
"""

import socket
import threading
from collections import Counter
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RelayHandler:
    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.tries = Counter()
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's hook name
        with self.lock:
            self.tries[address] += 1
            first_try = self.tries[address] == 1
        if address.startswith("nobody@"):
            return "550 5.1.1 No such mailbox"
        if address.startswith("greylisted@") and first_try:
            return "451 4.7.1 Greylisted, please try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        if any(address.startswith("busy@") for address in envelope.rcpt_tos):
            with self.lock:
                self.tries["DATA busy"] += 1
                if self.tries["DATA busy"] == 1:
                    return "451 4.3.0 Mail server busy, try again later"
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        with self.lock:
            self.messages.append(message)
        return "250 Message accepted"

    def received(self, to: str | None = None) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.messages if to is None or m["To"] == to]


@pytest.fixture
def smtp_server():
    """The handler, with `.port`; stopped after the test."""
    handler = RelayHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()


@pytest.fixture
def smtp_backend(settings, smtp_server):
    """Django's own SMTP backend, pointed at the loopback server."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    return smtp_server
