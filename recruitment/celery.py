"""The Celery app: configured from Django settings (CELERY_*), tasks found in
each app's tasks.py."""

import os

from celery import Celery
from celery.signals import task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recruitment.settings")

app = Celery("recruitment")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
def _drop_broken_database_connections(task=None, **kwargs):
    # Workers keep their database connection between tasks (DB_REUSE_MAX in
    # settings) instead of opening one per email; like a web request, each
    # task first drops a connection that has failed or outlived CONN_MAX_AGE,
    # so a PostgreSQL restart costs one failed task, not a thousand. Not for
    # a task run in-process (no REDIS_URL, tests): that is the caller's
    # connection, perhaps inside its transaction.
    if task is not None and task.request.is_eager:
        return
    from django.db import close_old_connections

    close_old_connections()
