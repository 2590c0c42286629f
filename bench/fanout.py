"""Figure 5: the event-alert fan-out. One event is published to 10,000 and
then 100,000 confirmed matching subscribers; beat's own service starts the
run and hands it to the Procfile's Celery worker; the clock runs from the
run's start to its finish (every outbox row inserted and handed to the
broker), and the worker process's peak memory (VmHWM) is read from /proc.

It uses a database of its own (dropped and created again each time, and
dropped at the end: 100,000 rendered emails are a few hundred MB) and a
Redis database number of its own, flushed before and after. The worker runs
one process (--concurrency 1), so the figure is the fan-out alone: the send
tasks it queues wait on the broker, which is what they do in production
while the other worker process is busy. Nothing is sent.

`run()` returns the rows for the report; `python -m bench.fanout` runs it
alone. `python -m bench.fanout seed N` and `... start` are the steps it runs
in a child process against its own database."""

import json
import os
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg

from . import processes
from .prepare import POSTGRES
from .report import Row, load_now, verdict

DATABASE = os.environ.get("BENCH_FANOUT_DATABASE", "insight_bench_fanout")
REDIS_URL = os.environ.get("BENCH_FANOUT_REDIS_URL", "redis://127.0.0.1:6379/12")
COUNTS = (10_000, 100_000)
TARGET_SECONDS = 120
# "Flat": the peak for ten times the subscribers within this much of the smaller one.
MEMORY_GROWTH_LIMIT = 0.10
TIMEOUT_SECONDS = 300
BASE_DIR = Path(__file__).resolve().parent.parent
LOGS = BASE_DIR / "var" / "bench"
SEED_BATCH = 10_000


@dataclass(frozen=True)
class FanOut:
    subscribers: int
    seconds: float
    queued: int
    outbox_rows: int
    handed_to_broker: int
    rss_before_mb: float
    peak_mb: float
    cpu_seconds: float


def environment() -> dict[str, str]:
    """The production settings (DEBUG off) on the fan-out's own database and
    Redis database. EMAIL_URL points at the discard port, in case a send
    task ran: it would fail at once and be retried later, never delivered."""
    env = {key: value for key, value in os.environ.items() if key != "EMAIL_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="recruitment.settings",
        DJANGO_READ_DOT_ENV="false",
        DATABASE_URL=f"{POSTGRES}/{DATABASE}",
        REDIS_URL=REDIS_URL,
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SITE_URL="https://events.example.org",
        EMAIL_URL="smtp://127.0.0.1:9",
    )
    return env


def _admin_sql(statement: str) -> None:
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as connection:
        connection.execute(statement)


def _flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def _child(env: dict, *args: str) -> dict:
    """Run a step of this module in a child process; return its JSON answer."""
    return processes.child_json("bench.fanout", env, *args)


def _pool_pids(worker_pid: int) -> list[int]:
    """The worker's pool processes: the children of its main process."""
    children = Path(f"/proc/{worker_pid}/task/{worker_pid}/children").read_text().split()
    return [int(pid) for pid in children]


def _memory_mb(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} for process {pid}")


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time the process has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _run_state(run_id: int) -> tuple[str, float | None, int]:
    """Status, seconds from start to finish, and queued, read from the run row."""
    with psycopg.connect(f"{POSTGRES}/{DATABASE}", autocommit=True) as connection:
        return connection.execute(
            "SELECT status, EXTRACT(EPOCH FROM finished_at - started_at), queued"
            " FROM alerts_eventalertrun WHERE id = %s",
            [run_id],
        ).fetchone()


def _outbox_counts() -> tuple[int, int]:
    with psycopg.connect(f"{POSTGRES}/{DATABASE}", autocommit=True) as connection:
        return connection.execute(
            # Handed over: marked, or already tried by the worker (which,
            # once the run is done, may take a send task before it is stopped).
            "SELECT count(DISTINCT dedupe_key),"
            " count(*) FILTER (WHERE enqueued_at IS NOT NULL OR attempts > 0)"
            " FROM emails_outgoingemail WHERE kind = 'event_alert'"
        ).fetchone()


def measure(count: int, env: dict) -> FanOut:
    """Seed `count` subscribers and an event, start the worker, start the run
    as beat does, and wait for it to finish."""
    _flush_redis()
    _child(env, "seed", str(count))
    log = LOGS / f"fanout-worker-{count}.log"
    log.unlink(missing_ok=True)  # "ready." from an earlier run must not count
    command = [
        str(processes.BIN / "celery"), "-A", "recruitment", "worker", "--loglevel", "INFO",
        "--concurrency", "1", "--hostname", f"bench-fanout-{os.getpid()}@%h",
    ]  # fmt: skip
    with processes.process_group(command, log=log, env=env) as worker:
        processes.wait_until(
            lambda: " ready." in log.read_text(errors="replace"),
            what="celery worker", timeout=90, process=worker, log=log,
        )  # fmt: skip
        [pool_pid] = _pool_pids(worker.pid)
        rss_before = _memory_mb(pool_pid, "VmRSS")
        cpu_before = _cpu_seconds(pool_pid)
        run_id = _child(env, "start")["run_id"]
        deadline = time.monotonic() + TIMEOUT_SECONDS
        while (state := _run_state(run_id))[0] == "running":
            if time.monotonic() > deadline:
                raise RuntimeError(f"the fan-out to {count:,} took over {TIMEOUT_SECONDS}s")
            time.sleep(0.2)
        peak = _memory_mb(pool_pid, "VmHWM")
        cpu = _cpu_seconds(pool_pid) - cpu_before
    _flush_redis()
    status, seconds, queued = state
    if status != "done":
        raise RuntimeError(f"the fan-out to {count:,} ended {status}; see {log}")
    outbox_rows, handed = _outbox_counts()
    return FanOut(count, float(seconds), queued, outbox_rows, handed, rss_before, peak, cpu)


