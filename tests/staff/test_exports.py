"""An event's registrations as CSV: what staff need for the evening, never
equality answers, and nothing a spreadsheet would run as a formula."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import RegistrationStatus
from staff.exports import safe_cell
from tests.factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def download(client, event):
    response = client.get(reverse("admin:events_event_export", args=[event.pk]))
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return response, list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def test_the_export_lists_every_registration_of_the_event(wd_client):
    event = EventFactory(slug="tuesday")
    confirmed = RegistrationFactory(
        event=event,
        first_name="Aoife",
        access_needs="Step-free access",
        checked_in_at=timezone.now(),
    )
    waiting = RegistrationFactory(event=event, status=RegistrationStatus.WAITING)
    other = RegistrationFactory()

    response, rows = download(wd_client, event)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'attachment; filename="registrations-tuesday-' in response["Content-Disposition"]
    header, *body = rows
    assert header[:5] == ["Reference", "Status", "First name", "Last name", "Email"]
    references = [row[0] for row in body]
    assert references == [confirmed.reference, waiting.reference]
    assert other.reference not in references
    first = dict(zip(header, body[0], strict=True))
    assert first["First name"] == "Aoife"
    assert first["Access needs"] == "Step-free access"
    assert first["Status"] == "Confirmed"
    assert first["Checked in at"]


def test_the_export_never_has_equality_monitoring_columns(wd_client):
    event = EventFactory()
    RegistrationFactory(event=event)

    _, rows = download(wd_client, event)

    header = " ".join(rows[0]).lower()
    for word in ["ethnic", "sex", "gender", "religion", "disab", "orientation", "age"]:
        assert word not in header.replace("heard", "").replace("registered", "")


@pytest.mark.parametrize("typed", ['=HYPERLINK("x")', "+44 7700", "-2+3", "@SUM(A1)", "\t=1"])
def test_a_cell_a_spreadsheet_would_run_is_written_as_text(wd_client, typed):
    event = EventFactory()
    RegistrationFactory(event=event, first_name=typed, access_needs=typed)

    _, rows = download(wd_client, event)

    header, row = rows
    values = dict(zip(header, row, strict=True))
    assert values["First name"] == "'" + typed
    assert values["Access needs"] == "'" + typed


def test_safe_cell_leaves_ordinary_text_alone():
    assert safe_cell("O'Brien") == "O'Brien"
    assert safe_cell("Anne-Marie") == "Anne-Marie"
    assert safe_cell("") == ""
