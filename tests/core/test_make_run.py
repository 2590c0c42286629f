"""`make run` on a fresh machine: migrations and the demo on a new SQLite
database, with tasks run in-process (no REDIS_URL), as the Makefile runs
them. SQLite rebuilds a table to change it, which the registration count
triggers once made impossible (events/migrations/_sqlite_counts.py)."""

import os
import sqlite3
import subprocess
import sys

from recruitment.settings import BASE_DIR


def manage(*args: str, database) -> subprocess.CompletedProcess:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "DJANGO_SETTINGS_MODULE", "EMAIL_URL"}
    }
    environment.update(DATABASE_URL=f"sqlite:///{database}", DEBUG="true")
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_fresh_sqlite_database_migrates_and_shows_the_demo_with_its_emails_sent(tmp_path):
    database = tmp_path / "db.sqlite3"

    migrated = manage("migrate", "--no-input", database=database)
    seeded = manage("seed_demo", database=database)

    assert migrated.returncode == 0, migrated.stderr[-2000:]
    assert seeded.returncode == 0, seeded.stderr[-2000:]
    assert "released while it was being sent" not in seeded.stderr
    with sqlite3.connect(database) as db:
        triggers = {
            name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        }
        wrong_counts = db.execute(
            """SELECT count(*) FROM events_event e WHERE confirmed_count != (
                   SELECT count(*) FROM events_registration r
                   WHERE r.event_id = e.id AND r.status = 'confirmed')"""
        ).fetchone()[0]
        emails = dict(
            db.execute("SELECT status, count(*) FROM emails_outgoingemail GROUP BY status")
        )
        registrations = db.execute("SELECT count(*) FROM events_registration").fetchone()[0]
    assert triggers == {
        "events_registration_counts_insert",
        "events_registration_counts_delete",
        "events_registration_counts_update",
    }
    assert registrations > 0
    assert wrong_counts == 0
    assert set(emails) == {"sent"}
