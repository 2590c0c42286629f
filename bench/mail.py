"""Figure 4: emails per second from the outbox to an SMTP server on loopback
through a real Celery worker, against a bare smtplib loop sending the same
messages to the same server.

Two kinds, measured apart: event alerts, the bulk send where throughput
decides how long a fan-out takes (written when queued, as the fan-out
writes them), and confirmations, which the worker renders itself (three
templates, an .ics and a QR code per person; the bare loop sends them
already rendered, so their ratio shows that work, not the worker's)."""

import smtplib
import time
from email.utils import parseaddr
from pathlib import Path
from typing import NamedTuple

from . import prepare, processes
from .report import Row, load_now, verdict

EMAILS = 1000
TIMEOUT_SECONDS = 240
DEDUPE_PREFIX = "bench-throughput:"


def queue_alerts(count: int, *, prefix: str = DEDUPE_PREFIX) -> float:
    """Queue `count` event alerts in one transaction, as an alert run's
    batch does (rendered as they are written, each with its own links and
    List-Unsubscribe headers).
    Return the time of the commit, from which the send tasks go to the broker."""
    from django.conf import settings
    from django.db import transaction

    from alerts.services.subscriptions import list_headers
    from emails.services import EmailToQueue, queue_emails
    from events.models import Event

    event = Event.objects.get(slug=prepare.PAGE_EVENT)
    site = settings.SITE_URL
    emails = [
        EmailToQueue(
            kind="event_alert",
            to=f"alert-{number}@bench.example.org",
            context={
                "event": event,
                "event_url": site + event.get_absolute_url(),
                "role_names": "Police officer, PCSO",
                "manage_url": f"{site}/alerts/manage/bench-{number}/",
                "unsubscribe_url": f"{site}/alerts/unsubscribe/bench-{number}/",
            },
            dedupe_key=f"{prefix}{number}",
            headers=list_headers(f"bench-{number}"),
        )
        for number in range(count)
    ]
    with transaction.atomic():
        queue_emails(emails, new_reasons=True)
        committed = time.time()
    return committed


def queue_emails(count: int, *, prefix: str = DEDUPE_PREFIX) -> float:
    """Queue `count` confirmation emails in one transaction, as
    register_candidate does: a stored context that the worker renders, with
    the .ics, just before sending (events/registration_emails.py). Return the
    time of the commit, from which the send tasks go to the broker."""
    from django.db import transaction

    from emails.services import queue_email
    from events import registration_emails, services
    from events.models import Registration, RegistrationStatus

    kind = "registration_confirmed"
    registration = Registration.objects.filter(
        event__slug=prepare.PAGE_EVENT, status=RegistrationStatus.CONFIRMED
    ).first()
    context = registration_emails.stored_context(
        registration, kind=kind, manage_url=services.manage_url("bench-token"), position=None
    )
    with transaction.atomic():
        for number in range(count):
            queue_email(
                kind=kind,
                to=f"mail-{number}@bench.example.org",
                context=context,
                dedupe_key=f"{prefix}{number}",
            )
        committed = time.time()
    return committed


def _bench_emails():
    from emails.models import OutgoingEmail

    return OutgoingEmail.objects.filter(dedupe_key__startswith=DEDUPE_PREFIX)


def wait_until_sent(count: int) -> float:
    """Poll the outbox until every bench email is sent; return the last sent_at."""
    from django.db.models import Max

    from emails.models import EmailStatus

    deadline = time.monotonic() + TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if _bench_emails().filter(status=EmailStatus.SENT).count() == count:
            return _bench_emails().aggregate(last=Max("sent_at"))["last"].timestamp()
        if error := _bench_emails().exclude(last_error="").values_list("last_error").first():
            raise RuntimeError(f"the worker could not send an email: {error[0]}")
        time.sleep(0.25)
    raise RuntimeError(f"not all {count} emails were sent within {TIMEOUT_SECONDS}s")


def _messages() -> list[tuple[str, str, bytes]]:
    from django.conf import settings

    from emails.services import build_message

    sender = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return [
        (sender, email.to, build_message(email).message().as_bytes(linesep="\r\n"))
        for email in _bench_emails().order_by("pk")
    ]


