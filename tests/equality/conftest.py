import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from core.groups import ensure_staff_groups
from tests.factories import ensure_roles


@pytest.fixture(autouse=True)
def _roles_and_groups(db):
    """Migrations make both; a transactional test elsewhere may have flushed them."""
    ensure_roles()
    ensure_staff_groups()


def staff_user(name: str, *, group: str | None = None, is_staff: bool = True):
    user = get_user_model().objects.create_user(
        name, f"{name}@example.org", "a-long-test-password", is_staff=is_staff
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user
