"""The optional equality questions, reached after registering (the new
registration in the session) or from a registration's secret link, fed
answers no form offers."""

import pytest
from django.http import QueryDict
from hypothesis import event as note_outcome
from hypothesis import example, given
from hypothesis import strategies as st

from equality.models import (
    AgeBand,
    Disability,
    EthnicBackground,
    EthnicGroup,
    GenderIdentity,
    PendingResponse,
    Religion,
    Sex,
    SexualOrientation,
)
from equality.services import ANSWER_FIELDS
from tests.support.registration import hold_receipt

from .strategies import FORGED_FIELDS, junk, wrong_choice
from .support import (
    assert_refused_with_a_message,
    changes,
    fresh_example,
    fuzz_settings,
    post_pairs,
    row_counts,
    urlencoded,
)

pytestmark = pytest.mark.django_db

PREFER_NOT = "prefer_not_to_say"
QUESTIONS = {
    "sex": Sex.values,
    "gender_identity": GenderIdentity.values,
    "age_band": AgeBand.values,
    "ethnic_group": EthnicGroup.values,
    "long_term_condition": ["yes", "no", PREFER_NOT],
    "sexual_orientation": SexualOrientation.values,
    "religion": Religion.values,
}
FOLLOW_UPS = {
    "ethnic_background": [*EthnicBackground.values, PREFER_NOT],
    "condition_impact": ["a_lot", "a_little", "not_at_all", PREFER_NOT],
}
# What the pooled answers may hold: a choice, or blank for a question left out.
STORED = {
    **{name: {"", *values} for name, values in QUESTIONS.items() if name in ANSWER_FIELDS},
    "ethnic_background": {"", *EthnicBackground.values},
    "disability": {"", *Disability.values},
}


EVERY_ANSWER = [value for values in {**QUESTIONS, **FOLLOW_UPS}.values() for value in values]
# Forged fields other than the two the pages use themselves (drawn apart).
FORGED = [name for name in FORGED_FIELDS if name not in {"follow_up", "skip"}]


@st.composite
def answers(draw) -> list[tuple[str, str]]:
    """Both pages' fields, each a real answer, blank or left out, and up to
    two wrong (another question's answer, junk); perhaps the follow-up
    page's marker, or Skip."""
    wrong = draw(st.sets(st.sampled_from([*QUESTIONS, *FOLLOW_UPS]), max_size=2))
    pairs = []
    for name, values in {**QUESTIONS, **FOLLOW_UPS}.items():
        if name in wrong:
            value = draw(wrong_choice(*EVERY_ANSWER).filter(lambda v, ok=values: v not in ok))
        else:
            value = draw(st.one_of(st.sampled_from(values), st.just(""), st.none()))
        if value is not None:
            pairs.append((name, value))
    if draw(st.booleans()):
        pairs.append(("follow_up", draw(st.sampled_from(["1", "", "0"]))))
    if draw(st.sampled_from([False, False, False, True])):
        pairs.append(("skip", ""))
    pairs += draw(st.lists(st.tuples(st.sampled_from(FORGED), junk()), max_size=2))
    return draw(st.permutations(pairs))


def assert_stored_only_known_answers(response: PendingResponse, registration):
    assert response.event_id == registration.event_id
    for name, allowed in STORED.items():
        assert getattr(response, name) in allowed, (name, getattr(response, name))
    if response.ethnic_background:
        group = EthnicGroup(response.ethnic_group)
        assert response.ethnic_background in EthnicBackground.within(group)


@fuzz_settings(examples=80)
@example(way_in="after registering", pairs=[])
@example(way_in="secret link", pairs=[(name, "") for name in QUESTIONS])
@example(way_in="secret link", pairs=[("long_term_condition", "yes"), ("follow_up", "1")])
@example(way_in="after registering", pairs=[("ethnic_group", "white"), ("skip", "")])
@given(way_in=st.sampled_from(["after registering", "secret link"]), pairs=answers())
def test_answers_are_stored_once_and_only_as_offered(client, registration, way_in, pairs):
    registration, token = registration
    if way_in == "secret link":
        path, thanks, skipped = (
            f"/registration/{token}/equality-questions/",
            "/equality-questions/thank-you/",
            f"/registration/{token}/",
        )
    else:
        path, thanks, skipped = (
            "/equality-questions/",
            "/equality-questions/thank-you/",
            "/equality-questions/skipped/",
        )

    with fresh_example(client):
        hold_receipt(client, email=registration.email, registration_id=registration.pk)
        before = row_counts()
        response = post_pairs(client, path, pairs)
        added = changes(before, row_counts())

        body = response.content.decode()
        sent = QueryDict(urlencoded(pairs))
        if response.status_code == 302 and response["Location"] == skipped:
            note_outcome("skipped")
            assert "skip" in sent
            assert added == {}
        elif response.status_code == 302:
            assert response["Location"] == thanks
            if added:
                note_outcome("stored")
                assert added == {"PendingResponse": 1, "AnsweredMark": 1}
                stored = PendingResponse.objects.get()
                assert_stored_only_known_answers(stored, registration)
                assert any(getattr(stored, name) for name in ANSWER_FIELDS)
                again = row_counts()
                assert post_pairs(client, path, pairs).status_code in {200, 302}
                assert changes(again, row_counts()) == {}
            else:
                # A condition without saying whether it limits them is not
                # known to be a disability: that alone stores nothing.
                note_outcome("nothing answered: nothing stored")
                assert not any(
                    sent.get(name) for name in QUESTIONS if name != "long_term_condition"
                )
        elif 'id="equality-follow-up-form"' in body and "govuk-error-summary" not in body:
            note_outcome("the follow-up page")
            assert response.status_code == 200
            assert added == {}
        else:
            note_outcome("refused")
            assert_refused_with_a_message(response)
            assert added == {}
