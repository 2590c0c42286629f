"""`make bench`: prepare a database, start gunicorn, measure; measure the
staff admin's event changelist on databases of its own; then start an SMTP
sink and a Celery worker, measure, print one table and write it into
docs/benchmarks.md. Every process it starts is stopped on the way out."""

import os
import shutil
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path

from . import load, prepare, processes, report
from .report import Row

LOGS = Path(__file__).resolve().parent.parent / "var" / "bench"


def _stop_on_sigterm(signum, frame):
    # Turn SIGTERM into an exception, so every `finally` stops its processes.
    raise SystemExit(128 + signum)


def _setup_django(env: dict) -> None:
    os.environ.update(env)
    prepare.reset_database()
    import django

    django.setup()
    prepare.migrate_and_collect()
    prepare.seed()


SECTIONS = ("pages", "timing", "equality", "changelist", "mail", "lanes", "fanout")


def measure(folder: Path, sections: tuple[str, ...] = SECTIONS) -> tuple[list[Row], dict]:
    from . import changelist, equality, fanout, lanes, mail, pages, spike, timing

    port = processes.free_port()
    env = prepare.environment(port=port, static_root=folder / "static")
    step(f"Database {prepare.DATABASE}: migrate, collect static files, seed")
    _setup_django(env)
    facts = report.machine()
    rows: list[Row] = []
    if "pages" in sections:
        step(f"gunicorn ({processes.GUNICORN_WORKERS} sync workers) on 127.0.0.1:{port}")
        with processes.gunicorn(port=port, env=env, log=LOGS / "gunicorn.log"):
            step("1. Event page and bare view, wrk")
            rows += pages.page_rows(port)
            step("2. Registration POSTs, wrk")
            rows += pages.register_rows(port, folder)
            step("3. Spike of simultaneous registrations")
            rows += spike.spike_rows(port)
    if "timing" in sections:
        step("3b. Known against new addresses on the public forms, in-process")
        rows += timing.timing_rows()
    if "equality" in sections:
        step("3c. Equality report for a busy quarter, in-process")
        rows += equality.equality_rows()
    if "changelist" in sections:
        step("4. Admin event changelist with 10 and 1,000 events, wrk")
        started = time.monotonic()
        rows += changelist.run(folder)
        print(f"  {time.monotonic() - started:.0f} s", flush=True)
    if "mail" in sections:
        step("5. Email throughput: SMTP sink, Celery worker, smtplib")
        rows += mail.mail_rows(env, LOGS)
    if "lanes" in sections:
        step("5b. Email lanes: a confirmation during a 20,000-alert fan-out; EMAIL_RATE kept")
        rows += lanes.lane_rows(env, LOGS)
    if "fanout" in sections:
        step("6. Event-alert fan-out to 10,000 and 100,000 subscribers")
        rows += fanout.run()
    return rows, facts


def step(text: str) -> None:
    print(f"== {text}", flush=True)


def main(arguments: list[str]) -> int:
    """Every section, written into docs/benchmarks.md; or only the sections
    named (`make bench ONLY="mail lanes"`), printed and not written."""
    sections = tuple(arguments) or SECTIONS
    if unknown := set(sections) - set(SECTIONS):
        print(
            f"Unknown sections {sorted(unknown)}; choose from {', '.join(SECTIONS)}",
            file=sys.stderr,
        )
        return 2
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    started = time.monotonic()
    report.load_now()
    load.ensure_wrk()
    shutil.rmtree(LOGS, ignore_errors=True)
    LOGS.mkdir(parents=True)
    try:
        with tempfile.TemporaryDirectory(prefix="insight-bench-") as folder:
            rows, facts = measure(Path(folder), sections)
    except Exception:
        traceback.print_exc()
        print(f"\nmake bench failed; the logs of what it started are in {LOGS}", file=sys.stderr)
        return 1
    facts["load average (1 min)"] = report.load_fact()
    report.publish(
        rows, facts, minutes=(time.monotonic() - started) / 60, write=sections == SECTIONS
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
