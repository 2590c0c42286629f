"""Putting the test database back as migrations left it."""

from django.core.management import call_command
from django.db import connections


def restore_migrated_rows(django_db_blocker) -> None:
    """Put back the rows migrations made (roles, content types, groups).

    A transactional test empties every table when it ends, and
    serialized_rollback only reloads these rows at the start of the next
    such test; call this from a fixture that ends after the last one (for
    the tests that run after, and the next run with --reuse-db)."""
    with django_db_blocker.unblock():
        for alias in connections:
            contents = getattr(connections[alias], "_test_serialized_contents", None)
            if contents:
                call_command(
                    "flush",
                    database=alias,
                    interactive=False,
                    verbosity=0,
                    inhibit_post_migrate=True,
                )
                connections[alias].creation.deserialize_db_from_string(contents)
