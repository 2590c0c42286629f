"""Small-number suppression. The property tests check every table against a
brute-force reader: one who lists every table of counts that fits what the
report shows (the exact counts, the ranges "fewer than 5" and "hidden"
imply, each event's total and the totals over the events) and so sees
whatever only one value fits. It shares no code with the suppression."""

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from equality.suppression import (
    MIN_ANSWERS,
    POOLED,
    Row,
    Shown,
    column_totals,
    derivable_cells,
    suppress_pooled,
    suppress_row,
)

# What a label lets a reader assume about a count, given its row's total.
RANGES = {
    Shown.FEWER_THAN_5: lambda total: range(0, 5),
    Shown.HIDDEN: lambda total: range(5, total + 1),
    Shown.WITHHELD: lambda total: range(0, total + 1),
}


def row_candidates(row: Row) -> list[tuple[int, ...]]:
    """Every row of counts that fits what is shown of this one."""
    options = [
        [count] if state == Shown.EXACT else RANGES[state](row.total)
        for count, state in zip(row.counts, row.shown, strict=True)
    ]
    return [combo for combo in itertools.product(*options) if sum(combo) == row.total]


def totals_fit(totals: tuple[int, ...], real: tuple[int, ...], pooled, *, partial: bool) -> bool:
    for total, real_total, state in zip(totals, real, pooled, strict=True):
        if state == Shown.EXACT and (total > real_total or not partial and total != real_total):
            return False
        if state == Shown.FEWER_THAN_5 and total >= 5:
            return False
        if state == Shown.HIDDEN and total < 5 and not partial:
            return False
    return True


