import re

import pytest
from django.contrib.sessions.models import Session
from django.utils.html import escape

from emails.models import OutgoingEmail
from mentoring.forms import CONSENT_MISSING, PHONE_INVALID, PHONE_NEEDED
from mentoring.models import ContactLogEntry, MentoringRequest, RequestStatus
from mentoring.services import SUPPORT_REQUIRED, record_contact
from tests.factories import role

from .support import VALID_KEY, form_data, make_request

pytestmark = pytest.mark.django_db

URL = "/positive-action/"


def request_path(email: OutgoingEmail) -> str:
    """The path of the secret link in the email: the token lives only there."""
    match = re.search(
        r"https://events\.example\.org(/positive-action/request/[^/\s]+/)", email.body_text
    )
    assert match, email.body_text
    return match.group(1)


def checked(body: str, name: str) -> list[str]:
    """The values of the ticked radios or checkboxes called `name`."""
    inputs = re.findall(r"<input[^>]*>", body)
    return [
        re.search(r'value="([^"]*)"', tag)[1]
        for tag in inputs
        if f'name="{name}"' in tag and "checked" in tag
    ]


def post(client, **overrides):
    return client.post(URL, form_data(**overrides))


# The page and the form


def test_the_page_explains_positive_action_and_shows_the_form(client):
    body = client.get(URL).content.decode()

    assert "never gives anyone an advantage in selection" in body
    assert "Support we offer" in body
    assert 'id="mentoring-request-form"' in body
    assert "novalidate" in body
    assert 'name="consent"' in body
    assert "I have not decided yet" in body


def test_a_request_is_stored_and_the_candidate_sees_the_confirmation(client):
    response = post(client, under_represented="I am a woman from a Traveller family.")

    assert response.status_code == 302
    assert response["Location"] == "/positive-action/sent/"
    request = MentoringRequest.objects.get()
    assert request.name == "Aisling Ó Súilleabháin"
    assert request.role == role("police-officer")
    assert request.support_kinds == ["application", "fitness"]
    assert request.under_represented == "I am a woman from a Traveller family."
    assert request.status == RequestStatus.NEW
    assert request.consented_at is not None
    page = client.get(response["Location"]).content.decode()
    assert "Request sent" in page
    assert "aisling@example.com" in page


def test_the_email_is_queued_once_with_the_secret_link_and_nothing_sensitive(client):
    post(client, under_represented="I am gay.", anything_else="I use a wheelchair.")

    email = OutgoingEmail.objects.get(kind="mentoring_request_received")
    request = MentoringRequest.objects.get()
    assert email.to == "aisling@example.com"
    assert email.dedupe_key == f"mentoring_request_received:{request.pk}"
    assert email.about == f"mentoring_request:{request.pk}"
    assert email.subject == (
        "We have your request for support: Hertfordshire Constabulary Positive Action team"
    )
    assert "Dear Aisling Ó Súilleabháin" in email.body_text
    assert "contact you by email" in email.body_text
    token = request_path(email).split("/")[-2]
    assert token not in request.token_hash
    assert len(token) >= 43
    for sensitive in ["gay", "wheelchair", "fitness"]:
        assert sensitive not in email.body_text + email.body_html


def test_a_double_submit_makes_one_request_and_one_email(client):
    first = post(client)
    second = post(client)

    assert first["Location"] == second["Location"] == "/positive-action/sent/"
    assert MentoringRequest.objects.count() == 1
    assert OutgoingEmail.objects.filter(kind="mentoring_request_received").count() == 1


def test_each_visit_to_the_form_gets_its_own_submission_key(client):
    keys = {
        re.search(r'name="submission_key" value="([^"]+)"', client.get(URL).content.decode())[1]
        for _ in range(2)
    }

    assert len(keys) == 2


def test_a_missing_or_forged_submission_key_still_makes_a_request(client):
    post(client, submission_key="")
    post(client, submission_key="<script>", email="other@example.com")

    assert MentoringRequest.objects.count() == 2
    assert len(set(MentoringRequest.objects.values_list("submission_key", flat=True))) == 2


