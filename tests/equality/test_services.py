from datetime import UTC, date, datetime

import pytest

from equality import services
from equality.models import EqualityResponse, QuestionnaireInvitation
from tests.factories import RegistrationFactory

ANSWERS = {"sex": "male", "age_band": "18_24", "religion": "sikh"}


@pytest.mark.django_db
def test_answers_are_stored_with_the_event_and_the_month_and_the_registration_marked_answered():
    registration = RegistrationFactory()
    # 11:30pm UTC on 30 June is 12:30am on 1 July in London.
    now = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)

    response = services.record_answers(registration, answers=ANSWERS, now=now)

    assert response.event == registration.event
    assert response.answered_month == date(2026, 7, 1)
    assert (response.sex, response.age_band, response.religion) == ("male", "18_24", "sikh")
    assert response.ethnic_group == ""
    invitation = QuestionnaireInvitation.objects.get(registration=registration)
    assert invitation.answered_at == now
    assert invitation.offered_at == now


@pytest.mark.django_db
def test_one_registration_cannot_answer_twice():
    registration = RegistrationFactory()
    services.record_answers(registration, answers=ANSWERS)

    again = services.record_answers(registration, answers={"sex": "female"})

    assert again is None
    assert list(EqualityResponse.objects.values_list("sex", flat=True)) == ["male"]


@pytest.mark.django_db
def test_all_answers_left_out_stores_nothing_and_the_questions_stay_open():
    registration = RegistrationFactory()

    stored = services.record_answers(registration, answers={"sex": "", "religion": ""})

    assert stored is None
    assert not EqualityResponse.objects.exists()
    assert not QuestionnaireInvitation.objects.filter(answered_at__isnull=False).exists()


@pytest.mark.django_db
def test_offering_twice_keeps_the_first_offer():
    registration = RegistrationFactory()
    first = services.offer_questionnaire(registration, now=datetime(2026, 1, 5, 12, tzinfo=UTC))

    second = services.offer_questionnaire(registration)

    assert second.pk == first.pk
    assert second.offered_at == datetime(2026, 1, 5, 12, tzinfo=UTC)
