import pytest

from core.groups import POSITIVE_ACTION, WORKFORCE_DEVELOPMENT
from tests.support.staff import make_staff_user


@pytest.fixture
def team_member(db):
    return make_staff_user(username="mentor", group=POSITIVE_ACTION)


@pytest.fixture
def workforce_user(db):
    return make_staff_user(username="workforce", group=WORKFORCE_DEVELOPMENT)
