"""/positive-action/: the request form, and the request's secret page and
withdrawal, fed what people and bots send."""

import pytest
from django.http import QueryDict
from hypothesis import event as note_outcome
from hypothesis import given
from hypothesis import strategies as st

from core.names import clean_name
from emails.models import OutgoingEmail
from mentoring.forms import NOT_DECIDED, SUBMISSION_KEY
from mentoring.models import ContactMethod, JourneyStage, MentoringRequest, SupportKind
from tests.mentoring.support import make_request

from .public_forms import MENTORING
from .strategies import URLSAFE, emails, junk, junk_pairs, mutated, wrong_choice
from .support import (
    assert_kept,
    assert_not_found,
    assert_refused_with_a_message,
    changes,
    fresh_example,
    fuzz_settings,
    post_pairs,
    row_counts,
    urlencoded,
)

pytestmark = pytest.mark.django_db

PATH = MENTORING.path
SAVED = MENTORING.saves


@pytest.fixture
def valid_form(client, db):
    return MENTORING.valid(client)


WRONG = {
    "contact_method": wrong_choice(*JourneyStage.values),
    "role": wrong_choice("special-constable\x00", "1", NOT_DECIDED.upper()),
    "journey_stage": wrong_choice(*ContactMethod.values),
    "support_kinds": wrong_choice(*SupportKind.values),
    "email": emails(),
    "phone": st.one_of(junk(), st.text("0123456789 +()-", max_size=40)),
    "submission_key": st.one_of(junk(), st.text(URLSAFE, min_size=15, max_size=70)),
}


def assert_request_saved(response, sent: QueryDict, added: dict):
    request = MentoringRequest.objects.latest("pk")
    assert response["Location"] == "/positive-action/sent/"
    assert added == SAVED
    assert request.name == clean_name(sent["name"])
    assert request.email == sent["email"].strip()
    assert request.anything_else == sent.get("anything_else", "").strip()
    assert request.support_kinds == [
        kind for kind in SupportKind.values if kind in sent.getlist("support_kinds")
    ]
    role = sent["role"]
    assert (request.role.code if request.role else NOT_DECIDED) == role
    email = OutgoingEmail.objects.latest("pk")
    assert (email.kind, email.to) == ("mentoring_request_received", request.email)


@fuzz_settings(examples=80)
@given(data=st.data())
def test_a_request_saves_everything_once_or_nothing(client, valid_form, data):
    pairs = data.draw(mutated(valid_form, wrong=WRONG), label="form")
    sent = QueryDict(urlencoded(pairs))

    with fresh_example(client):
        before = row_counts()
        response = post_pairs(client, PATH, pairs)
        added = changes(before, row_counts())

        if response.status_code == 302 and not added:
            note_outcome("a bot: answered as if saved, nothing saved")
            assert sent.get("website", "").strip()
            assert response["Location"] == "/positive-action/sent/"
        elif response.status_code == 302:
            note_outcome("saved")
            assert_request_saved(response, sent, added)
            # The same form again (a double click): one request, one email,
            # unless the key was not ours (each send then gets a fresh one).
            again = row_counts()
            assert post_pairs(client, PATH, pairs).status_code == 302
            kept = SUBMISSION_KEY.fullmatch(sent.get("submission_key", ""))
            assert changes(again, row_counts()) == ({} if kept else SAVED)
        else:
            note_outcome("refused")
            assert_refused_with_a_message(response)
            assert_kept(response, sent, ["name", "email", "phone"])
            assert added == {}


@pytest.fixture
def support_request(db):
    return make_request()


@fuzz_settings(examples=20)
@given(body=junk_pairs(max_size=4))
def test_withdrawing_erases_the_request_whatever_the_form_sends(client, support_request, body):
    request, token = support_request
    path = f"/positive-action/request/{token}/"

    with fresh_example(client):
        shown = client.get(path)
        before = row_counts()
        withdrawn = post_pairs(client, path + "withdraw/", body)
        after = row_counts()

        assert shown.status_code == 200
        assert request.name in shown.content.decode()
        assert withdrawn.status_code == 302
        assert withdrawn["Location"] == "/positive-action/withdrawn/"
        assert changes(before, after) == {"MentoringRequest": -1}
        assert not OutgoingEmail.objects.filter(to=request.email).exists()
        assert_not_found(client.get(path))
        assert_not_found(post_pairs(client, path + "withdraw/", body))
        assert changes(after, row_counts()) == {}
