"""Staff users for the admin tests: a member of each group, signed in with
sign_in_staff (axes needs a request to authenticate; the lockout tests post
to the real login page)."""

import pytest

from core.groups import POSITIVE_ACTION, WORKFORCE_DEVELOPMENT
from tests.support.staff import make_staff_user, sign_in_staff


@pytest.fixture
def wd_user(db):
    return make_staff_user(username="wd@example.org", group=WORKFORCE_DEVELOPMENT)


@pytest.fixture
def wd_client(client, wd_user):
    sign_in_staff(client, wd_user)
    return client


@pytest.fixture
def pa_client(client, db):
    sign_in_staff(client, make_staff_user(username="pa@example.org", group=POSITIVE_ACTION))
    return client
