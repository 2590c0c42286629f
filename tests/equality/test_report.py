import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from equality import report, services
from equality.report import ETHNIC_NESTING
from equality.suppression import DETAILED, Nested, Row, Shown, derivable_nested, suppress_row
from tests.factories import EventFactory, RegistrationFactory

from .support import close_answers, store_answers

pytestmark = pytest.mark.django_db


def event_on(moment: datetime, **fields):
    return EventFactory(starts_at=moment, ends_at=moment + timedelta(hours=2), **fields)


def table(built: report.Report, title: str) -> dict[str, str]:
    [found] = [table for table in built.tables if table.question.title == title]
    return {line.label: line.display for line in found.lines}


def women_only_session(registered=30, attended=20):
    """25 answers: 12 women, 8 men, 3 would rather not say, 2 left it out."""
    event = EventFactory(title="Women-only insight evening")
    RegistrationFactory.create_batch(attended, event=event, checked_in_at=timezone.now())
    RegistrationFactory.create_batch(registered - attended, event=event)
    store_answers(event, 12, sex="female", age_band="25_34")
    store_answers(event, 8, sex="male", age_band="25_34")
    store_answers(event, 3, sex="prefer_not_to_say", age_band="18_24")
    store_answers(event, 2)
    close_answers(event)
    return event


def test_an_event_report_counts_each_answer_against_the_answers_and_the_registered():
    event = women_only_session()

    built = report.event_report(event)

    assert (built.registered, built.attended, built.answers) == (30, 20, 25)
    sex = next(table for table in built.tables if table.question.title == "Sex")
    female = sex.lines[0]
    assert (female.label, female.count, female.of_answers, female.of_registered) == (
        "Female",
        12,
        48,
        40,
    )
    assert table(built, "Sex") == {
        "Female": "12",
        "Male": "8",
        "Prefer not to say": "fewer than 5",
        "Not answered": "fewer than 5",
    }


def test_when_everyone_gives_the_same_answer_that_count_is_hidden_too():
    # Shown, 14 women of 14 answers would say that the rest are 0.
    event = EventFactory()
    store_answers(event, 14, sex="female")
    close_answers(event)

    built = report.event_report(event)

    assert table(built, "Sex") == {
        "Female": "hidden",
        "Male": "fewer than 5",
        "Prefer not to say": "fewer than 5",
        "Not answered": "fewer than 5",
    }


def test_an_event_with_fewer_than_10_answers_shows_only_that_and_is_left_out_of_totals():
    quiet = event_on(datetime(2026, 11, 3, 19, tzinfo=UTC), title="Quiet evening")
    store_answers(quiet, 9, sex="female")
    busy = event_on(datetime(2026, 11, 10, 19, tzinfo=UTC), title="Busy evening")
    store_answers(busy, 12, sex="male")
    close_answers(quiet, busy)

    alone = report.event_report(quiet)
    together = report.period_report("November 2026", date(2026, 11, 1), date(2026, 11, 30))

    assert alone.tables == []
    assert alone.events[0].answers_display == "fewer than 10"
    assert [reach.answers_display for reach in together.events] == ["fewer than 10", "12"]
    assert together.answers == 12
    assert table(together, "Sex") == table(report.event_report(busy), "Sex")


def test_a_period_covers_the_events_that_start_in_it_by_the_date_in_london():
    # 11:30pm UTC on 30 September is 12:30am on 1 October in London (BST).
    first = event_on(datetime(2026, 9, 30, 23, 30, tzinfo=UTC), title="First of October")
    last = event_on(datetime(2026, 12, 31, 19, tzinfo=UTC), title="New Year's Eve")
    event_on(datetime(2026, 9, 30, 22, 30, tzinfo=UTC), title="Still September")
    event_on(datetime(2027, 1, 1, 10, tzinfo=UTC), title="New Year's Day")
    close_answers(first, last)

    built = report.period_report("October to December 2026", date(2026, 10, 1), date(2026, 12, 31))

    assert [reach.event for reach in built.events] == [first, last]


def test_totals_over_a_period_add_up_the_events_and_hide_what_would_give_one_away():
    october = event_on(datetime(2026, 10, 6, 18, tzinfo=UTC))
    store_answers(october, 20, ethnic_group="white")
    store_answers(october, 4, ethnic_group="black")
    store_answers(october, 6, ethnic_group="asian")
    store_answers(october, 3, ethnic_group="prefer_not_to_say")
    november = event_on(datetime(2026, 11, 3, 19, tzinfo=UTC))
    store_answers(november, 10, ethnic_group="white")
    store_answers(november, 5, ethnic_group="black")
    store_answers(november, 15, ethnic_group="asian")
    store_answers(november, 2, ethnic_group="prefer_not_to_say")
    store_answers(november, 3)
    close_answers(october, november)
    built = report.period_report("October to December 2026", date(2026, 10, 1), date(2026, 12, 31))

    groups = table(built, "Ethnic group")
    assert groups["White"] == "30"
    assert groups["Asian or Asian British"] == "21"
    assert (
        table(report.event_report(november), "Ethnic group")[
            "Black, Black British, Caribbean or African"
        ]
        == "5"
    )
    # 9 in all would, with November's 5, give October's 4 away.
    assert groups["Black, Black British, Caribbean or African"] == "hidden"
    assert built.answers == 68


