import pytest

from core.groups import WORKFORCE_DEVELOPMENT
from privacy import services
from privacy.models import AuditEntry
from tests.support.staff import make_staff_user, sign_in_staff

from .conftest import ZOE

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/privacy/auditentry/"


def test_superusers_see_audit_entries_read_only(client, zoe):
    services.export_personal_data(ZOE, by="jo.ops")
    services.erase_personal_data(ZOE, by="jo.ops")
    sign_in_staff(client, make_staff_user(username="root", superuser=True))

    page = client.get(CHANGELIST)
    entry = client.get(f"{CHANGELIST}{AuditEntry.objects.first().pk}/change/")

    assert page.status_code == 200
    assert page.content.decode().count("jo.ops") == 2
    assert "registrations anonymised: 3" in page.content.decode()
    assert "Add personal data audit entry" not in page.content.decode()
    assert entry.status_code == 200
    assert 'name="_save"' not in entry.content.decode()
    assert client.post(f"{CHANGELIST}{AuditEntry.objects.first().pk}/delete/").status_code == 403


def test_other_staff_cannot_see_audit_entries(client, zoe):
    services.export_personal_data(ZOE, by="jo.ops")
    sign_in_staff(client, make_staff_user(username="wd", group=WORKFORCE_DEVELOPMENT))

    page = client.get(CHANGELIST)
    home = client.get("/admin/")

    assert page.status_code == 403
    assert home.status_code == 200
    assert "audit" not in home.content.decode().lower()
