"""manage.py createstaff EMAIL --group "Workforce development"

A staff account that signs in to /admin/ with its email address and can do
what its group allows (core/groups.py), nothing more. Asks for the password
(twice, checked against the password rules); with --no-input it makes a
random one and prints it once, to be passed on safely and changed at the
first sign-in (Change password, top right of the admin)."""

import getpass
import secrets

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from core.groups import GROUP_PERMISSIONS


class Command(BaseCommand):
    help = "Create a staff account in one of the staff groups (or add an existing one to it)."

    def add_arguments(self, parser):
        parser.add_argument("email", help="The person's work email address: their username.")
        parser.add_argument(
            "--group",
            required=True,
            choices=list(GROUP_PERMISSIONS),
            help="What they may do: " + " or ".join(f'"{name}"' for name in GROUP_PERMISSIONS),
        )
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument(
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Do not ask for a password: make a random one and print it once.",
        )

    def handle(self, *args, email, group, first_name, last_name, interactive, **options):
        email = email.strip()
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"{email!r} is not an email address.") from None
        group_row = Group.objects.filter(name=group).first()
        if group_row is None:
            raise CommandError(f"There is no group {group!r} yet: run `manage.py migrate` first.")
        User = get_user_model()
        existing = User.objects.filter(username__iexact=email).first()
        if existing is not None:
            self._add_to_group(existing, group_row)
            return
        user = User(
            username=email, email=email, first_name=first_name, last_name=last_name, is_staff=True
        )
        password = self._password(user, interactive=interactive)
        with transaction.atomic():
            user.set_password(password)
            user.save()
            user.groups.add(group_row)
        self.stdout.write(self.style.SUCCESS(f"Created {email} in {group}."))
        if not interactive:
            self.stdout.write(
                f"One-time password: {password}\n"
                "Pass it on safely (not in the same email as the address); they should change "
                "it at their first sign-in (Change password, top right of the admin)."
            )

    def _add_to_group(self, user, group_row):
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        user.groups.add(group_row)
        self.stdout.write(
            f"{user.username} already has an account: added to {group_row.name}; "
            "the password is unchanged."
        )

    def _password(self, user, *, interactive: bool) -> str:
        if not interactive:
            return secrets.token_urlsafe(15)
        for _ in range(3):
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                self.stderr.write("The passwords do not match.")
                continue
            try:
                password_validation.validate_password(password, user)
            except ValidationError as error:
                self.stderr.write("\n".join(error.messages))
                continue
            return password
        raise CommandError("No password set: nothing was created.")
