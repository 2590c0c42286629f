"""/events/ filters, the registration form, and the change and cancel pages
behind a registration's secret link, fed what people and bots send."""

from datetime import timedelta

import pytest
from django.http import QueryDict
from django.utils import timezone
from hypothesis import event as note_outcome
from hypothesis import given
from hypothesis import strategies as st

from core.names import clean_name
from emails.models import OutgoingEmail
from events.forms import EventFilterForm
from events.models import Audience, EventFormat, HeardFrom, Registration, RegistrationStatus
from events.services.registrations import RESEND_QUIET_PERIOD
from tests.factories import EventFactory
from tests.outbox import to_be_sent

from . import public_forms
from .conftest import OFFERED_ROLES
from .strategies import emails, junk, junk_pairs, mutated, valid_emails, wrong_choice
from .support import (
    assert_kept,
    assert_refused_with_a_message,
    changes,
    fresh_example,
    fuzz_settings,
    human_check,
    post_pairs,
    row_counts,
    urlencoded,
)

pytestmark = pytest.mark.django_db

# /events/ ------------------------------------------------------------------------

FILTERS = {
    "role": [*OFFERED_ROLES, "special-constable"],
    "format": EventFormat.values,
    "audience": Audience.values,
    "month": [value for value, _ in EventFilterForm().fields["month"].choices if value],
}


@st.composite
def filter_queries(draw) -> list[tuple[str, str]]:
    keys = st.one_of(st.sampled_from([*FILTERS, "page", "filter"]), junk())
    pairs = []
    for key in draw(st.lists(keys, max_size=6)):
        good = FILTERS.get(key, ["1"])
        value = draw(st.one_of(st.sampled_from(good), wrong_choice(*good)))
        pairs.append((key, value))
    return pairs


@fuzz_settings(examples=60)
@given(query=filter_queries())
def test_event_list_answers_any_query_string_and_never_shows_a_draft(client, events, query):
    with fresh_example(client):
        EventFactory(title="Secret draft evening", status="draft")
        before = row_counts()

        response = client.get("/events/?" + urlencoded(query).decode())

        body = response.content.decode()
        assert response.status_code == 200
        assert 'id="event-filters"' in body
        assert "Secret draft evening" not in body
        assert changes(before, row_counts()) == {}


# The registration form ------------------------------------------------------------


@pytest.fixture
def valid_forms(client, events) -> dict:
    """A valid submission for each event, with the honeypot and signed
    start time from the form's page (a closed event's page has no form:
    a bot may post to it all the same)."""
    check = human_check(client, public_forms.registration(events["open"]).path)
    return {
        state: {**public_forms.registration(event).fields, **check}
        for state, event in events.items()
    }


WRONG = {
    "role": wrong_choice("special-constable", "1", "2", "3"),
    "heard_from": wrong_choice("walk_in", "phone", *HeardFrom.values),
    "email": emails(),
    "phone": st.one_of(junk(), st.text("0123456789 +()-", max_size=40)),
    "privacy": st.sampled_from(["", "false", "0", "False", "off", "\x00", "on"]),
}


def assert_registered(response, event, body: bytes, added: dict, *, status: str):
    """Exactly one registration, its link and its email; what was typed
    kept (trimmed); confirmed or waiting as the event's places say."""
    sent = QueryDict(body)
    registration = Registration.objects.latest("pk")
    assert response.status_code == 302
    assert response["Location"] == f"/events/{event.slug}/register/done/"
    assert added == public_forms.registration(event).saves
    assert registration.event == event
    assert registration.first_name == clean_name(sent["first_name"])
    assert registration.last_name == clean_name(sent["last_name"])
    assert registration.email == sent["email"].strip()
    assert registration.access_needs == sent.get("access_needs", "").strip()
    assert registration.role.code in OFFERED_ROLES
    assert registration.status == status
    email = OutgoingEmail.objects.latest("pk")
    assert email.to == registration.email
    assert email.about == f"registration:{registration.pk}"


# Which events take a registration, and what it becomes there.
PLACES = {"open": RegistrationStatus.CONFIRMED, "full": RegistrationStatus.WAITING}
TYPED = ["first_name", "last_name", "email", "phone"]


@fuzz_settings(examples=100)
@given(state=st.sampled_from(["open", "full", "cancelled", "closed"]), data=st.data())
def test_registration_saves_everything_or_nothing(client, events, valid_forms, state, data):
    event = events[state]
    pairs = data.draw(mutated(valid_forms[state], wrong=WRONG), label="form")

    with fresh_example(client):
        before = row_counts()
        response = post_pairs(client, public_forms.registration(event).path, pairs)
        added = changes(before, row_counts())

        honeypot = QueryDict(urlencoded(pairs)).get("website", "").strip()
        if response.status_code == 302 and not added and honeypot:
            note_outcome("a bot: answered as if saved, nothing saved")
            assert response["Location"] == f"/events/{event.slug}/register/done/"
        elif response.status_code == 302:
            note_outcome(f"saved: {state}")
            assert state in PLACES
            assert_registered(response, event, urlencoded(pairs), added, status=PLACES[state])
        else:
            note_outcome("refused")
            assert_refused_with_a_message(response)
            if state in PLACES:  # elsewhere the page says why, with no form
                assert_kept(response, QueryDict(urlencoded(pairs)), TYPED)
            assert added == {}


# Letters in any script with their marks, spaces, hyphens and apostrophes
# (core.names), with a letter first.
names = st.builds(
    lambda first, rest: (first + rest)[:100],
    st.characters(categories=["L"]),
    st.text(st.characters(categories=["L", "M"], include_characters=" -'’"), max_size=60),
)


