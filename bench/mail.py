"""Figure 4: emails per second from the outbox to an SMTP server on loopback
through a real Celery worker, against a bare smtplib loop sending the same
messages to the same server."""

import smtplib
import time
from email.utils import parseaddr
from pathlib import Path

from . import prepare, processes
from .report import Row, load_now, verdict

EMAILS = 1000
TIMEOUT_SECONDS = 240
DEDUPE_PREFIX = "bench-throughput:"


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


def _through_worker(env: dict, port: int, sink, logs: Path) -> tuple[float, int]:
    """Emails per second through the Procfile's worker, and how many arrived."""
    worker_env = {
        **env,
        "DJANGO_SETTINGS_MODULE": "recruitment.settings",
        "EMAIL_URL": f"smtp://{processes.HOST}:{port}",
    }
    prepare.purge_broker()
    with processes.celery_worker(env=worker_env, log=logs / "celery-worker.log"):
        committed = queue_emails(EMAILS)
        rate = EMAILS / (wait_until_sent(EMAILS) - committed)
        return rate, processes.sink_count(sink)


def mail_rows(env: dict, logs: Path) -> list[Row]:
    port = processes.free_port()
    with processes.smtp_sink(port=port, env=env, log=logs / "smtp-sink.log") as sink:
        worker_rate, received = _through_worker(env, port, sink, logs)
        messages = _messages()
        one_connection = bare_loop(port, messages, reuse=True)
        per_message = bare_loop(port, messages, reuse=False)
    print(
        f"  worker {worker_rate:.0f}/s, smtplib {one_connection:.0f}/s and {per_message:.0f}/s, "
        f"load {load_now():.1f}"
    )
    return [
        Row(
            f"Emails per second, {EMAILS:,} from the outbox through the worker",
            f"{worker_rate:,.0f}",
            f"{one_connection:,.0f}",
            f"{worker_rate / one_connection:.2f}",
            "none set",
        ),
        Row(
            "Emails per second, bare loop opening a connection per message",
            bare=f"{per_message:,.0f}",
            ratio=f"{worker_rate / per_message:.2f}",
        ),
        Row(
            "Emails the SMTP server received from the worker",
            f"{received:,}",
            target=f"exactly {EMAILS:,}",
            verdict=verdict(received == EMAILS),
        ),
    ]