# Consent


def test_consent_is_required_and_everything_else_typed_is_kept(client):
    data = form_data(
        consent="",
        phone="07700 900 982",
        contact_method="text",
        role="pcso",
        journey_stage="assessment",
        support_kinds=["mentor", "assessment"],
        under_represented="Black British",
        anything_else="Evenings are best.",
    )
    data.pop("consent")

    response = client.post(URL, data)

    body = response.content.decode()
    assert response.status_code == 200
    assert MentoringRequest.objects.count() == 0
    assert "There is a problem" in body
    assert body.count(CONSENT_MISSING) == 2  # in the summary and at the field
    assert 'value="Aisling Ó Súilleabháin"' in body
    assert 'value="aisling@example.com"' in body
    assert 'value="07700 900 982"' in body
    assert checked(body, "contact_method") == ["text"]
    assert checked(body, "role") == ["pcso"]
    assert checked(body, "journey_stage") == ["assessment"]
    assert checked(body, "support_kinds") == ["assessment", "mentor"]
    assert re.search(r">\s*Black British</textarea>", body)
    assert re.search(r">\s*Evenings are best.</textarea>", body)
    assert f'value="{VALID_KEY}"' in body


def test_the_consent_box_is_never_ticked_for_the_candidate(client):
    body = client.get(URL).content.decode()

    assert 'name="consent"' in body
    assert checked(body, "consent") == []


# Odd and long input


def test_an_empty_post_shows_an_error_for_each_required_answer(client):
    response = client.post(URL, {})

    body = response.content.decode()
    assert response.status_code == 200
    for message in [
        "Enter your full name",
        "Enter your email address",
        "Select how you would like us to contact you",
        "Select the role you are interested in, or that you have not decided",
        "Select where you are in your journey to joining",
        SUPPORT_REQUIRED,
        CONSENT_MISSING,
    ]:
        assert message in body, message
    assert MentoringRequest.objects.count() == 0