def add(left: tuple[int, ...], right: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(a + b for a, b in zip(left, right, strict=True))


def what_a_reader_can_tell(rows: list[Row], pooled) -> dict[tuple[int, int], set[int]]:
    """For every count that is not shown exactly, every value it could have:
    rows by index, the totals over the rows as row POOLED. Walks the rows
    one at a time, keeping the running totals that can still be completed."""
    real = column_totals(rows)
    candidates = [row_candidates(row) for row in rows]

    def fits(totals, *, partial):
        return pooled is None or totals_fit(totals, real, pooled, partial=partial)

    reachable = [{tuple(0 for _ in real)}]
    for options in candidates:
        reachable.append(
            {add(s, v) for s in reachable[-1] for v in options if fits(add(s, v), partial=True)}
        )
    completable = [set() for _ in reachable]
    completable[-1] = {totals for totals in reachable[-1] if fits(totals, partial=False)}
    for index in reversed(range(len(rows))):
        completable[index] = {
            s
            for s in reachable[index]
            if any(add(s, v) in completable[index + 1] for v in candidates[index])
        }
    possible: dict[tuple[int, int], set[int]] = {}
    for index, (row, options) in enumerate(zip(rows, candidates, strict=True)):
        hidden = [column for column, state in enumerate(row.shown) if state != Shown.EXACT]
        for s, v in itertools.product(completable[index], options):
            if add(s, v) in completable[index + 1]:
                for column in hidden:
                    possible.setdefault((index, column), set()).add(v[column])
    for column, state in enumerate(pooled or ()):
        if state != Shown.EXACT:
            possible[(POOLED, column)] = {totals[column] for totals in completable[-1]}
    return possible


def worked_out(rows: list[Row], pooled=None) -> list[tuple[int, int]]:
    return sorted(
        cell for cell, values in what_a_reader_can_tell(rows, pooled).items() if len(values) == 1
    )


# One event on its own


def test_small_counts_show_as_fewer_than_5_and_the_rest_exactly_when_nothing_can_be_worked_out():
    row = suppress_row([30, 3, 20, 4, 12])

    assert row.shown == (
        Shown.EXACT,
        Shown.FEWER_THAN_5,
        Shown.EXACT,
        Shown.FEWER_THAN_5,
        Shown.EXACT,
    )


def test_a_single_small_count_is_protected_by_hiding_the_next_smallest():
    # 40 answers: shown 25 and 11 would leave exactly 4 for the small one.
    row = suppress_row([25, 4, 11])

    assert row.shown == (Shown.EXACT, Shown.FEWER_THAN_5, Shown.HIDDEN)
    assert worked_out([row]) == []


def test_zero_is_a_small_count_too():
    row = suppress_row([12, 0, 0, 0])

    assert Shown.EXACT not in row.shown
    assert worked_out([row]) == []


def test_when_every_range_would_give_the_counts_away_one_is_not_shown_at_all():
    # 16 answers, each of four 4: "fewer than 5" four times could only be 4 each.
    row = suppress_row([4, 4, 4, 4])

    assert Shown.WITHHELD in row.shown
    assert worked_out([row]) == []


def test_the_check_finds_what_a_reader_can_work_out():
    shown_plainly = Row((25, 4, 11), (Shown.EXACT, Shown.FEWER_THAN_5, Shown.EXACT))

    assert derivable_cells([shown_plainly], pooled=None) == [(0, 1)]
    assert worked_out([shown_plainly]) == [(0, 1)]


# Several events and their totals


def test_totals_over_events_are_shown_where_they_give_nothing_away():
    rows = [suppress_row(counts) for counts in ([30, 3, 20, 5], [20, 4, 6, 0], [12, 2, 9, 1])]

    pooled = suppress_pooled(rows)

    assert pooled[0] == Shown.EXACT
    assert pooled[2] == Shown.EXACT
    assert worked_out(rows, pooled) == []


def test_a_total_that_would_reveal_one_events_small_count_is_hidden():
    # Event 1 shows 20 of 30 exactly and hides 4 and 6; event 2 shows all.
    # A total of 9 in the second column would give event 1's 4 away.
    rows = [suppress_row([20, 4, 6]), suppress_row([10, 5, 15])]

    pooled = suppress_pooled(rows)

    assert rows[0].shown == (Shown.EXACT, Shown.FEWER_THAN_5, Shown.HIDDEN)
    assert pooled[1] != Shown.EXACT
    assert worked_out(rows, pooled) == []


def test_the_check_finds_a_count_worked_out_from_the_totals():
    rows = [suppress_row([20, 4, 6]), suppress_row([10, 5, 15])]
    everything_shown = (Shown.EXACT, Shown.EXACT, Shown.EXACT)

    assert (0, 1) in derivable_cells(rows, pooled=everything_shown)
    assert (0, 1) in worked_out(rows, everything_shown)


# Properties: whatever the counts, nothing hidden can be worked out


@st.composite
def event_rows(draw, *, columns: int, largest: int = 9):
    counts = st.integers(min_value=0, max_value=largest)
    row = draw(st.lists(counts, min_size=columns, max_size=columns))
    # Only events with at least MIN_ANSWERS answers are ever shown.
    if sum(row) < MIN_ANSWERS:
        row[draw(st.integers(0, columns - 1))] += MIN_ANSWERS - sum(row)
    return row


@st.composite
def tables(draw, *, columns=(3, 4), largest: int = 9):
    """1 to 3 events by 3 or 4 answers: small enough for the brute-force
    reader, big enough for every pattern of small and large counts."""
    width = draw(st.integers(*columns))
    return draw(st.lists(event_rows(columns=width, largest=largest), min_size=1, max_size=3))


@settings(max_examples=300, deadline=None, database=None)
@given(st.integers(3, 5).flatmap(lambda columns: event_rows(columns=columns)))
def test_no_hidden_count_of_one_event_can_be_worked_out_from_its_total(counts_of_one_event):
    row = suppress_row(counts_of_one_event)

    assert worked_out([row]) == []
    assert all(
        state == Shown.EXACT or count < 5 or state != Shown.FEWER_THAN_5
        for count, state in zip(row.counts, row.shown, strict=True)
    )
    assert all(
        count >= 5
        for count, state in zip(row.counts, row.shown, strict=True)
        if state == Shown.EXACT
    )


@settings(max_examples=300, deadline=None, database=None)
@given(tables())
def test_no_hidden_count_can_be_worked_out_from_row_and_column_totals(table):
    rows = [suppress_row(counts) for counts in table]

    pooled = suppress_pooled(rows)

    assert worked_out(rows, pooled) == []
    totals = column_totals(rows)
    assert all(
        total >= 5 for total, state in zip(totals, pooled, strict=True) if state == Shown.EXACT
    )


def honest_label(count: int):
    """Any way of showing a count that is true of it."""
    if count < 5:
        return st.sampled_from([Shown.FEWER_THAN_5, Shown.WITHHELD])
    return st.sampled_from([Shown.EXACT, Shown.HIDDEN, Shown.WITHHELD])


@settings(max_examples=200, deadline=None, database=None)
@given(tables(columns=(3, 3), largest=6), st.data())
def test_the_exact_check_agrees_with_the_brute_force_reader(table, data):
    """derivable_cells is what the suppression trusts: however a table is
    shown, it must find exactly what the brute-force reader finds."""
    rows = [
        Row(tuple(counts_of_event), tuple(data.draw(honest_label(c)) for c in counts_of_event))
        for counts_of_event in table
    ]
    pooled = tuple(data.draw(honest_label(total)) for total in column_totals(rows))

    assert sorted(derivable_cells(rows, pooled=pooled)) == worked_out(rows, pooled)
