"""A task's round trip through the real Redis broker to a real worker."""

import os
import subprocess
import sys
import time
import uuid

import pytest
from django.core.cache import cache

from core.tasks import HEARTBEAT_KEY, task_record_heartbeat
from recruitment.celery import app as celery_app
from recruitment.settings import BASE_DIR
from tests.conftest import requires_redis

pytestmark = requires_redis


@pytest.fixture
def worker():
    """A real worker process on the real broker, stopped after the test."""
    process = subprocess.Popen(
        [
            *[sys.executable, "-m", "celery", "-A", "recruitment", "worker"],
            *["--pool=solo", "--loglevel=WARNING", "--without-gossip", "--without-mingle"],
        ],
        cwd=BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"},
    )
    yield process
    process.terminate()
    process.wait(timeout=30)


@pytest.fixture
def through_broker():
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = True


def test_task_round_trip_through_redis_to_a_real_worker(worker, through_broker, client, db):
    marker = uuid.uuid4().hex

    task_record_heartbeat.apply_async(kwargs={"marker": marker})

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        heartbeat = cache.get(HEARTBEAT_KEY)
        if heartbeat and heartbeat["marker"] == marker:
            break
        time.sleep(0.2)
    assert heartbeat is not None
    assert heartbeat["marker"] == marker
    assert client.get("/healthz").json()["worker_last_seen"] == heartbeat["at"]