def test_forged_choices_get_messages_at_the_fields_not_a_500(client):
    response = post(
        client,
        contact_method="carrier-pigeon",
        role="chief-constable",
        journey_stage="retired",
        support_kinds=["application", "free-pass"],
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "Select how you would like us to contact you" in body
    assert "Select the role you are interested in" in body
    assert "Select where you are in your journey to joining" in body
    assert SUPPORT_REQUIRED in body
    assert MentoringRequest.objects.count() == 0


def test_five_thousand_characters_get_length_messages_and_are_kept(client):
    long_text = "Ó" * 5000

    response = post(client, name=long_text, under_represented=long_text, anything_else=long_text)

    body = response.content.decode()
    assert response.status_code == 200
    assert "Full name must be 150 characters or fewer" in body
    assert "Your answer must be 500 characters or fewer" in body
    assert "Anything else must be 1,000 characters or fewer" in body
    assert body.count(long_text) == 3
    assert MentoringRequest.objects.count() == 0


def test_names_in_any_script_are_stored_and_shown_as_typed(client):
    for number, name in enumerate(["Aisling Ó Súilleabháin", "Nguyễn Thị Lan", "王芳"]):
        post(client, name=name, email=f"c{number}@example.com", submission_key=f"{number}" * 30)

    for name in ["Aisling Ó Súilleabháin", "Nguyễn Thị Lan", "王芳"]:
        request = MentoringRequest.objects.get(name=name)
        email = OutgoingEmail.objects.get(about=f"mentoring_request:{request.pk}")
        assert name in client.get(request_path(email)).content.decode()


def test_markup_in_answers_is_shown_as_text(client):
    post(client, anything_else='<script>alert("hi")</script>')

    email = OutgoingEmail.objects.get()
    body = client.get(request_path(email)).content.decode()

    assert '<script>alert("hi")</script>' not in body
    assert escape('<script>alert("hi")</script>') in body


def test_a_phone_call_needs_a_phone_number(client):
    response = post(client, contact_method="phone", phone="")

    assert PHONE_NEEDED in response.content.decode()
    assert MentoringRequest.objects.count() == 0


def test_a_phone_number_that_is_not_one_gets_a_message(client):
    response = post(client, phone="call me maybe")

    assert PHONE_INVALID in response.content.decode()
    assert MentoringRequest.objects.count() == 0


def test_not_decided_on_a_role_is_an_answer(client):
    post(client, role="not_decided")

    assert MentoringRequest.objects.get().role is None


# The secret link


def test_the_link_shows_the_request_and_is_never_cached(client):
    post(client, under_represented="Sikh", anything_else="Weekends only.")
    path = request_path(OutgoingEmail.objects.get())

    response = client.get(path)

    body = response.content.decode()
    assert "Your request for support" in body
    assert "Aisling Ó Súilleabháin" in body
    assert "Help with the application form" in body
    assert "Sikh" in body
    assert "Weekends only." in body
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1],
        lambda token: token[:10],
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
        lambda token: token + "x",
        lambda token: "x" * 500,
        lambda token: "%00",
    ],
    ids=["one-short", "truncated", "one-changed", "one-longer", "very-long", "nul"],
)
def test_a_tampered_or_truncated_link_gets_the_styled_page_not_found(client, tamper):
    post(client)
    token = request_path(OutgoingEmail.objects.get()).split("/")[-2]

    for suffix in ["", "withdraw/"]:
        response = client.get(f"/positive-action/request/{tamper(token)}/{suffix}")
        assert response.status_code == 404
        body = response.content.decode()
        assert "Page not found" in body
        assert "govuk-template" in body
    response = client.post(f"/positive-action/request/{tamper(token)}/withdraw/")
    assert response.status_code == 404
    assert MentoringRequest.objects.count() == 1


# Withdrawing


def test_the_withdraw_page_asks_first_and_a_get_erases_nothing(client):
    post(client)
    path = request_path(OutgoingEmail.objects.get())

    body = client.get(path + "withdraw/").content.decode()

    assert "Are you sure you want to withdraw your request?" in body
    assert MentoringRequest.objects.count() == 1


def test_withdrawing_erases_the_request_its_contact_log_and_its_email(client, team_member):
    post(client)
    request = MentoringRequest.objects.get()
    record_contact(request, how="phone", note="Left a voicemail.", by=team_member)
    path = request_path(OutgoingEmail.objects.get())

    response = client.post(path + "withdraw/")

    assert response["Location"] == "/positive-action/withdrawn/"
    assert not MentoringRequest.objects.exists()
    assert not ContactLogEntry.objects.exists()
    email = OutgoingEmail.objects.get(dedupe_key=f"mentoring_request_received:{request.pk}")
    assert (email.to, email.body_text) == ("[erased]", "")
    assert "Request withdrawn" in client.get(response["Location"]).content.decode()
    assert client.get(path).status_code == 404


def test_withdrawing_one_request_leaves_everyone_elses(client):
    post(client)
    other, _ = make_request()
    path = request_path(OutgoingEmail.objects.get(to="aisling@example.com"))

    client.post(path + "withdraw/")

    assert list(MentoringRequest.objects.all()) == [other]
    assert OutgoingEmail.objects.filter(about=f"mentoring_request:{other.pk}").count() == 1


def test_withdrawing_leaves_no_address_in_the_session_or_its_row(client):
    post(client, email="leaving@example.com")
    path = request_path(OutgoingEmail.objects.get())
    assert client.session.get("mentoring_request_email") == "leaving@example.com"

    client.post(path + "withdraw/")

    assert "mentoring_request_email" not in client.session
    assert not any(
        "leaving@example.com" in str(session.get_decoded()) for session in Session.objects.all()
    )
    assert "leaving@example.com" not in client.get("/positive-action/sent/").content.decode()
