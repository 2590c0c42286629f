"""Names: what every name field accepts (public forms, the secret link,
the positive-action form, and staff registering by phone or at the door),
and how emails quote them."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from core.groups import WORKFORCE_DEVELOPMENT, ensure_staff_groups
from core.names import check_names, clean_name, greeting, is_name, validate_name
from emails.models import OutgoingEmail
from events.models import Registration
from mentoring.models import MentoringRequest
from tests.factories import EventFactory, role
from tests.mentoring.support import form_data as mentoring_form
from tests.support.staff import make_staff_user, sign_in_staff

INSTRUCTION = "Jo, your place is at risk: confirm at https://evil.example/verify"

REAL_NAMES = [
    "Ó Súilleabháin",
    "Nguyễn",
    "Nguye\u0302\u0303n",  # the same, typed with combining marks
    "\u0958" * 100,  # longer once normalised: kept as typed
    "王芳",
    "O'Brien",
    "d’Arcy",
    "Jean-Luc",
    "María de los Ángeles",
    "Zoë",
    "ʻIolani",
    "محمد‌رضا",  # Persian, with a zero-width non-joiner
    "Аня",
    "अनन्या",
]

NOT_NAMES = [
    "Jo, your place is at risk: confirm at https://evil.example/verify",
    "https://evil.example",
    "www.evil.example",
    "evil.example",
    "jo@example.com",
    "12345",
    "Jo 2",
    "-",
    "' '",
    "<script>",
    "Jo\u202eevil",
    "Jo\r\nBcc: victim@example.com",
    "👮",
    "{{ settings.SECRET_KEY }}",
]


@pytest.mark.parametrize("name", REAL_NAMES)
def test_names_in_any_script_with_hyphens_and_apostrophes_are_names(name):
    assert is_name(clean_name(name))


@pytest.mark.parametrize("name", NOT_NAMES)
def test_links_addresses_digits_and_punctuation_are_refused(name):
    with pytest.raises(ValidationError) as refused:
        validate_name(name, label="your first name")

    assert refused.value.messages == [
        "Enter your first name using letters, spaces, hyphens and apostrophes only"
    ]


def test_a_name_is_kept_as_typed_with_spaces_made_one():
    assert validate_name("  Mary \u00a0 Ann  ", label="your first name") == "Mary Ann"
    assert validate_name("Nguye\u0302\u0303n", label="your last name") == "Nguye\u0302\u0303n"


def test_a_service_refusal_names_each_field_that_is_not_a_name():
    with pytest.raises(ValidationError) as refused:
        check_names(first_name="Jo", last_name="https://evil.example")

    assert list(refused.value.error_dict) == ["last_name"]


def test_an_email_greets_a_name_and_never_text_that_is_not_one():
    assert greeting("d’Arcy") == "Dear d’Arcy,"
    assert greeting("Jo, confirm at https://evil.example/verify") == "Hello,"
    assert greeting("") == "Hello,"


@pytest.mark.django_db
def test_the_positive_action_form_refuses_a_name_that_is_not_one_at_the_field(client):
    response = client.post("/positive-action/", mentoring_form(name=INSTRUCTION))

    body = response.content.decode()
    message = "Enter your full name using letters, spaces, hyphens and apostrophes only"
    assert body.count(message) == 2
    assert not MentoringRequest.objects.exists()
    assert not OutgoingEmail.objects.exists()


@pytest.fixture
def staff_client(client, db):
    ensure_staff_groups()
    user = make_staff_user(username="wd", group=WORKFORCE_DEVELOPMENT)
    return sign_in_staff(client, user)


def test_staff_registering_by_phone_get_the_message_at_the_field(staff_client):
    event = EventFactory()
    url = reverse("admin:events_event_register_by_phone", args=[event.pk])

    response = staff_client.post(
        url,
        {
            "first_name": INSTRUCTION,
            "last_name": "Patel",
            "email": "dev@example.com",
            "role": role().pk,
            "heard_from": "other",
            "privacy_told": "on",
        },
    )

    body = response.content.decode()
    assert "Enter your first name using letters, spaces, hyphens and apostrophes" in body
    assert not Registration.objects.exists()


def test_a_walk_in_whose_name_is_not_one_is_refused_at_the_field(staff_client):
    start = timezone.now() - timedelta(minutes=5)
    event = EventFactory(starts_at=start, ends_at=start + timedelta(hours=2))
    url = reverse("admin:events_event_walk_in", args=[event.pk])

    response = staff_client.post(
        url,
        {"first_name": "Ali", "last_name": "www.evil.example", "email": "a@example.com"}
        | {"role": role().pk},
    )

    body = response.content.decode()
    assert "Enter a last name using letters, spaces, hyphens and apostrophes only" in body
    assert 'href="#id_last_name"' in body
    assert not Registration.objects.exists()