@fuzz_settings(examples=30)
@given(
    first_name=names,
    last_name=names,
    email=valid_emails(),
    access_needs=st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00")),
)
def test_any_real_name_and_address_is_registered_as_typed(
    client, events, valid_forms, first_name, last_name, email, access_needs
):
    """Names in any script, with their marks, hyphens and apostrophes, are
    names: they are kept as typed (spaces made one), never refused or
    mangled."""
    form = {
        **valid_forms["open"],
        "first_name": first_name,
        "last_name": last_name,
        "email": email,
        "access_needs": access_needs[:1000],
    }
    pairs = list(form.items())

    with fresh_example(client):
        before = row_counts()
        response = post_pairs(client, public_forms.registration(events["open"]).path, pairs)
        added = changes(before, row_counts())

        assert_registered(
            response, events["open"], urlencoded(pairs), added, status=RegistrationStatus.CONFIRMED
        )


# Change details and cancel, behind the secret link ------------------------------

DETAILS = ["first_name", "last_name", "phone", "access_needs"]


def details(registration) -> dict:
    registration.refresh_from_db()
    return {name: getattr(registration, name) for name in [*DETAILS, "status", "email"]}


@fuzz_settings(examples=80)
@given(data=st.data())
def test_changing_details_changes_exactly_what_was_sent_or_nothing(client, registration, data):
    registration, token = registration
    valid = {"first_name": "Sam", "last_name": "Okafor", "phone": "", "access_needs": ""}
    pairs = data.draw(mutated(valid, wrong={"phone": WRONG["phone"]}), label="form")
    path = f"/registration/{token}/"

    with fresh_example(client):
        was = details(registration)
        before = row_counts()
        response = post_pairs(client, path, pairs)
        added = changes(before, row_counts())
        now = details(registration)

        assert added == {}
        sent = QueryDict(urlencoded(pairs))
        if response.status_code == 302:
            note_outcome("changed")
            assert response["Location"] == path
            assert now == {
                **was,
                **{name: sent.get(name, "").strip() for name in DETAILS},
                **{name: clean_name(sent.get(name, "")) for name in ["first_name", "last_name"]},
            }
        else:
            note_outcome("refused")
            assert_refused_with_a_message(response)
            assert_kept(response, sent, ["first_name", "last_name", "phone"])
            assert now == was


@fuzz_settings(examples=25)
@given(body=junk_pairs(max_size=4))
def test_cancelling_cancels_once_whatever_the_form_sends(client, registration, body):
    registration, token = registration
    path = f"/registration/{token}/cancel/"

    with fresh_example(client):
        before = row_counts()
        first = post_pairs(client, path, body)
        after_first = row_counts()
        second = post_pairs(client, path, body)

        registration.refresh_from_db()
        assert first.status_code == second.status_code == 302
        assert first["Location"] == second["Location"] == f"/registration/{token}/"
        assert registration.status == RegistrationStatus.CANCELLED
        assert changes(before, after_first) == {"OutgoingEmail": 1}
        assert changes(after_first, row_counts()) == {}
        assert OutgoingEmail.objects.latest("pk").kind == "registration_cancelled"


@fuzz_settings(examples=25)
@given(
    typed=st.sampled_from([str, str.upper, str.title, lambda email: f"  {email}\t"]),
    registered_ago=st.sampled_from([timedelta(minutes=1), timedelta(hours=2)]),
    data=st.data(),
)
def test_a_repeat_registration_only_resends_the_link(
    client, registration, valid_forms, typed, registered_ago, data
):
    """Registering again with a registered address (in any case) looks the
    same as registering, saves nothing new, and sends the link again at
    most once an hour, never in the first ten minutes."""
    registration, _ = registration
    form = {name: value for name, value in valid_forms["open"].items() if name != "email"}
    pairs = [
        *data.draw(mutated(form, wrong=WRONG), label="form"),
        ("email", typed(registration.email)),
    ]
    path = public_forms.registration(registration.event).path

    with fresh_example(client):
        Registration.objects.filter(pk=registration.pk).update(
            created_at=timezone.now() - registered_ago
        )
        hour = f"{timezone.now():%Y%m%d%H}"
        before = row_counts()
        first = post_pairs(client, path, pairs)
        after_first = row_counts()
        second = post_pairs(client, path, pairs)
        same_hour = f"{timezone.now():%Y%m%d%H}" == hour

        if first.status_code == 200:
            note_outcome("refused")
            assert_refused_with_a_message(first)
            assert changes(before, row_counts()) == {}
            return
        assert first.status_code == second.status_code == 302
        assert first["Location"] == second["Location"] == f"{path}done/"
        if QueryDict(urlencoded(pairs)).get("website", "").strip():
            note_outcome("a bot: answered as if saved, nothing saved")
            assert changes(before, row_counts()) == {}
            return
        # Every repeat writes what a new registration writes after its own
        # row (a link and an outbox row), so neither says whether the address
        # was known; where no email may go, the worker drops the row unsent.
        resent = {"RegistrationLink": 1, "OutgoingEmail": 1}
        note_outcome(f"repeat, registered {registered_ago} ago")
        assert changes(before, after_first) == changes(after_first, row_counts()) == resent
        emailed = to_be_sent().filter(kind="registration_link_resent").count()
        if same_hour:  # the link goes again at most once per clock hour
            assert emailed == (1 if registered_ago > RESEND_QUIET_PERIOD else 0)
