"""The test database stays as migrations left it, between tests and between runs.

Migrations do more than make tables: data migrations add rows (the roles,
events/0002) and post_migrate adds more (content types, permissions, and
the staff groups, core/groups.py). Ordinary tests roll back and never
touch them; a transactional test (transaction=True, live_server, real
worker processes) commits for real, and Django empties every table when
it ends. pytest-django keeps the test database between runs (--reuse-db)
and the suite runs in random order (pytest-randomly), so a test that ends
with those rows gone breaks every test that runs after it, in this run and
in the next.

So:

- `snapshot_migrated_rows` keeps a copy of those rows when the session
  sets up the test database (Django makes it already when any test asks
  for serialized_rollback; this makes it whatever tests were collected);
- `put_back_migrated_rows_after_every_flush` makes every transactional
  test end by loading that copy again, straight after its flush: no test
  ever starts without them, whichever ran before it (so none loads them
  again at its start, as serialized_rollback alone would);
- `changed_since_migrated` tells, at the end of the session, which rows
  differ from that copy: the suite fails if any test left rows behind
  (tests/conftest.py), so a leak shows in the run that made it, and
  `reset_to_migrated` leaves the database right for the next run;
- `reused_database_is_dirty` tells whether a test database kept from an
  earlier run was left otherwise (a run killed in the middle of a
  transactional test, or one made before this module existed), so that
  the session makes it afresh instead of failing on it.
"""

import json

from django.core.management import call_command
from django.db import connections
from django.test import TransactionTestCase

# Rows that only tests make: a kept test database holding any of them, or
# missing the roles, was left by a run that did not finish cleanly.
LEFT_BY_TESTS = ["events_event", "events_registration", "auth_user", "emails_outgoingemail"]
MADE_BY_MIGRATIONS = ["events_role", "auth_group"]


# The rows migrations made, per database alias, serialized as Django's
# serialized_rollback keeps them. Kept here and not only on the connection
# object, where Django keeps it: while Playwright runs (the browser tests),
# the main thread can be handed other connection objects, which lack it, and
# Django's flush then makes content types and permissions again under new ids.
SNAPSHOTS: dict[str, str] = {}


def snapshot_migrated_rows() -> None:
    for alias in connections:
        connection = connections[alias]
        contents = getattr(connection, "_test_serialized_contents", None)
        if contents is None:
            contents = connection.creation.serialize_db_to_string()
        SNAPSHOTS[alias] = contents
    _hand_snapshots_to_connections(list(SNAPSHOTS))


def _hand_snapshots_to_connections(aliases) -> None:
    for alias in aliases:
        if alias in SNAPSHOTS:
            connections[alias]._test_serialized_contents = SNAPSHOTS[alias]


def changed_since_migrated() -> dict[str, str]:
    """For each database whose rows differ from the copy made at the start
    of the session, the rows that differ (at the end of a run: a test left
    rows behind, changed some or took some away)."""
    changed = {}
    for alias, contents in SNAPSHOTS.items():
        now = connections[alias].creation.serialize_db_to_string()
        if now != contents:
            before, after = _rows(contents), _rows(now)
            differ = {after[row] for row in after.keys() - before.keys()}
            differ |= {before[row] for row in before.keys() - after.keys()}
            changed[alias] = ", ".join(sorted(differ))
    return changed


def _rows(serialized: str) -> dict[str, str]:
    """Each row of a serialized database, and what to call it: "model pk"."""
    return {
        json.dumps(row, sort_keys=True): f"{row['model']} {row.get('pk')}"
        for row in json.loads(serialized)
    }


def reset_to_migrated(aliases) -> None:
    """Empty the databases and load the rows migrations made."""
    for alias in aliases:
        call_command(
            "flush", database=alias, interactive=False, verbosity=0, inhibit_post_migrate=True
        )
    restore_migrated_rows(aliases)


def restore_migrated_rows(aliases) -> None:
    """Load the rows migrations made into an emptied database."""
    for alias in aliases:
        if alias in SNAPSHOTS:
            connections[alias].creation.deserialize_db_from_string(SNAPSHOTS[alias])


def put_back_migrated_rows_after_every_flush() -> None:
    original = TransactionTestCase._fixture_teardown
    if getattr(original, "puts_back_migrated_rows", False):
        return
    original_setup = TransactionTestCase._fixture_setup.__func__

    @classmethod
    def _fixture_setup(cls):
        # serialized_rollback would load the copy at the start of the test
        # too; the rows are there already (migrations made them, and every
        # transactional test ends by putting them back), so writing each of
        # them again is only time.
        serialized, cls.serialized_rollback = cls.serialized_rollback, False
        try:
            original_setup(cls)
        finally:
            cls.serialized_rollback = serialized

    def _fixture_teardown(self):
        # Flush as a serialized_rollback test does, without post_migrate
        # (which would make content types and permissions again under new
        # ids), then load the copy, ids and all.
        aliases = self._databases_names(include_mirrors=False)
        self.serialized_rollback = True
        _hand_snapshots_to_connections(aliases)
        original(self)
        restore_migrated_rows(aliases)

    _fixture_teardown.puts_back_migrated_rows = True
    TransactionTestCase._fixture_setup = _fixture_setup
    TransactionTestCase._fixture_teardown = _fixture_teardown


def reused_database_is_dirty(alias: str = "default") -> bool:
    """Whether the test database that --reuse-db would keep holds rows a
    test made, or lacks rows a migration made. False when there is none
    yet (or not on PostgreSQL, where SQLite's test database lives in
    memory and is new every run)."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return False
    import psycopg

    params = connection.get_connection_params()
    params["dbname"] = connection.creation._get_test_db_name()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    try:
        params.setdefault("connect_timeout", 10)
        with psycopg.connect(**params, autocommit=True) as test_db:
            tables = {row[0] for row in test_db.execute("SELECT tablename FROM pg_tables")}
            if not set(LEFT_BY_TESTS + MADE_BY_MIGRATIONS) <= tables:
                return False  # not migrated yet: migrate makes it as it should be
            left = test_db.execute(
                " UNION ALL ".join(f"(SELECT 1 FROM {table} LIMIT 1)" for table in LEFT_BY_TESTS)
            ).fetchall()
            made = [
                test_db.execute(f"SELECT EXISTS (SELECT 1 FROM {table})").fetchone()[0]
                for table in MADE_BY_MIGRATIONS
            ]
            return bool(left) or not all(made)
    except psycopg.OperationalError:
        return False  # no test database yet: it is made afresh anyway
