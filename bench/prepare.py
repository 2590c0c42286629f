"""A database of the bench's own: dropped, created, migrated and seeded
through the product's services on every run; static files collected into a
temporary folder; Redis on a database number of its own."""

import os
import secrets
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg

DATABASE = os.environ.get("BENCH_DATABASE", "insight_bench")
POSTGRES = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
LONDON = ZoneInfo("Europe/London")

PAGE_EVENT = "bench-page"  # the event page under load: 60 of 80 places taken
REGISTER_EVENT = "bench-register"  # sustained registrations: never full
SPIKE_ROUNDS = 3
SPIKE_PLACES = 80
# 500 at once for 80 places, through the form and through the bare locked view
SPIKE_EVENTS = [f"bench-spike-{number}" for number in range(1, SPIKE_ROUNDS + 1)]
BARE_SPIKE_EVENTS = [f"bench-spike-bare-{number}" for number in range(1, SPIKE_ROUNDS + 1)]
SEEDED_REGISTRATIONS = 60


def as_letters(number: int) -> str:
    """A number spelled in letters (12 -> "BC"): names take no digits (core.names)."""
    return "".join("ABCDEFGHIJ"[int(digit)] for digit in str(number))


CAPACITIES = {
    PAGE_EVENT: 80,
    REGISTER_EVENT: 1_000_000,
    **dict.fromkeys(SPIKE_EVENTS + BARE_SPIKE_EVENTS, SPIKE_PLACES),
}


def environment(*, port: int, static_root: Path) -> dict[str, str]:
    """Production-like settings (DEBUG off), served over plain HTTP on loopback."""
    env = {key: value for key, value in os.environ.items() if key != "EMAIL_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DJANGO_READ_DOT_ENV="false",
        DATABASE_URL=f"{POSTGRES}/{DATABASE}",
        REDIS_URL=REDIS_URL,
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SITE_URL=f"http://127.0.0.1:{port}",
        # No TLS proxy in front here: serve plain HTTP instead of redirecting.
        SECURE_SSL_REDIRECT="false",
        BENCH_STATIC_ROOT=str(static_root),
    )
    return env


def reset_database() -> None:
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{DATABASE}"')


def migrate_and_collect() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)


def seed() -> None:
    from django.utils import timezone

    from events import services
    from events.models import Event, EventStatus, HeardFrom, Role

    roles = list(Role.objects.all())
    day = (timezone.now() + timedelta(days=21)).astimezone(LONDON)
    starts_at = day.replace(hour=19, minute=0, second=0, microsecond=0)
    for slug, capacity in CAPACITIES.items():
        event = Event(
            title=f"Insight evening ({slug})",
            slug=slug,
            summary="Find out what the job is really like, from the people who do it.",
            description="Officers talk about a normal shift.\n\nThen your questions.",
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=2),
            venue_name="Police Headquarters",
            address="Stanborough Road\nWelwyn Garden City\nAL8 6XF",
            access_notes="Step-free entrance and a hearing loop.",
            capacity=capacity,
            status=EventStatus.PUBLISHED,
        )
        services.save_event(event, roles=roles)
    page_event = Event.objects.get(slug=PAGE_EVENT)
    for number in range(SEEDED_REGISTRATIONS):
        services.register_candidate(
            page_event,
            first_name="Seed",
            last_name=f"Candidate {as_letters(number)}",
            email=f"seed-{number}@bench.example.org",
            role=roles[number % len(roles)],
            heard_from=HeardFrom.SOCIAL_MEDIA,
        )


def purge_broker() -> None:
    """Drop the send tasks the web figures left in the bench's Redis database:
    the email figure must time only its own emails."""
    from django.conf import settings

    from recruitment.celery import app

    with app.connection_for_write() as connection:
        for queue in ["celery", *settings.EMAIL_QUEUES.values()]:
            connection.default_channel.queue_purge(queue)


def forget_rate(key: str) -> None:
    """Start the shared sending rate (emails/ratelimit.py) afresh."""
    import redis

    with redis.Redis.from_url(REDIS_URL) as client:
        client.delete(key)
