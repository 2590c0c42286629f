import pytest

from core.groups import POSITIVE_ACTION, WORKFORCE_DEVELOPMENT

from .support import staff_user


@pytest.fixture
def team_member(db):
    return staff_user("mentor", group=POSITIVE_ACTION)


@pytest.fixture
def workforce_user(db):
    return staff_user("workforce", group=WORKFORCE_DEVELOPMENT)
