import os
import time

import pytest
import time_machine
from django.conf import settings
from django.core.cache import caches
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from core import redis_breaker
from tests.factories import EventFactory
from tests.support import database
from tests.support.staff import sign_in_staff

# Hypothesis: `make test` (and CI) use "ci": the same examples every run, so
# a red build is about the change and not a new draw; `make fuzz` uses
# "fuzz": new random examples every run and five times as many (each fuzz
# test's own count scales with max_examples, tests/fuzz/support.py). A
# failure prints the seed and a @reproduce_failure blob to replay it with.
hypothesis_settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
hypothesis_settings.register_profile(
    "fuzz",
    derandomize=False,
    deadline=None,
    print_blob=True,
    max_examples=500,
    suppress_health_check=[HealthCheck.too_slow],
)
# --hypothesis-profile=NAME (or HYPOTHESIS_PROFILE) chooses another.
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

database.put_back_migrated_rows_after_every_flush()


@pytest.fixture(scope="session")
def django_db_createdb(request, django_db_createdb, django_db_keepdb, django_db_modify_db_settings):
    """Make the test database afresh when asked (--create-db), or when the
    one --reuse-db would keep was left with rows a test made or without
    rows a migration made (tests/support/database.py)."""
    if django_db_createdb or not django_db_keepdb:
        return django_db_createdb
    if database.reused_database_is_dirty():
        reporter = request.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(
                "The kept test database was not left as migrations made it "
                "(an interrupted run?): making it afresh."
            )
        return True
    return False


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database, with a copy of the rows migrations made, which
    every transactional test puts back when it ends."""
    with django_db_blocker.unblock():
        database.snapshot_migrated_rows()
    yield
    with django_db_blocker.unblock():
        left = database.changed_since_migrated()
        database.reset_to_migrated(left)
    assert not left, (
        "A test left the test database otherwise than migrations made it (put right "
        f"now, for the next run with --reuse-db); the rows that differed: {left}"
    )


@pytest.fixture(autouse=True)
def _site_settings(settings):
    settings.FORCE_NAME = "Hertfordshire Constabulary"
    settings.SITE_URL = "https://events.example.org"


@pytest.fixture(autouse=True)
def _empty_page_cache():
    """Each test renders its pages afresh (core/pages.py caches them per process)."""
    caches["pages"].clear()


@pytest.fixture(autouse=True)
def _redis_breaker_closed():
    """Each test starts trusting Redis again (core/redis_breaker.py)."""
    redis_breaker.reset()


@pytest.fixture
def stopped_clock():
    """Time stands still at the moment the test starts (time-machine): for
    a test of a time window (a rate limit's, a minimum fill time) or of
    "today", which would fail when it ran across a window's edge or across
    midnight. Not for tests with other processes (live_server, workers):
    only this process's clock stops."""
    with time_machine.travel(time.time(), tick=False) as traveller:
        yield traveller


@pytest.fixture
def event(db):
    return EventFactory()


def uses_postgresql() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


requires_postgresql = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL"), reason="needs DATABASE_URL (real PostgreSQL)"
)
requires_redis = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (real Redis)"
)


@pytest.fixture
def admin_client(client, admin_user):
    """pytest-django's admin_client, signed in with the second factor the
    admin requires (tests/support/staff.py)."""
    return sign_in_staff(client, admin_user)
