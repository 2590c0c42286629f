"""Two questions, one within the other (as the Ethnic background within the
Ethnic group): the property tests check both tables against a brute-force
reader who lists every table of people that fits what the two show
together, and so sees whatever only one value fits. It shares no code with
the suppression.

The small shape here: broad answers A, B and "Prefer not to say"; detailed
answers a1 and a2 (within A), b1 (within B), "A or B given, no more" (the
bucket A and B share) and "Prefer not to say" again."""

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from equality.suppression import (
    BROAD,
    DETAILED,
    MIN_ANSWERS,
    POOLED,
    Nested,
    Nesting,
    Shown,
    suppress_nested,
    suppress_nested_pooled,
    suppress_row,
)

NESTING = Nesting(parent=(0, 0, 1, None, 2), sharing=(0, 1))


def nested(a1, a2, a_only, b1, b_only, prefer):
    """One event's people, each answer's number, as the suppression takes them."""
    broad = [a1 + a2 + a_only, b1 + b_only, prefer]
    return suppress_nested(
        broad, [a1, a2, b1, a_only + b_only, prefer], [a_only, b_only, 0], NESTING
    )


def allowed(state: Shown, count: int, ceiling: int) -> range:
    """The values a label lets the reader assume, given the count it shows."""
    return {
        Shown.EXACT: range(count, count + 1),
        Shown.FEWER_THAN_5: range(0, 5),
        Shown.HIDDEN: range(5, ceiling + 1),
        Shown.WITHHELD: range(0, ceiling + 1),
    }[state]


def tables_that_fit(event) -> set[tuple[int, ...]]:
    """Every (A, B, prefer, a1, a2, b1, bucket, prefer) that fits what the
    event's two rows show, by listing each table of people."""
    total = event.broad.total
    fits = [
        allowed(state, count, total)
        for row in (event.broad, event.detailed)
        for count, state in zip(row.counts, row.shown, strict=True)
    ]
    found = set()
    for a1, a2, b1, prefer in itertools.product(fits[3], fits[4], fits[5], fits[2]):
        given_only = total - a1 - a2 - b1 - prefer
        if given_only < 0 or given_only not in fits[6] or prefer not in fits[7]:
            continue
        for a_only in range(given_only + 1):
            a, b = a1 + a2 + a_only, b1 + given_only - a_only
            if a in fits[0] and b in fits[1]:
                found.add((a, b, prefer, a1, a2, b1, given_only, prefer))
    return found


def cell_of(position: int, row: int) -> tuple[int, int, int]:
    return (BROAD, row, position) if position < 3 else (DETAILED, row, position - 3)


def shown(event) -> tuple[Shown, ...]:
    return (*event.broad.shown, *event.detailed.shown)


def worked_out(events, pooled=None) -> list[tuple[int, int, int]]:
    """The cells not shown exactly that only one value fits."""
    fitting = [tables_that_fit(event) for event in events]
    if pooled is None:
        combos = [(table,) for table in fitting[0]]
    else:
        labels = (*pooled[BROAD], *pooled[DETAILED])
        combos = [c for c in itertools.product(*fitting) if fits_totals(c, events, labels)]
    values: dict[tuple[int, int, int], set[int]] = {}
    for combo in combos:
        for row, table in enumerate(combo):
            for position, state in enumerate(shown(events[row])):
                if state != Shown.EXACT:
                    values.setdefault(cell_of(position, row), set()).add(table[position])
        for position, state in enumerate((*pooled[BROAD], *pooled[DETAILED]) if pooled else ()):
            if state != Shown.EXACT:
                total = sum(table[position] for table in combo)
                values.setdefault(cell_of(position, POOLED), set()).add(total)
    return sorted(cell for cell, found in values.items() if len(found) == 1)


def fits_totals(combo, events, labels) -> bool:
    real = [sum(values) for values in zip(*(real_table(event) for event in events), strict=True)]
    ceiling = sum(event.broad.total for event in events)
    return all(
        sum(table[position] for table in combo) in allowed(state, real[position], ceiling)
        for position, state in enumerate(labels)
    )


def real_table(event) -> tuple[int, ...]:
    return (*event.broad.counts, *event.detailed.counts)


# Examples


def each_on_its_own(a1, a2, a_only, b1, b_only, prefer):
    """Both tables suppressed each on its own, as before they were checked together."""
    broad = suppress_row([a1 + a2 + a_only, b1 + b_only, prefer])
    detailed = suppress_row([a1, a2, b1, a_only + b_only, prefer])
    return Nested(broad, detailed, (a_only, b_only, 0))


def test_prefer_not_to_say_hidden_in_one_table_is_not_shown_in_the_other():
    # On its own the broad table hides "Prefer not to say" (7), which the
    # detailed table shows, and with it B (4) follows from the total.
    counts = 7, 7, 6, 3, 1, 7

    assert worked_out([each_on_its_own(*counts)]) == [(BROAD, 0, 1), (BROAD, 0, 2)]
    assert worked_out([nested(*counts)]) == []


def test_a_background_hidden_is_not_worked_out_from_its_group_and_its_siblings():
    # 34: A 19 and B 9 shown, b1 9 and the bucket 8 shown, so all 8 in the
    # bucket are A's; with a1 7 shown, a2 ("fewer than 5") is 19 - 7 - 8 = 4.
    counts = 7, 4, 8, 9, 0, 6

    assert (DETAILED, 0, 1) in worked_out([each_on_its_own(*counts)])
    assert worked_out([nested(*counts)]) == []


# Properties

people = st.integers(min_value=0, max_value=7)


@st.composite
def events(draw):
    counts = draw(st.lists(people, min_size=6, max_size=6))
    if sum(counts) < MIN_ANSWERS:  # only events with 10 or more answers are shown
        counts[draw(st.integers(0, 5))] += MIN_ANSWERS - sum(counts)
    return counts


@settings(max_examples=150, deadline=None, database=None)
@given(events())
def test_nothing_hidden_in_either_table_of_one_event_can_be_worked_out_from_both(counts):
    event = nested(*counts)

    assert worked_out([event]) == []
    for row in event.broad, event.detailed:
        assert all(
            count >= 5 for count, s in zip(row.counts, row.shown, strict=True) if s == Shown.EXACT
        )


@settings(max_examples=60, deadline=None, database=None)
@given(st.lists(events(), min_size=2, max_size=2))
def test_nothing_hidden_over_a_period_can_be_worked_out_from_both_tables_and_the_events(table):
    rows = [nested(*counts) for counts in table]

    pooled = suppress_nested_pooled(rows, NESTING)

    assert worked_out(rows, pooled) == []
