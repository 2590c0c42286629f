"""What the mentoring tests share: the form a candidate sends and a request
made through the service."""

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
