"""A real SMTP server on loopback that answers as a relay would (see
RelayHandler in tests/support/delivery.py), Django's SMTP backend pointed at
it, and the worker and Redis fixtures of the end-to-end delivery tests."""

from tests.support.delivery import (  # noqa: F401 - fixtures for the tests here; free_port for test_services
    free_port,
    fresh_sending_rate,
    own_redis,
    queue_name,
    smtp_backend,
    smtp_server,
    start_worker,
)
