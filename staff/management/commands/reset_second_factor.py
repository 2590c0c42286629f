"""manage.py reset_second_factor EMAIL

For someone who lost their phone (or passkey) and their recovery codes:
deletes every second-factor device of the account, so that any session
that passed the second factor with them stops counting, and the next
sign-in, after the password, sets up a new one. Also clears the account's
login lockout. Check who is asking before you run it."""

from axes.utils import reset as reset_lockout
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from staff import accounts


class Command(BaseCommand):
    help = "Delete a staff account's second factor (app, passkeys, recovery codes) so they set up a new one."

    def add_arguments(self, parser):
        parser.add_argument("username", help="The account's username (their work email address).")

    def handle(self, *args, username, **options):
        user = get_user_model().objects.filter(username=username.strip()).first()
        if user is None:
            raise CommandError(f"There is no account {username!r}.")
        deleted = accounts.reset_second_factor(user)
        reset_lockout(username=user.get_username())
        self.stdout.write(
            f"Deleted {deleted} second-factor device(s) of {user.get_username()}."
            " They set up a new one when they next sign in."
        )