def bare_loop(port: int, messages: list, *, reuse: bool) -> float:
    """Send with smtplib over one connection (reuse) or one per message, as
    Django's SMTP backend does when each task sends one email. Per second."""
    start = time.perf_counter()
    if reuse:
        with smtplib.SMTP(processes.HOST, port) as smtp:
            for sender, recipient, raw in messages:
                smtp.sendmail(sender, [recipient], raw)
    else:
        for sender, recipient, raw in messages:
            with smtplib.SMTP(processes.HOST, port) as smtp:
                smtp.sendmail(sender, [recipient], raw)
    return len(messages) / (time.perf_counter() - start)


def _through_worker(queue, port: int, sink) -> tuple[float, int]:
    """Emails per second through the running worker, and how many the sink
    has received since the last count."""
    before = processes.sink_count(sink)
    _bench_emails().delete()
    committed = queue(EMAILS)
    rate = EMAILS / (wait_until_sent(EMAILS) - committed)
    return rate, processes.sink_count(sink) - before


# The machine's speed wanders from one second to the next (a shared VM):
# the worker and the bare loop take turns this many times, and the row shows
# the round with the median ratio.
ROUNDS = 3


class Turn(NamedTuple):
    """One turn: emails a second through the worker, how many the server
    received from it, and the bare loop's rates (one connection; one per
    message, alerts only)."""

    rate: float
    received: int
    bare: float
    bare_per_message: float


def _round(name: str, queue, port: int, sink) -> Turn:
    rate, received = _through_worker(queue, port, sink)
    messages = _messages()
    one = bare_loop(port, messages, reuse=True)
    per_message = bare_loop(port, messages, reuse=False) if name == "alerts" else 0
    print(
        f"  {name}: worker {rate:.0f}/s, smtplib {one:.0f}/s"
        + (f" and {per_message:.0f}/s" if per_message else "")
        + f" (ratio {rate / one:.2f}), load {load_now():.1f}",
        flush=True,
    )
    return Turn(rate, received, one, per_message)


def mail_rows(env: dict, logs: Path) -> list[Row]:
    port = processes.free_port()
    worker_env = {
        **env,
        "DJANGO_SETTINGS_MODULE": "recruitment.settings",
        "EMAIL_URL": f"smtp://{processes.HOST}:{port}",
    }
    figures = {}
    with processes.smtp_sink(port=port, env=env, log=logs / "smtp-sink.log") as sink:
        prepare.purge_broker()
        with processes.celery_worker(env=worker_env, log=logs / "celery-worker.log"):
            for name, queue, rounds in (
                ("alerts", queue_alerts, ROUNDS),
                ("confirmations", queue_emails, 1),
            ):
                turns = sorted(
                    (_round(name, queue, port, sink) for _ in range(rounds)),
                    key=lambda turn: turn.rate / turn.bare,
                )
                figures[name] = turns
    return _rows(figures)


def _rows(figures: dict[str, list[Turn]]) -> list[Row]:
    """The turn with the median ratio of each kind, and every turn's count."""
    alerts, confirmations = (
        figures[name][len(figures[name]) // 2] for name in ("alerts", "confirmations")
    )
    received = sum(turn.received for turns in figures.values() for turn in turns)
    expected = EMAILS * sum(len(turns) for turns in figures.values())
    return [
        Row(
            f"Emails per second, {EMAILS:,} event alerts from the outbox through the worker"
            f" (the median of {len(figures['alerts'])} turns with the bare loop)",
            f"{alerts.rate:,.0f}",
            f"{alerts.bare:,.0f}",
            f"{alerts.rate / alerts.bare:.2f}",
            "≥ 0.5",
            verdict(alerts.rate / alerts.bare >= 0.5),
        ),
        Row(
            "Emails per second, the alerts by a bare loop opening a connection per message",
            bare=f"{alerts.bare_per_message:,.0f}",
            ratio=f"{alerts.rate / alerts.bare_per_message:.2f}",
        ),
        Row(
            f"Emails per second, {EMAILS:,} confirmations rendered by the worker (.ics, QR code)",
            f"{confirmations.rate:,.0f}",
            f"{confirmations.bare:,.0f}",
            f"{confirmations.rate / confirmations.bare:.2f}",
            "none set",
        ),
        Row(
            "Emails the SMTP server received from the worker",
            f"{received:,}",
            target=f"exactly {expected:,}",
            verdict=verdict(received == expected),
        ),
    ]
