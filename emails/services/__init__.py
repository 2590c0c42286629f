"""Writes to the outbox. Callers (events, mentoring, alerts) hand over the
kind, the recipient, the context and a dedupe key; this app knows nothing of
their models.

The row is the truth, the broker only a doorbell: a row is written in the
caller's transaction, a task is enqueued on commit, and the beat sweeper
enqueues whatever is due and was never handed over (broker down), was lost
(broker restarted) or is waiting to be retried. Retries are rows with a later
`next_attempt_at`, never Celery countdowns, which Redis would redeliver after
its visibility timeout and forget if it restarted.

- queueing.py: writing rows (queue_email, queue_emails, queue_new_reasons);
- broker.py: handing rows to the broker, each to its lane's queue;
- sending.py: claiming rows, the rate, the SMTP connection, the outcome;
- sweeping.py: what beat runs every minute (stuck rows, missed rows);
- resending.py: staff sending an email again."""

from ..models import DROP
from .broker import enqueue_send, enqueue_sends
from .queueing import EmailToQueue, queue_email, queue_emails, queue_new_reasons
from .resending import resend_email
from .sending import (
    RetryPolicy,
    build_message,
    claim_email,
    claim_emails,
    describe_error,
    is_temporary,
    send_email,
    send_emails,
)
from .sweeping import WORKER_LOST, release_stuck_emails, sweep_outbox

__all__ = [
    "DROP",
    "EmailToQueue",
    "RetryPolicy",
    "WORKER_LOST",
    "build_message",
    "claim_email",
    "claim_emails",
    "describe_error",
    "enqueue_send",
    "enqueue_sends",
    "is_temporary",
    "queue_email",
    "queue_emails",
    "queue_new_reasons",
    "release_stuck_emails",
    "resend_email",
    "send_email",
    "send_emails",
    "sweep_outbox",
]