def run() -> list[Row]:
    LOGS.mkdir(parents=True, exist_ok=True)
    env = environment()
    _admin_sql(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    _admin_sql(f'CREATE DATABASE "{DATABASE}"')
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
            cwd=BASE_DIR, env=env, check=True,
        )  # fmt: skip
        results = [measure(count, env) for count in COUNTS]
    finally:
        _admin_sql(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    for result in results:
        print(
            f"  fan-out to {result.subscribers:,}: {result.seconds:.1f}s "
            f"({result.queued / result.seconds:,.0f} emails/s, worker CPU {result.cpu_seconds:.0f}s), "
            "worker RSS "
            f"{result.rss_before_mb:.0f} MB before, {result.peak_mb:.0f} MB peak, "
            f"load {load_now():.1f}"
        )
    return rows(results)


def rows(results: list[FanOut]) -> list[Row]:
    small, large = results[0], results[-1]
    growth = large.peak_mb / small.peak_mb - 1
    exact = all(r.queued == r.outbox_rows == r.handed_to_broker == r.subscribers for r in results)
    return [
        Row(
            f"Alert fan-out to {large.subscribers:,} subscribers: seconds until every "
            "outbox row is queued",
            f"{large.seconds:,.0f}",
            target=f"under {TARGET_SECONDS}",
            verdict=verdict(large.seconds < TARGET_SECONDS),
        ),
        Row(
            f"Alert fan-out to {small.subscribers:,} subscribers: seconds",
            f"{small.seconds:,.1f}",
        ),
        Row(
            f"Fan-out worker peak memory (RSS), {small.subscribers:,} / "
            f"{large.subscribers:,} subscribers, MB",
            f"{small.peak_mb:,.0f} / {large.peak_mb:,.0f}",
            target=f"flat (within {MEMORY_GROWTH_LIMIT:.0%})",
            verdict=verdict(growth <= MEMORY_GROWTH_LIMIT),
        ),
        Row(
            "Alert emails in the outbox and handed to the broker, one per subscriber",
            " / ".join(f"{r.outbox_rows:,}" for r in results),
            target="exactly " + " / ".join(f"{r.subscribers:,}" for r in results),
            verdict=verdict(exact),
        ),
    ]


# The steps run in a child process, on the fan-out's own database ----------


def seed(count: int) -> dict:
    """Empty the tables, then add `count` confirmed subscribers for police
    officer and an event to announce, published, with registration open."""
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from alerts.models import EventAlertRun, Subscription
    from events.models import Event, EventStatus, Role

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE emails_outgoingemail, alerts_subscriptionlink, alerts_subscription_roles,"
            " alerts_subscription, alerts_eventalertrun, events_event CASCADE"
        )
    officer = Role.objects.get(code="police-officer")
    now = timezone.now()
    through = Subscription.roles.through
    for start in range(0, count, SEED_BATCH):
        created = Subscription.objects.bulk_create(
            Subscription(
                email=f"subscriber-{number}@bench.example.org",
                email_key=f"subscriber-{number}@bench.example.org",
                consented_at=now,
                confirmed_at=now,
            )
            for number in range(start, min(start + SEED_BATCH, count))
        )
        through.objects.bulk_create(
            through(subscription_id=subscription.pk, role_id=officer.pk) for subscription in created
        )
    starts_at = now + timedelta(days=21)
    event = Event.objects.create(
        title="Insight evening at headquarters",
        slug="bench-fanout",
        summary="Find out what the job is really like, from the people who do it.",
        description="Officers talk about a normal shift.\n\nThen your questions.",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        venue_name="Police Headquarters",
        address="Stanborough Road\nWelwyn Garden City\nAL8 6XF",
        capacity=80,
        status=EventStatus.PUBLISHED,
    )
    event.roles.set(Role.objects.all())
    assert not EventAlertRun.objects.exists()
    return {"event_id": event.pk, "subscribers": Subscription.objects.count()}


def start() -> dict:
    """What beat does every minute: start the run and hand it to the worker."""
    from alerts import services

    [run] = services.start_event_alerts()
    return {"run_id": run.pk, "total": run.total}


def _step(args: list[str]) -> None:
    import django

    django.setup()
    answer = seed(int(args[1])) if args[0] == "seed" else start()
    print(json.dumps(answer))


if __name__ == "__main__":
    if sys.argv[1:]:
        _step(sys.argv[1:])
    else:
        from .report import table

        print(table(run()))
