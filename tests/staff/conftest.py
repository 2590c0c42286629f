"""Staff users for the admin tests: a member of each group, signed in with
sign_in_staff (axes needs a request to authenticate; the lockout tests post
to the real login page)."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from core.groups import POSITIVE_ACTION, WORKFORCE_DEVELOPMENT
from tests.support.staff import sign_in_staff


def staff_member(group_name: str, *, email: str):
    user = get_user_model().objects.create_user(email, email, "a-long-test-password", is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def wd_user(db):
    return staff_member(WORKFORCE_DEVELOPMENT, email="wd@example.org")


@pytest.fixture
def wd_client(client, wd_user):
    sign_in_staff(client, wd_user)
    return client


@pytest.fixture
def pa_client(client, db):
    sign_in_staff(client, staff_member(POSITIVE_ACTION, email="pa@example.org"))
    return client
