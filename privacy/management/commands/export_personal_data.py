"""manage.py export_personal_data EMAIL [--output FILE] [--by NAME]

Everything held about one person, found by their email address in any
case, as JSON for a subject access request: on stdout, or in FILE (created
readable by you alone, never over an existing file). Leaves an audit entry
with the counts and who ran it, never the address."""

import json
import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from privacy import services

from ..operator import add_by_argument, operator_name


class Command(BaseCommand):
    help = "Export everything held about an email address as JSON (subject access request)."

    def add_arguments(self, parser):
        parser.add_argument("email", help="The address the person used, in any case.")
        parser.add_argument(
            "--output", metavar="FILE", help="Write the JSON to this new file instead of stdout."
        )
        add_by_argument(parser)

    def handle(self, *args, email, output, by, **options):
        handle = self._open(output) if output else None
        try:
            export = services.export_personal_data(email, by=operator_name(by))
        except ValidationError as error:
            if handle is not None:
                handle.close()
                os.unlink(output)
            raise CommandError(error.messages[0]) from None
        text = json.dumps(export, ensure_ascii=False, indent=2) + "\n"
        if handle is None:
            self.stdout.write(text, ending="")
        else:
            with handle:
                handle.write(text)
            self.stdout.write(f"Written to {output}.")
        if not any(export[kind] for kind in services.EXPORTED_KINDS):
            self.stderr.write(
                "Nothing is held about that address. The audit log records that it was asked for."
            )

    def _open(self, path: str):
        """A new file only its owner may read: the export is personal data."""
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise CommandError(f"{path} exists already: choose a new file name.") from None
        except OSError as error:
            raise CommandError(f"Cannot create {path}: {error.strerror}.") from None
        return open(descriptor, "w", encoding="utf-8")
