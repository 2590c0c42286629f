"""manage.py erase_personal_data EMAIL [--yes] [--by NAME]

Erases everything held about one person, found by their email address in
any case (see privacy.services.erase_personal_data). Says what it found and
asks first; without a terminal to ask at, it refuses unless --yes is given.
Leaves an audit entry with the counts and who ran it, never the address."""

import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from privacy import queries, services

from ..operator import add_by_argument, operator_name

NO_TERMINAL = (
    "Nothing erased: there is no terminal to ask for confirmation at. "
    "Run it at a terminal, or add --yes when you are sure."
)


class Command(BaseCommand):
    help = "Erase everything held about an email address (a request for erasure)."

    def add_arguments(self, parser):
        parser.add_argument("email", help="The address the person used, in any case.")
        parser.add_argument("--yes", action="store_true", help="Do not ask: erase at once.")
        add_by_argument(parser)

    def handle(self, *args, email, yes, by, **options):
        if not yes and not sys.stdin.isatty():
            raise CommandError(NO_TERMINAL)
        try:
            address = services.clean_address(email)
            if not yes and not self._confirmed(address):
                self.stdout.write("Nothing erased.")
                return
            counts = services.erase_personal_data(address, by=operator_name(by))
        except ValidationError as error:
            raise CommandError(error.messages[0]) from None
        self._report(counts)

    def _confirmed(self, address: str) -> bool:
        held = queries.held_about(address)
        to_cancel = services.registrations_to_cancel(held.registrations, now=timezone.now())
        self.stdout.write(
            "Held about that address:\n"
            f"  {len(held.registrations)} registration(s), anonymised; "
            f"{len(to_cancel)} of them for events still to come, cancelled first "
            "(a freed place goes to the next person waiting)\n"
            f"  {len(held.mentoring_requests)} positive-action request(s), deleted "
            "with their contact logs\n"
            f"  {len(held.subscriptions)} alert subscription(s), deleted\n"
            f"  {len(held.emails)} email(s) in the outbox, blanked (any not yet sent will not go)"
        )
        self.stdout.write("Type 'yes' to erase all of this: ", ending="")
        self.stdout.flush()
        return input().strip().lower() == "yes"

    def _report(self, counts: dict[str, int]) -> None:
        if not any(counts.values()):
            self.stdout.write(
                "Nothing was held about that address. "
                "The audit log records that erasure was asked for."
            )
            return
        lines = [f"  {kind.replace('_', ' ')}: {count}" for kind, count in counts.items()]
        self.stdout.write(self.style.SUCCESS("Erased.") + "\n" + "\n".join(lines))
