"""A registration for an address already registered must not be told apart
from a new one, by its answer or by how long the answer takes (issue 13). So
register_candidate sends the same statements whichever it is, under the
same lock: one SELECT that answers every question about the address, one
INSERT of the registration that does nothing when the address has one
already, one INSERT of a link, one INSERT of an outbox row (an email, or a
row the worker drops unsent when no email may go). Nothing is rendered in
the request on any path: the worker renders registration emails."""

from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models.constants import OnConflict
from django.db.models.sql import InsertQuery

from emails.models import OutgoingEmail

from ..models import ACTIVE_STATUSES, Registration, RegistrationStatus


@dataclass(frozen=True)
class AddressCheck:
    """What the event knows of an address, read under the event row lock.
    `existing` is the active registration's id and `email` its address
    (None for a new address);
    `may_resend` whether its link may be emailed again now (out of its
    first minutes and not resent this hour); `position` its place on the
    waiting list (None when it has a place)."""

    reference_taken: bool
    existing: int | None
    email: str | None
    may_resend: bool
    position: int | None
    same_form: bool


# One round trip, the same for a new and a known address. It is sent after
# the event row is locked: a statement sees only what was committed when it
# started, so a registration for the same address committed while this one
# waited for the lock is seen only by a statement sent after the lock is held.
_CHECK = """
    SELECT
        EXISTS (SELECT 1 FROM {registration} WHERE reference = %s),
        r.id,
        r.email,
        r.created_at < %s AND NOT EXISTS (
            SELECT 1 FROM {email} WHERE dedupe_key = %s || r.id || %s
        ),
        CASE WHEN r.status = %s THEN (
            SELECT count(*) FROM {registration} w
            WHERE w.event_id = r.event_id AND w.status = %s AND w.id <= r.id
        ) END,
        %s <> '' AND r.form_key = %s
    FROM (SELECT 1 AS one) AS one
    LEFT JOIN {registration} r ON r.event_id = %s AND r.email_key = %s AND r.status IN (%s, %s)
"""


def check_address(
    event_id: int,
    *,
    email_key: str,
    reference: str,
    quiet_since: datetime,
    resend_suffix: str,
    form_key: str = "",
) -> AddressCheck:
    """Whether the new reference is taken, and the address's active
    registration for the event, if any, with whether its link may be sent
    again (registered before `quiet_since`, no resend with `resend_suffix`
    yet) and whether `form_key`'s page made it. Call holding the event row
    lock."""
    sql = _CHECK.format(
        registration=Registration._meta.db_table, email=OutgoingEmail._meta.db_table
    )
    waiting = RegistrationStatus.WAITING
    params = [
        reference,
        connection.ops.adapt_datetimefield_value(quiet_since),
        *["registration_link_resent:", resend_suffix, waiting, waiting, form_key, form_key],
        *[event_id, email_key, *ACTIVE_STATUSES],
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        reference_taken, existing, email, may_resend, position, same_form = cursor.fetchone()
    return AddressCheck(
        bool(reference_taken), existing, email, bool(may_resend), position, bool(same_form)
    )


def insert_unless_registered(registration: Registration) -> bool:
    """INSERT the registration unless the address has an active one for the
    event (the partial unique constraint): the one statement both cases
    send. Sets its id and returns True when it was inserted."""
    query = InsertQuery(Registration, on_conflict=OnConflict.IGNORE)
    fields = [field for field in Registration._meta.concrete_fields if not field.primary_key]
    query.insert_values(fields, [registration])
    compiler = query.get_compiler(connection=connection)
    compiler.returning_fields = [Registration._meta.pk]
    [(sql, params)] = compiler.as_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return False
    registration.pk = row[0]
    registration._state.adding = False
    registration._state.db = connection.alias
    return True
