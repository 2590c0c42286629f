"""An event's registrations as CSV, for staff. Never equality monitoring
answers (they are stored apart from identity and never joined to it)."""

import csv
import io
from collections.abc import Iterable, Iterator

from django.db.models import Case, Value, When
from django.utils import timezone

from events.models import Event, Registration, RegistrationStatus

COLUMNS = [
    ("Reference", lambda r: r.reference),
    ("Status", lambda r: r.get_status_display()),
    ("First name", lambda r: r.first_name),
    ("Last name", lambda r: r.last_name),
    ("Email", lambda r: r.email),
    ("Phone", lambda r: r.phone),
    ("Role", lambda r: r.role.name),
    ("Access needs", lambda r: r.access_needs),
    ("Heard from", lambda r: r.get_heard_from_display()),
    ("How registered", lambda r: r.get_source_display()),
    ("Registered at", lambda r: _when(r.created_at)),
    ("Promoted from waiting list at", lambda r: _when(r.promoted_at)),
    ("Cancelled at", lambda r: _when(r.cancelled_at)),
    ("Checked in at", lambda r: _when(r.checked_in_at)),
]

# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def safe_cell(value: str) -> str:
    """Defuse CSV injection: a cell a spreadsheet would read as a formula
    is prefixed with an apostrophe, which shows it as text."""
    value = str(value)
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def registrations_csv_rows(registrations: Iterable[Registration]) -> Iterator[list[str]]:
    yield [name for name, _ in COLUMNS]
    for registration in registrations:
        yield [safe_cell(read(registration)) for _, read in COLUMNS]


def registrations_for_export(event: Event):
    """Confirmed, then the waiting list in its order, then cancelled."""
    order = Case(
        When(status=RegistrationStatus.CONFIRMED, then=Value(0)),
        When(status=RegistrationStatus.WAITING, then=Value(1)),
        default=Value(2),
    )
    return Registration.objects.filter(event=event).select_related("role").order_by(order, "pk")


def registrations_csv(event: Event) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows(registrations_csv_rows(registrations_for_export(event).iterator()))
    return buffer.getvalue()


def export_filename(event: Event) -> str:
    local = timezone.localtime(event.starts_at)
    return f"registrations-{event.slug[:60]}-{local:%Y-%m-%d}.csv"
