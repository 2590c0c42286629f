"""The steps bench.changelist runs in a child process, against one size's
database (DATABASE_URL): `python -m bench.changelist_steps seed N` migrates
and seeds it and makes the member of staff; `... count N COOKIE` counts and
times requests in this process with the session wrk sends, and writes the
statements, an EXPLAIN ANALYZE of the slowest and a cProfile to
var/bench/changelist-<N>.txt. Each prints one line of JSON."""

import json
import random
import re
import sys
import time
from datetime import timedelta
from pathlib import Path

from . import client, prepare
from .changelist import BARE_PATH, LOGS, PATH, STAFF_EMAIL

IN_PROCESS_REQUESTS = 10

EVENT_TEXT = {
    "summary": "Find out what the job is really like, from the people who do it.",
    "description": "Officers talk about a normal shift.\n\nThen your questions.",
    "venue_name": "Police Headquarters",
    "address": "Stanborough Road\nWelwyn Garden City\nAL8 6XF",
}


def _event(number: int, count: int, rng: random.Random, today):
    """Event `number` of `count`: every fifth one past, the rest upcoming
    over two years; a few drafts, cancelled, targeted or online."""
    from events.models import Audience, Event, EventFormat, EventStatus

    past = number % 5 == 0
    upcoming = count - (count + 4) // 5
    if past:
        day = today - timedelta(days=1 + number * 365 // count)
    else:
        day = today + timedelta(days=1 + (number - number // 5 - 1) * 730 // max(upcoming, 1))
    starts_at = day.replace(hour=19, minute=0, second=0, microsecond=0)
    status = EventStatus.PUBLISHED
    if number % 37 == 3:
        status = EventStatus.CANCELLED
    elif number % 23 == 7 and not past:
        status = EventStatus.DRAFT
    audience = {0: Audience.WOMEN, 3: Audience.BLACK_ASIAN_MINORITY_ETHNIC}.get(
        number % 10, Audience.LGBT if number % 29 == 1 else Audience.EVERYONE
    )
    online = number % 7 == 2
    return Event(
        title=f"Insight evening {number + 1}",
        slug=f"bench-admin-{number + 1}",
        **EVENT_TEXT,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        format=EventFormat.ONLINE if online else EventFormat.IN_PERSON,
        audience=audience,
        capacity=300 if online else rng.choice([40, 60, 80, 80, 80, 100]),
        status=status,
    )


def _registrations(event, number: int, rng: random.Random, roles: list) -> list:
    """0 to 80 confirmed (a fifth full, with 1 to 20 waiting), 0 to 5
    cancelled; at past events about three in four confirmed checked in, and
    up to 3 walk-ins. A cancelled event's registrations are all cancelled."""
    from events.models import EventStatus, HeardFrom, Registration, RegistrationSource
    from events.models import RegistrationStatus as Status

    places = min(event.capacity, 80)
    full = rng.random() < 0.2 and event.capacity <= 80
    confirmed = event.capacity if full else rng.randint(0, places)
    past = event.starts_at < event.created_at
    plan = [Status.CONFIRMED] * confirmed
    plan += [Status.WAITING] * (rng.randint(1, 20) if full else 0)
    plan += [Status.CANCELLED] * rng.randint(0, 5)
    walk_ins = rng.randint(0, 3) if past and confirmed else 0
    heard = list(HeardFrom)
    created = []
    for index, status in enumerate(plan + [Status.CONFIRMED] * walk_ins):
        if event.status == EventStatus.CANCELLED:
            status = Status.CANCELLED
        walk_in = index >= len(plan)
        came = past and status == Status.CONFIRMED and (walk_in or rng.random() < 0.75)
        email = f"candidate-{number}-{index}@bench.example.org"
        created.append(
            Registration(
                event=event,
                reference=f"BA{number:05d}{index:03d}",
                status=status,
                first_name="Bench",
                last_name=f"Candidate {index}",
                email=email,
                email_key=email,
                role=roles[index % len(roles)],
                heard_from=heard[index % len(heard)],
                privacy_accepted_at=event.created_at,
                checked_in_at=event.starts_at + timedelta(minutes=5) if came else None,
                source=RegistrationSource.WALK_IN if walk_in else RegistrationSource.ONLINE,
            )
        )
    return created


def seed(count: int) -> dict:
    """Migrate, collect static files if not yet there, seed `count` events
    and their registrations, and make the member of staff."""
    from io import StringIO

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from core.groups import WORKFORCE_DEVELOPMENT
    from events.models import Event, Registration, Role

    call_command("migrate", interactive=False, verbosity=0)
    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)
    rng = random.Random(2026)
    roles = list(Role.objects.all())
    now = timezone.now()
    today = timezone.localtime(now, prepare.LONDON)
    events = [_event(number, count, rng, today) for number in range(count)]
    for event in events:
        event.created_at = event.updated_at = now
    Event.objects.bulk_create(events, batch_size=1000)
    through = Event.roles.through
    through.objects.bulk_create(
        [through(event_id=event.pk, role_id=role.pk) for event in events for role in roles],
        batch_size=5000,
    )
    registrations = [
        registration
        for number, event in enumerate(events)
        for registration in _registrations(event, number, rng, roles)
    ]
    Registration.objects.bulk_create(registrations, batch_size=5000)
    with connection.cursor() as cursor:
        # The trigger that keeps an event's counts updated its row once per
        # registration, all in one transaction here: compact the table, as
        # autovacuum keeps it over months of registrations, and analyze.
        cursor.execute("VACUUM (FULL, ANALYZE)")
    output = StringIO()
    call_command(
        "createstaff", STAFF_EMAIL, group=WORKFORCE_DEVELOPMENT, interactive=False, stdout=output
    )
    password = re.search(r"One-time password: (\S+)", output.getvalue()).group(1)
    # Staff sign in with a second factor: an authenticator app whose secret
    # the bench holds, as the person's phone would.
    app = TOTPDevice.objects.create(
        user=get_user_model().objects.get(username=STAFF_EMAIL), name="Authenticator app"
    )
    upcoming = Event.objects.filter(ends_at__gt=now).count()
    return {
        "password": password,
        "app_key": app.key,
        "registrations": len(registrations),
        "upcoming": upcoming,
    }


def _timed(browser, path: str, requests: int) -> dict:
    """Queries for one request; then, over `requests` more, milliseconds per
    request of this process's CPU and of waiting for PostgreSQL."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = browser.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"GET {path} in process answered {response.status_code}")
    queries = len(captured.captured_queries)
    in_sql = [0.0]

    def timer(execute, query, params, many, context):
        start = time.perf_counter()
        try:
            return execute(query, params, many, context)
        finally:
            in_sql[0] += time.perf_counter() - start

    cpu = time.process_time()
    with connection.execute_wrapper(timer):
        for _ in range(requests):
            browser.get(path)
    cpu = time.process_time() - cpu
    return {
        "queries": queries,
        "cpu_ms": cpu * 1000 / requests,
        "sql_ms": in_sql[0] * 1000 / requests,
    }


def count(size: int, cookie: str) -> dict:
    """In this process, with the session wrk sends: queries per request, ms
    per request and in SQL, for the changelist and the bare view; the
    statements, an EXPLAIN ANALYZE of the slowest and a cProfile of the
    changelist go to var/bench/changelist-<size>.txt."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    browser = Client(HTTP_HOST=client.HOST)
    name, _, value = cookie.partition("=")
    browser.cookies[name] = value
    site = _timed(browser, PATH, IN_PROCESS_REQUESTS)
    bare = _timed(browser, BARE_PATH, IN_PROCESS_REQUESTS)
    with CaptureQueriesContext(connection) as captured:
        browser.get(PATH)
    statements = captured.captured_queries
    slowest = max(statements, key=lambda query: float(query["time"]))["sql"]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {slowest}")
        plan = "\n".join(line for (line,) in cursor.fetchall())
    execution = float(re.search(r"Execution Time: ([\d.]+) ms", plan).group(1))
    report = [
        f"GET {PATH} with {size:,} events: {site['queries']} queries; in one process "
        f"{site['cpu_ms']:.1f} ms of CPU and {site['sql_ms']:.1f} ms waiting for SQL a request\n",
        *(f"-- {float(q['time']) * 1000:.1f} ms\n{q['sql']}\n" for q in statements),
        f"\nEXPLAIN (ANALYZE, BUFFERS) of the slowest statement:\n{plan}\n",
        f"\ncProfile of {IN_PROCESS_REQUESTS} requests:\n{_profile(browser, PATH)}",
    ]
    (LOGS / f"changelist-{size}.txt").write_text("\n".join(report))
    return {"site": site, "bare": bare, "slowest_ms": execution}


def _profile(browser, path: str) -> str:
    import cProfile
    import io
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(IN_PROCESS_REQUESTS):
        browser.get(path)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(40)
    stats.sort_stats("tottime").print_stats(25)
    return out.getvalue()


def main(args: list[str]) -> None:
    import django

    django.setup()
    answer = seed(int(args[1])) if args[0] == "seed" else count(int(args[1]), args[2])
    print(json.dumps(answer))


if __name__ == "__main__":
    main(sys.argv[1:])
