"""What the three public forms (registration, positive action, alerts)
share: the email field, and the values the page hands out and expects
back (the honeypot, the signed start time, the submission key)."""

import time

import pytest
from django.http import QueryDict
from hypothesis import event as note_outcome
from hypothesis import example, given
from hypothesis import strategies as st

from core.antispam import SEND_AGAIN, new_start
from core.forms import EMAIL_TOO_LONG

from . import public_forms
from .strategies import growing_emails, junk
from .support import (
    assert_refused_with_a_message,
    changes,
    error_summary,
    fresh_example,
    fuzz_settings,
    post_pairs,
    row_counts,
    start_on,
    urlencoded,
)

pytestmark = pytest.mark.django_db

FORMS = ["registration", "mentoring", "alerts"]


@pytest.fixture
def public_form(request, events):
    return {
        "registration": public_forms.registration(events["open"]),
        "mentoring": public_forms.MENTORING,
        "alerts": public_forms.ALERTS,
    }[request.param]


def send(client, form: public_forms.PublicForm, fields: dict):
    before = row_counts()
    response = post_pairs(client, form.path, public_forms.as_pairs(fields))
    return response, changes(before, row_counts())


@pytest.mark.parametrize("public_form", FORMS, indirect=True)
@fuzz_settings(examples=10)
@example(email="a@" + ".".join(["ß" * 31] * 7) + ".com")
@given(email=growing_emails())
def test_an_address_too_long_once_case_folded_is_refused_at_the_field(client, public_form, email):
    """The one-per-address keys hold the address case-folded, which can be
    longer than the address: such an address is refused like any other
    too long, never a 500 from the database."""
    fields = {**public_form.valid(client), "email": email}

    with fresh_example(client):
        response, added = send(client, public_form, fields)

        if len(email.casefold()) > 254:
            note_outcome("too long once folded")
            assert_refused_with_a_message(response)
            assert error_summary(response) == [EMAIL_TOO_LONG]
            assert added == {}
        else:
            note_outcome("fits")
            assert response.status_code == 302
            assert added == public_form.saves


RETURNED = [
    ("registration", "website"),
    ("registration", "started"),
    ("mentoring", "website"),
    ("mentoring", "started"),
    ("mentoring", "submission_key"),
    ("alerts", "website"),
    ("alerts", "started"),
]


@pytest.mark.parametrize(("public_form", "field"), RETURNED, indirect=["public_form"])
@fuzz_settings(examples=15)
@example(value="\x00")
@given(value=junk())
def test_a_tampered_hidden_value_is_never_an_error_nobody_can_see(
    client, public_form, field, value
):
    """Whatever comes back in the page's own values, the answer is the
    page that follows: saved, or (honeypot filled) answered as if saved."""
    fields = {**public_form.valid(client), field: value}

    with fresh_example(client):
        response, added = send(client, public_form, fields)

        assert response.status_code == 302, error_summary(response)
        assert response["Location"] == public_form.done
        sent = QueryDict(urlencoded(public_forms.as_pairs(fields)))
        if sent["website"].strip():
            note_outcome("honeypot filled: nothing saved")
            assert added == {}
        else:
            note_outcome("saved")
            assert added == public_form.saves


# Far from the edges, so that a slow machine cannot move a start time
# across the line while the request is on its way.
MIN_FILL = 30


def signed(seconds_ago: float) -> str:
    return new_start(shown_at=time.time() - seconds_ago)


@st.composite
def start_times(draw) -> tuple[str, bool]:
    """A start time and whether it passes at once (shown long enough ago,
    within the maximum age, and signed by us)."""
    genuine = signed(draw(st.integers(min_value=MIN_FILL + 30, max_value=3600)))
    kind = draw(st.sampled_from(["genuine", "too fast", "future", "too old", "resigned", "junk"]))
    if kind == "genuine":
        return genuine, True
    if kind == "too fast":
        return signed(draw(st.integers(min_value=0, max_value=MIN_FILL - 20))), False
    if kind == "future":
        return signed(-draw(st.integers(min_value=120, max_value=10**6))), False
    if kind == "too old":
        return signed(draw(st.integers(min_value=4 * 3600 + 60, max_value=10**8))), False
    if kind == "resigned":
        timestamp = draw(st.integers(min_value=0, max_value=2**40))
        _, nonce, second_look_and_signature = genuine.split(".", 2)
        return f"{timestamp}.{nonce}.{second_look_and_signature}", False
    return draw(junk()), False


@pytest.mark.parametrize("public_form", FORMS, indirect=True)
@fuzz_settings(examples=15)
@given(start=start_times())
def test_a_start_time_that_does_not_pass_brings_the_form_back_never_drops_it(
    client, settings, public_form, start
):
    """A start time that does not pass is never answered as if it had
    worked: the form comes back to send again, and sending it again works."""
    settings.FORM_MIN_FILL_SECONDS = MIN_FILL
    started, passes = start
    fields = {**public_form.valid(client), "started": started}

    with fresh_example(client):
        response, added = send(client, public_form, fields)

        if passes:
            note_outcome("saved at once")
            assert response.status_code == 302
            assert response["Location"] == public_form.done
            assert added == public_form.saves
        else:
            note_outcome("asked to send again")
            assert_refused_with_a_message(response)
            assert error_summary(response) == [SEND_AGAIN]
            assert added == {}
            again, added = send(client, public_form, {**fields, **start_on(response)})
            assert again["Location"] == public_form.done
            assert added == public_form.saves


def test_a_refused_form_names_its_problem(client, events):
    """The check the fuzz tests lean on fails on a summary with no message."""
    form = public_forms.registration(events["open"])

    response, added = send(client, form, {**form.valid(client), "email": ""})

    assert_refused_with_a_message(response)
    assert error_summary(response) == ["Enter your email address"]
    assert added == {}
