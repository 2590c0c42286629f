"""SQLite (`make run`) rebuilds a table to change it: a migration that
alters events_event or events_registration after 0004 makes SQLite drop and
rename a table that the registration count triggers name, which it refuses
("error in trigger ... no such table"), and rebuilding events_registration
loses its triggers. Such a migration wraps its operations in these two
steps: the triggers are dropped first and made again, with the counts
recounted, after. PostgreSQL alters tables in place; nothing runs there."""

import importlib

from django.db import migrations

_counts = importlib.import_module("events.migrations.0004_event_counts")


def _on_sqlite(statements: list[str]):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            for statement in statements:
                schema_editor.execute(statement)

    return run


def around(operations: list) -> list:
    """`operations` between dropping the SQLite triggers and making them again."""
    drop = _on_sqlite(_counts.SQLITE_REVERSE)
    make = _on_sqlite([*_counts.SQLITE, _counts.COUNT_EXISTING])
    return [
        migrations.RunPython(drop, make),
        *operations,
        migrations.RunPython(make, drop),
    ]
