"""The email backend for machines without EMAIL_URL: each message is printed
to the console and written to var/mail/ as its own .eml file, so a developer
can open exactly what a candidate would receive."""

import sys
import uuid
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone


class ConsoleAndFileBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        folder = Path(settings.EMAIL_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            raw = message.message().as_bytes(linesep="\n")
            stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
            (folder / f"{stamp}-{uuid.uuid4().hex[:8]}.eml").write_bytes(raw)
            if not self.fail_silently:
                sys.stdout.write(f"Email to {', '.join(message.to)}: {message.subject}\n")
                sys.stdout.flush()
        return len(email_messages)
