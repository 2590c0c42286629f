import pytest

from core.groups import POSITIVE_ACTION, WORKFORCE_DEVELOPMENT, ensure_staff_groups
from tests.factories import ensure_roles

from .support import staff_user


@pytest.fixture(autouse=True)
def _roles_and_groups(db):
    """Migrations make both; a transactional test elsewhere may have flushed them."""
    ensure_roles()
    ensure_staff_groups()


@pytest.fixture
def team_member(db):
    return staff_user("mentor", group=POSITIVE_ACTION)


@pytest.fixture
def workforce_user(db):
    return staff_user("workforce", group=WORKFORCE_DEVELOPMENT)
