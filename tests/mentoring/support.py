"""What the mentoring tests share: the form a candidate sends, a request
made through the service, and staff users in each group."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from core import tokens
from mentoring import services
from tests.factories import role

VALID_KEY = "k" * 43


def form_data(**overrides):
    return {
        "name": "Aisling Ó Súilleabháin",
        "email": "aisling@example.com",
        "contact_method": "email",
        "phone": "",
        "role": "police-officer",
        "journey_stage": "preparing",
        "support_kinds": ["application", "fitness"],
        "under_represented": "",
        "anything_else": "",
        "consent": "on",
        "submission_key": VALID_KEY,
        **overrides,
    }


def make_request(**overrides):
    """A request made the way a candidate makes it; returns (request, token)."""
    fields = {
        "name": "Nguyễn Thị Lan",
        "email": "lan@example.com",
        "contact_method": "email",
        "role": role("police-officer"),
        "journey_stage": "thinking",
        "support_kinds": ["mentor"],
        "submission_key": tokens.new_token(),
        **overrides,
    }
    outcome = services.request_support(**fields)
    return outcome.request, outcome.token


def staff_user(username: str, *, group: str | None = None, superuser: bool = False):
    user = get_user_model().objects.create_user(
        username, f"{username}@example.org", "a-long-password-1234", is_staff=True
    )
    if superuser:
        user.is_superuser = True
        user.save()
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user
