import pytest

from privacy import queries
from tests.conftest import requires_postgresql
from tests.mentoring.support import make_request

from .conftest import ZOE, ZOE_LOWER, browser_session

pytestmark = pytest.mark.django_db


def test_sessions_holding_the_address_are_found_in_any_case(db):
    remembered = browser_session(registered_email=ZOE)
    in_a_message = browser_session(_messages=f"We have sent an email to {ZOE_LOWER.upper()}.")
    browser_session(registered_email="someone.else@example.org")

    found = queries.sessions_holding([ZOE_LOWER])

    assert sorted(found) == sorted([remembered, in_a_message])


@pytest.mark.parametrize(
    "longer", [f"a{ZOE_LOWER}", f"{ZOE_LOWER}.uk", f"x.{ZOE_LOWER}", f"{ZOE_LOWER}-mail.com"]
)
def test_a_longer_address_holding_this_one_is_not_this_one(db, longer):
    browser_session(registered_email=longer)

    assert queries.sessions_holding([ZOE_LOWER]) == []


def test_held_about_finds_each_spelling_of_the_address(zoe):
    held = queries.held_about(ZOE.upper())

    assert {spelling.casefold() for spelling in held.spellings} == {ZOE_LOWER}
    assert len(held.spellings) >= 3
    assert held.counts()["registrations"] == 3
    assert not held.is_empty()


def test_held_about_an_unknown_address_is_empty(db):
    assert queries.held_about("nobody@example.org").is_empty()


@requires_postgresql
def test_on_postgresql_any_case_of_any_script_finds_an_address_kept_only_as_typed(db):
    # A positive-action request keeps the address as typed, with no
    # case-folded copy; PostgreSQL compares it in upper case, accents too
    # (SQLite, for `make run` only, folds ASCII letters alone).
    make_request(name="Zoë Adebayo", email=ZOE_LOWER)

    held = queries.held_about(ZOE_LOWER.upper())

    assert held.counts()["positive_action_requests"] == 1
    assert held.counts()["emails"] == 1