def test_the_csv_is_the_same_suppressed_aggregate():
    event = women_only_session()
    built = report.event_report(event)
    out = io.StringIO()

    report.write_csv(built, out)

    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == report.CSV_HEADER
    assert [event.title, "People", "Answered", "25", "", ""] in rows
    assert [event.title, "Sex", "Female", "12", "48", "40"] in rows
    assert [event.title, "Sex", "Male", "8", "32", "27"] in rows
    assert [event.title, "Sex", "Prefer not to say", "fewer than 5", "", ""] in rows
    counts = [row[3] for row in rows[1:] if row[1] != "People"]
    assert all(not count.isdigit() or int(count) >= 5 for count in counts)
    assert len(counts) == sum(len(table.lines) for table in built.tables)


def test_a_csv_cell_is_never_a_formula():
    event = EventFactory(title='=HYPERLINK("http://example.com")')
    store_answers(event, 12, sex="female")
    close_answers(event)
    out = io.StringIO()

    report.write_csv(report.event_report(event), out)

    assert "\n=" not in out.getvalue()
    assert "'=HYPERLINK" in out.getvalue()


def test_nothing_shown_is_a_count_the_suppression_hid():
    event = women_only_session()

    built = report.event_report(event)

    for found in built.tables:
        for line in found.lines:
            assert (line.count is None) == (line.shown != Shown.EXACT)
            assert line.count is None or line.count >= 5


@pytest.mark.parametrize("events", [2, 12])
def test_a_period_report_takes_the_same_queries_however_many_events(
    events, django_assert_num_queries
):
    for day in range(1, events + 1):
        event = event_on(datetime(2026, 11, day, 19, tzinfo=UTC))
        RegistrationFactory.create_batch(2, event=event)
        store_answers(event, 10 + day, sex="female", religion="none")
    close_answers(event)

    # The events with their counts, the answers per event, one per question
    # (one for the ethnic group and background together).
    with django_assert_num_queries(1 + len(report.QUESTIONS)):
        built = report.period_report("November 2026", date(2026, 11, 1), date(2026, 11, 30))

    assert len(built.counted) == events


# Only events whose answers are final -----------------------------------------


def test_an_event_still_taking_registrations_is_left_out_and_only_counted():
    now = timezone.now()
    still_open = event_on(now + timedelta(days=3), title="Next week")
    store_answers(still_open, 12, sex="female")
    past = event_on(now - timedelta(days=3), title="Last week")
    store_answers(past, 12, sex="male")
    services.flush_answer_pool()

    alone = report.event_report(still_open)
    both = report.period_report(
        "Around now", (now - timedelta(days=7)).date(), (now + timedelta(days=7)).date()
    )

    assert (alone.events, alone.tables, alone.still_open) == ([], [], 1)
    assert [reach.event for reach in both.events] == [past]
    assert both.still_open == 1
    assert both.answers == 12
    assert table(both, "Sex")["Female"] == "fewer than 5"


def test_answers_become_visible_only_after_registration_closes_and_never_change_after():
    event = event_on(timezone.now() + timedelta(hours=3))
    people = RegistrationFactory.create_batch(13, event=event)
    for person in people[:12]:
        services.record_answers(person, answers={"sex": "female", "religion": "none"})
    services.flush_answer_pool()  # a full batch moves in: still not reported
    before = report.event_report(event)
    services.record_answers(people[12], answers={"sex": "male", "religion": "sikh"})
    after_one_more = report.event_report(event)

    closes = services.answers_close_at(event)
    services.flush_answer_pool(now=closes)
    closed = report.event_report(event)
    late = services.record_answers(RegistrationFactory(event=event), answers={"sex": "male"})
    services.flush_answer_pool(now=closes + timedelta(days=1))
    later = report.event_report(event)

    assert before == after_one_more
    assert before.events == []
    assert before.still_open == 1
    assert [reach.answers for reach in closed.events] == [13]
    assert table(closed, "Sex")["Female"] == "12"
    assert late is None
    assert [reach.answers for reach in later.events] == [13]
    assert shown(later) == shown(closed)  # the late one registered, so only % of registered moves


def shown(built: report.Report) -> list[list[str]]:
    return [[line.display for line in found.lines] for found in built.tables]


