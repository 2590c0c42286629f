"""Fault drills: whole flows through real PostgreSQL, real Redis, real
Celery worker processes and a real SMTP server, with one part made to fail
on purpose (issue #9, "Proof").

Every drill runs its broker on a redis-server of its own on a free port, so
it can stop it, or hand back a dead worker's messages, without touching the
shared Redis that other test runs use."""

from tests.drills.broker import private_broker  # noqa: F401 - a fixture
from tests.support.delivery import (  # noqa: F401 - fixtures
    own_redis,
    queue_name,
    smtp_server,
    start_worker,
)
