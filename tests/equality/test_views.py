"""The questionnaire as a candidate meets it: offered on the page every
registration ends on and on the registration's own page, answered or
skipped, and never a way to answer for someone else."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from core.antispam import new_start
from equality.forms import (
    CHOOSE_FROM_THE_LIST,
    GROUPS_WITH_BACKGROUNDS,
    QuestionnaireForm,
    background_question,
    impact_question,
)
from equality.models import AnsweredMark, PendingResponse, answered_fingerprints
from equality.services import ANSWER_GRACE
from events import receipt
from events.models import Event, Registration
from tests.factories import EventFactory, RegistrationFactory
from tests.outbox import as_sent
from tests.support.registration import form_data, receipt_of, register_url, send_registration_form

from .support import FIRST_PAGE, FOLLOW_UPS, answer

pytestmark = pytest.mark.django_db

QUESTIONS = "/equality-questions/"


def without_csrf(html: bytes) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html.decode())


def manage_path(registration_email: str) -> str:
    from emails.models import OutgoingEmail

    body = as_sent(OutgoingEmail.objects.filter(to=registration_email).latest("pk")).body_text
    return re.search(r"https://events\.example\.org(/registration/[^/\s]+/)", body).group(1)


# The offer on the page every registration ends on


def test_a_new_and_a_repeat_registration_end_on_the_same_page_with_the_same_offer(client, event):
    new = client.get(send_registration_form(client, event)["Location"])
    repeat = client.get(send_registration_form(client, event)["Location"])

    assert "Help us see who our events reach (optional)" in new.content.decode()
    assert without_csrf(new.content) == without_csrf(repeat.content)
    assert f'action="{QUESTIONS}"' in new.content.decode()
    assert 'name="skip"' in new.content.decode()


def test_the_questions_page_folds_the_introduction_the_offer_already_gave(client, event):
    offer = client.get(send_registration_form(client, event)["Location"]).content.decode()

    page = client.get(QUESTIONS).content.decode()

    why = "Staff only ever see totals"
    assert why in offer
    assert page.count(why) == 1
    details = page.split('<details class="govuk-details">', 1)[1].split("</details>", 1)[0]
    assert why in details
    assert page.count("govuk-radios--small") == len(QuestionnaireForm.base_fields)


def test_a_new_registration_answers_once_and_is_thanked(client, event):
    send_registration_form(client, event)
    registration = Registration.objects.get()

    page = client.get(QUESTIONS)
    second_page = client.post(QUESTIONS, FIRST_PAGE)
    nothing_yet = PendingResponse.objects.exists()
    response = client.post(QUESTIONS, {**FIRST_PAGE, "follow_up": "1", **FOLLOW_UPS})

    assert 'id="equality-form"' in page.content.decode()
    assert AnsweredMark.objects.get().pk == answered_fingerprints(registration.pk)[0]
    assert "Which of the following best describes your Black" in second_page.content.decode()
    assert not nothing_yet
    assert response["Location"] == "/equality-questions/thank-you/"
    stored = PendingResponse.objects.get()
    assert stored.event == event
    assert (stored.sex, stored.ethnic_group, stored.ethnic_background) == (
        "female",
        "black",
        "black_caribbean",
    )
    assert (stored.disability, stored.sexual_orientation) == ("disabled", "bisexual")
    assert receipt_of(client).registration_id is None
    assert "Thank you for answering" in client.get(response["Location"]).content.decode()


def test_the_second_page_asks_only_the_follow_ups_called_for_and_carries_the_first(client, event):
    send_registration_form(client, event)

    page = client.post(QUESTIONS, {**FIRST_PAGE, "long_term_condition": "no"}).content.decode()

    assert 'id="equality-follow-up-form"' in page
    assert "best describes your Black, Black British, Caribbean or African background" in page
    assert 'name="condition_impact"' not in page
    assert 'name="ethnic_background"' in page
    assert re.search(r'type="hidden" name="sex" value="female"', page)
    assert re.search(r'type="hidden" name="long_term_condition" value="no"', page)
    assert not PendingResponse.objects.exists()


def test_a_first_page_that_calls_for_no_follow_up_is_stored_at_once(client, event):
    send_registration_form(client, event)

    response = client.post(
        QUESTIONS, {**FIRST_PAGE, "ethnic_group": "prefer_not_to_say", "long_term_condition": "no"}
    )

    assert response["Location"] == "/equality-questions/thank-you/"
    stored = PendingResponse.objects.get()
    assert (stored.ethnic_group, stored.disability) == ("prefer_not_to_say", "not_disabled")


def test_sending_the_answers_again_stores_nothing_more(client, event):
    send_registration_form(client, event)
    answer(client, QUESTIONS)

    again = answer(client, QUESTIONS, {**FIRST_PAGE, "sex": "male"})

    assert again["Location"] == "/equality-questions/thank-you/"
    assert list(PendingResponse.objects.values_list("sex", flat=True)) == ["female"]


def test_after_a_repeat_registration_the_questions_look_and_answer_the_same_and_store_nothing(
    client, event
):
    RegistrationFactory(event=event, email="sam@example.com", email_key="sam@example.com")
    stranger = client
    send_registration_form(stranger, event)  # a repeat: perhaps someone else's address

    page = stranger.get(QUESTIONS)
    response = answer(stranger, QUESTIONS)

    assert 'id="equality-form"' in page.content.decode()
    assert response["Location"] == "/equality-questions/thank-you/"
    assert not PendingResponse.objects.exists()
    assert not AnsweredMark.objects.exists()


def test_a_double_submitted_registration_form_still_answers_for_the_registration_it_made(
    client, event
):
    send_registration_form(client, event)
    send_registration_form(client, event)  # a double tap: the browser keeps the last answer

    response = answer(client, QUESTIONS)

    assert response["Location"] == "/equality-questions/thank-you/"
    assert PendingResponse.objects.count() == 1
    assert AnsweredMark.objects.get().pk == answered_fingerprints(Registration.objects.get().pk)[0]


def test_a_double_tap_sent_before_the_first_answer_came_back_still_answers_for_it(client, event):
    page = {**form_data(), "started": new_start(), "website": ""}
    client.post(register_url(event), page)
    # The second tap left before the first answer (and its receipt) came back.
    client.cookies.pop(receipt.cookie_name())
    client.post(register_url(event), page)

    response = answer(client, QUESTIONS)

    assert response["Location"] == "/equality-questions/thank-you/"
    assert PendingResponse.objects.count() == 1


def test_another_page_sent_for_an_address_just_registered_answers_for_nobody(event):
    from django.test import Client

    candidate, stranger = Client(), Client()
    candidate.post(register_url(event), {**form_data(), "started": new_start(), "website": ""})
    stranger.post(register_url(event), {**form_data(), "started": new_start(), "website": ""})

    assert receipt_of(candidate).registration_id == Registration.objects.get().pk
    assert receipt_of(stranger).registration_id is None
    assert receipt_of(stranger).email == "sam@example.com"


def test_the_questions_and_the_thanks_are_identical_for_a_new_and_a_repeat_registration(event):
    from django.test import Client

    new, repeat = Client(), Client()
    send_registration_form(new, event, email="first@example.com")
    send_registration_form(repeat, event, email="first@example.com")

    pages = [without_csrf(client.get(QUESTIONS).content) for client in (new, repeat)]
    second = [without_csrf(client.post(QUESTIONS, FIRST_PAGE).content) for client in (new, repeat)]
    answers = [answer(client, QUESTIONS) for client in (new, repeat)]
    thanks = [
        client.get(response["Location"]).content
        for client, response in zip((new, repeat), answers, strict=True)
    ]

    assert pages[0] == pages[1]
    assert second[0] == second[1]
    assert answers[0]["Location"] == answers[1]["Location"]
    assert thanks[0] == thanks[1]
    assert PendingResponse.objects.count() == 1


def test_answers_with_no_registration_in_the_session_are_accepted_and_not_stored(client, event):
    response = answer(client, QUESTIONS)

    assert response["Location"] == "/equality-questions/thank-you/"
    assert not PendingResponse.objects.exists()


def test_skipping_from_the_offer_stores_nothing_and_forgets_the_registration(client, event):
    send_registration_form(client, event)

    response = client.post(QUESTIONS, {"skip": ""})

    assert response["Location"] == "/equality-questions/skipped/"
    assert receipt_of(client).registration_id is None
    assert not PendingResponse.objects.exists()
    assert "You have skipped the questions" in client.get(response["Location"]).content.decode()
    # Nothing to answer for now: later answers are not stored either.
    answer(client, QUESTIONS)
    assert not PendingResponse.objects.exists()


def test_skip_on_the_questions_page_ignores_any_answers_chosen(client, event):
    send_registration_form(client, event)

    client.post(QUESTIONS, {**FIRST_PAGE, "skip": ""})

    assert not PendingResponse.objects.exists()


def test_an_answer_that_is_not_an_option_is_shown_at_the_field_and_nothing_is_lost(client, event):
    send_registration_form(client, event)

    response = client.post(QUESTIONS, {**FIRST_PAGE, "sex": "robot"})

    body = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in body
    assert 'href="#id_sex_1"' in body
    assert 'id="id_sex_1_error"' in body  # and at the field
    assert "Select one of the answers, or leave the question out" in body
    assert re.search(r'value="25_34"\s+checked', body)
    assert not PendingResponse.objects.exists()


@pytest.mark.parametrize(
    ("condition", "impact", "stored"),
    [
        ("yes", "a_lot", "disabled"),
        ("yes", "a_little", "disabled"),
        ("yes", "not_at_all", "not_disabled"),
        ("yes", "prefer_not_to_say", "prefer_not_to_say"),
        ("yes", "", ""),
        ("no", "a_lot", "not_disabled"),
        ("prefer_not_to_say", "", "prefer_not_to_say"),
        ("", "", ""),
    ],
)
def test_disability_is_stored_as_the_equality_act_defines_it(
    client, event, condition, impact, stored
):
    send_registration_form(client, event)

    answer(
        client,
        QUESTIONS,
        {"sex": "male", "long_term_condition": condition},
        condition_impact=impact,
    )

    assert PendingResponse.objects.get().disability == stored


def test_a_background_outside_the_chosen_group_is_refused_on_the_second_page(client, event):
    send_registration_form(client, event)
    first_page = {"ethnic_group": "white"}

    refused = answer(client, QUESTIONS, first_page, ethnic_background="asian_indian")
    nothing_yet = PendingResponse.objects.exists()
    answer(client, QUESTIONS, first_page, ethnic_background="white_roma")

    assert refused.status_code == 200
    assert CHOOSE_FROM_THE_LIST in refused.content.decode()
    assert 'href="#id_ethnic_background_1"' in refused.content.decode()
    assert not nothing_yet
    stored = PendingResponse.objects.get()
    assert (stored.ethnic_group, stored.ethnic_background) == ("white", "white_roma")


def test_every_question_may_be_left_out_and_offers_prefer_not_to_say(client):
    first_page = QuestionnaireForm().fields
    follow_ups = [background_question(group) for group in GROUPS_WITH_BACKGROUNDS]

    body = client.get(QUESTIONS).content.decode()

    assert len(first_page) == 7
    for field in [*first_page.values(), *follow_ups, impact_question()]:
        assert not field.required
        assert list(field.choices)[-1][0] == "prefer_not_to_say"
    for name in first_page:
        assert re.search(rf'name="{name}"[^>]*value="prefer_not_to_say"', body), name


# From the registration's own page


def test_the_registrations_own_page_offers_the_questions_until_they_are_answered(client, event):
    send_registration_form(client, event)
    client.post(QUESTIONS, {"skip": ""})
    path = manage_path("sam@example.com")

    offered = client.get(path).content.decode()
    answered = answer(client, path + "equality-questions/")
    after = client.get(path).content.decode()

    assert "Answer the optional questions" in offered
    assert answered["Location"] == "/equality-questions/thank-you/"
    assert PendingResponse.objects.count() == 1
    assert "Answer the optional questions" not in after
    assert client.get(path + "equality-questions/")["Location"] == path
    answer(client, path + "equality-questions/")
    assert PendingResponse.objects.count() == 1


def test_answered_once_in_the_session_the_secret_link_stores_nothing_more(client, event):
    send_registration_form(client, event)
    answer(client, QUESTIONS)
    path = manage_path("sam@example.com")

    answer(client, path + "equality-questions/", {**FIRST_PAGE, "sex": "male"})

    assert list(PendingResponse.objects.values_list("sex", flat=True)) == ["female"]


def test_skipping_from_the_registrations_page_goes_back_to_it(client, event):
    send_registration_form(client, event)
    path = manage_path("sam@example.com")

    response = client.post(path + "equality-questions/", {**FIRST_PAGE, "skip": ""})

    assert response["Location"] == path
    assert not PendingResponse.objects.exists()


def test_a_cancelled_registration_is_not_offered_the_questions(client, event):
    send_registration_form(client, event)
    path = manage_path("sam@example.com")
    client.post(path + "cancel/")

    page = client.get(path).content.decode()

    assert "Answer the optional questions" not in page


def test_an_unknown_link_finds_no_questions(client, event):
    response = client.get("/registration/not-a-real-token/equality-questions/")

    assert response.status_code == 404
    assert not AnsweredMark.objects.exists()


def test_the_registration_page_makes_one_more_query_for_the_offer(
    client, django_assert_max_num_queries
):
    event = EventFactory()
    send_registration_form(client, event)
    path = manage_path("sam@example.com")

    with django_assert_max_num_queries(12):
        body = client.get(path).content.decode()

    assert "Answer the optional questions" in body


def test_once_answers_have_closed_the_link_offers_nothing_and_the_page_stores_nothing(
    client, event
):
    send_registration_form(client, event)
    path = manage_path("sam@example.com")
    Event.objects.filter(pk=event.pk).update(
        registration_closes_at=timezone.now() - ANSWER_GRACE - timedelta(seconds=1)
    )

    page = client.get(path).content.decode()
    questions = client.get(path + "equality-questions/")
    response = answer(client, QUESTIONS)

    assert "Answer the optional questions" not in page
    assert questions["Location"] == path
    assert response["Location"] == "/equality-questions/thank-you/"
    assert not PendingResponse.objects.exists()