def test_a_group_hidden_in_one_table_cannot_be_worked_out_from_its_backgrounds_in_the_other():
    """30 answers: 12 White British, 3 White Irish, 15 Indian. The Ethnic
    group table shows White 15 and hides Asian (the other groups are "fewer
    than 5"), so Asian is 15 at most; the Ethnic background table shows
    Indian 15, a background within Asian, so Asian is 15 at least. The
    hidden Asian count is 15, and Black, Mixed, Other, Prefer not to say and
    Not answered, each "fewer than 5", are all 0."""
    event = EventFactory()
    store_answers(event, 12, ethnic_group="white", ethnic_background="white_british")
    store_answers(event, 3, ethnic_group="white", ethnic_background="white_irish")
    store_answers(event, 15, ethnic_group="asian", ethnic_background="asian_indian")
    close_answers(event)

    built = report.event_report(event)
    groups = table(built, "Ethnic group")
    backgrounds = table(built, "Ethnic background")

    shown_groups = sum(int(count) for count in groups.values() if count.isdigit())
    asian_at_most = built.answers - shown_groups
    asian_backgrounds = ["Indian", "Pakistani", "Bangladeshi", "Chinese"]
    asian_backgrounds.append("Any other Asian background")
    asian_at_least = sum(
        int(backgrounds[label]) for label in asian_backgrounds if backgrounds[label].isdigit()
    )
    assert groups["Asian or Asian British"] == "hidden"
    assert asian_at_least < asian_at_most


ASIAN_BACKGROUNDS = ["Indian", "Pakistani", "Bangladeshi", "Chinese", "Any other Asian background"]


def asian_bounds(built: report.Report) -> tuple[int, int]:
    """What a reader can tell of the Asian count: at least its backgrounds
    shown, at most what the other groups shown leave of the answers."""
    groups = table(built, "Ethnic group")
    backgrounds = table(built, "Ethnic background")
    shown_groups = sum(int(count) for count in groups.values() if count.isdigit())
    at_least = sum(
        int(backgrounds[label]) for label in ASIAN_BACKGROUNDS if backgrounds[label].isdigit()
    )
    return at_least, built.answers - shown_groups


def test_over_a_period_a_group_hidden_cannot_be_worked_out_from_its_backgrounds_either():
    october = event_on(datetime(2026, 10, 6, 18, tzinfo=UTC))
    november = event_on(datetime(2026, 11, 3, 19, tzinfo=UTC))
    for event in october, november:
        store_answers(event, 12, ethnic_group="white", ethnic_background="white_british")
        store_answers(event, 3, ethnic_group="white", ethnic_background="white_irish")
        store_answers(event, 15, ethnic_group="asian", ethnic_background="asian_indian")
    close_answers(october, november)

    built = report.period_report("Autumn 2026", date(2026, 10, 1), date(2026, 12, 31))

    at_least, at_most = asian_bounds(built)
    assert table(built, "Ethnic group")["Asian or Asian British"] != "30"
    assert at_least < at_most
    for event in october, november:
        at_least, at_most = asian_bounds(report.event_report(event))
        assert at_least < at_most


def test_a_background_hidden_cannot_be_worked_out_from_its_group_and_its_siblings():
    """25 answers: 9 Black African, 5 White British, 7 any other White, 4
    Asian with no background. Each table suppressed on its own, the group
    table shows Black 9 and the background table African 9, so Caribbean
    and any other Black background, each "fewer than 5", are both 0."""
    event = EventFactory()
    store_answers(event, 9, ethnic_group="black", ethnic_background="black_african")
    store_answers(event, 5, ethnic_group="white", ethnic_background="white_british")
    store_answers(event, 7, ethnic_group="white", ethnic_background="white_other")
    store_answers(event, 4, ethnic_group="asian")
    close_answers(event)
    groups = [4, 9, 0, 12, 0, 0, 0]
    backgrounds = [0] * 22
    backgrounds[6], backgrounds[12], backgrounds[16], backgrounds[19] = 9, 5, 7, 4
    shared = [4, 0, 0, 0, 0, 0, 0]
    each_on_its_own = Nested(suppress_row(groups), suppress_row(backgrounds), tuple(shared))
    assert (DETAILED, 0, 5) in derivable_nested([each_on_its_own], ETHNIC_NESTING, pooled=None)

    built = report.event_report(event)

    shown = Nested(
        Row(tuple(groups), tuple(line.shown for line in tables(built)["Ethnic group"])),
        Row(tuple(backgrounds), tuple(line.shown for line in tables(built)["Ethnic background"])),
        tuple(shared),
    )
    assert derivable_nested([shown], ETHNIC_NESTING, pooled=None) == []


def tables(built: report.Report) -> dict[str, list[report.Line]]:
    return {found.question.title: found.lines for found in built.tables}


def test_a_background_stored_outside_its_group_counts_as_not_given_rather_than_failing():
    """The form only offers a group's own backgrounds; an answer written any
    other way must not stop the report (the two ethnicity tables are
    checked together, and must add up)."""
    event = EventFactory()
    store_answers(event, 12, ethnic_group="white", ethnic_background="white_british")
    store_answers(event, 6, ethnic_group="white", ethnic_background="asian_indian")
    close_answers(event)

    built = report.event_report(event)

    assert built.answers == 18
    assert table(built, "Ethnic background")["Indian"] == "fewer than 5"
