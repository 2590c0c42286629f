"""Counts of confirmed and waiting registrations kept on the event row by
the database itself: a trigger on events_registration adjusts them on every
insert, delete and change of status or event, whatever wrote the row (the
services, the admin, a queryset update, a test factory). The event page and
the registration lock then read them with the row instead of counting.

PostgreSQL in production and CI, SQLite for `make run`: the same three
triggers in each dialect."""

from django.db import migrations, models

POSTGRESQL = [
    """
    CREATE FUNCTION events_registration_counts() RETURNS trigger AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            UPDATE events_event SET
                confirmed_count = confirmed_count - (OLD.status = 'confirmed')::int,
                waiting_count = waiting_count - (OLD.status = 'waiting')::int
            WHERE id = OLD.event_id;
        END IF;
        IF TG_OP IN ('UPDATE', 'INSERT') THEN
            UPDATE events_event SET
                confirmed_count = confirmed_count + (NEW.status = 'confirmed')::int,
                waiting_count = waiting_count + (NEW.status = 'waiting')::int
            WHERE id = NEW.event_id;
        END IF;
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER events_registration_counts_insert_delete
    AFTER INSERT OR DELETE ON events_registration
    FOR EACH ROW EXECUTE FUNCTION events_registration_counts()
    """,
    """
    CREATE TRIGGER events_registration_counts_update
    AFTER UPDATE OF status, event_id ON events_registration
    FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.event_id IS DISTINCT FROM NEW.event_id)
    EXECUTE FUNCTION events_registration_counts()
    """,
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS events_registration_counts_update ON events_registration",
    "DROP TRIGGER IF EXISTS events_registration_counts_insert_delete ON events_registration",
    "DROP FUNCTION IF EXISTS events_registration_counts()",
]

_ADD = """
    UPDATE events_event SET
        confirmed_count = confirmed_count + (NEW.status = 'confirmed'),
        waiting_count = waiting_count + (NEW.status = 'waiting')
    WHERE id = NEW.event_id;
"""
_REMOVE = """
    UPDATE events_event SET
        confirmed_count = confirmed_count - (OLD.status = 'confirmed'),
        waiting_count = waiting_count - (OLD.status = 'waiting')
    WHERE id = OLD.event_id;
"""
SQLITE = [
    f"CREATE TRIGGER events_registration_counts_insert AFTER INSERT ON events_registration "
    f"BEGIN {_ADD} END",
    f"CREATE TRIGGER events_registration_counts_delete AFTER DELETE ON events_registration "
    f"BEGIN {_REMOVE} END",
    f"CREATE TRIGGER events_registration_counts_update AFTER UPDATE OF status, event_id "
    f"ON events_registration "
    f"WHEN OLD.status IS NOT NEW.status OR OLD.event_id IS NOT NEW.event_id "
    f"BEGIN {_REMOVE} {_ADD} END",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS events_registration_counts_insert",
    "DROP TRIGGER IF EXISTS events_registration_counts_delete",
    "DROP TRIGGER IF EXISTS events_registration_counts_update",
]

COUNT_EXISTING = """
    UPDATE events_event SET
        confirmed_count = (SELECT COUNT(*) FROM events_registration AS r
                           WHERE r.event_id = events_event.id AND r.status = 'confirmed'),
        waiting_count = (SELECT COUNT(*) FROM events_registration AS r
                         WHERE r.event_id = events_event.id AND r.status = 'waiting')
"""


def _run(statements: dict):
    def run(apps, schema_editor):
        for statement in statements[schema_editor.connection.vendor]:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("events", "0003_registration_source")]

    operations = [
        migrations.AddField(
            model_name="event",
            name="confirmed_count",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="event",
            name="waiting_count",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}),
        ),
        migrations.RunSQL(COUNT_EXISTING, migrations.RunSQL.noop),
    ]
