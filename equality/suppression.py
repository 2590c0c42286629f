"""Small-number suppression for the equality report: plain functions on
counts, no database.

What a reader of the report sees, and so what they can reason with:

- an event's number of answers, only when it is at least MIN_ANSWERS;
- for each question, one row per event: each answer's count shown exactly,
  or "fewer than 5" (primary suppression: the count is 0 to 4), or "hidden"
  (secondary suppression: 5 or more, hidden so that the others cannot be
  worked out), or "not shown" (no range at all, when even a range would
  give a count away);
- for a period, the same for the counts over all its events together (the
  column totals of the events-by-answers table).

A hidden count is *derivable* when only one value fits everything shown:
the exact counts, the ranges the labels imply and the totals. The rules
here hide more until nothing hidden is derivable, checked exactly by
`derivable_cells`, not by rules of thumb.

Two questions where one lies within the other (the Ethnic background
within the Ethnic group) are checked together, as one table
(`suppress_nested`, `derivable_nested`): nothing hidden in either can be
worked out from both, for one event exactly, over a period with a check
that may hide more than it must, never less (see that section).

How the check works: the hidden counts of a table with known row totals
and known, ranged or unknown column totals are the flows of a network
(rows to answers to a sink), and the integer counts that fit are its
feasible flows. A hidden count can take another value exactly when the
real counts can be changed along a cycle through it in the residual
network, which a search finds. The real counts are always one solution,
so this needs no solver and is exact.
"""

from collections import defaultdict, deque
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

FEWER_THAN = 5
MIN_ANSWERS = 10


class Shown(StrEnum):
    EXACT = "exact"
    FEWER_THAN_5 = "fewer than 5"  # primary suppression: the count is 0 to 4
    HIDDEN = "hidden"  # secondary suppression: the count is 5 or more
    WITHHELD = "not shown"  # when even a range would give something away


@dataclass(frozen=True)
class Row:
    """One event's counts for one question and how each is shown."""

    counts: tuple[int, ...]
    shown: tuple[Shown, ...]

    @property
    def total(self) -> int:
        return sum(self.counts)


def primary(counts: Sequence[int]) -> list[Shown]:
    return [Shown.FEWER_THAN_5 if count < FEWER_THAN else Shown.EXACT for count in counts]


def suppress_row(counts: Sequence[int]) -> Row:
    """One event's answers to one question, shown on its own with its total:
    primary suppression, then more until no hidden count can be worked out."""
    counts = tuple(counts)
    shown = primary(counts)
    while found := derivable_cells([Row(counts, tuple(shown))], pooled=None):
        _hide_one_more(shown, counts, columns=range(len(counts)), involved={c for _, c in found})
    return Row(counts, tuple(shown))


def suppress_pooled(rows: Sequence[Row]) -> tuple[Shown, ...]:
    """The totals over several events for one question, given each event's
    row as its own report shows it (see suppress_row): primary suppression,
    then more until nothing hidden, in the totals or in the event rows, can
    be worked out from everything shown together."""
    totals = column_totals(rows)
    shown = primary(totals)
    # A total made only of counts shown exactly gives nothing away, and
    # hiding it would protect nothing.
    partly_hidden = [
        column
        for column in range(len(totals))
        if any(row.shown[column] != Shown.EXACT for row in rows)
    ]
    while found := derivable_cells(rows, pooled=tuple(shown)):
        _hide_one_more(shown, totals, columns=partly_hidden, involved={c for _, c in found})
    return tuple(shown)


def _hide_one_more(shown: list[Shown], counts, *, columns, involved: set[int]) -> None:
    """Hide the smallest count still shown, preferring the columns of the
    cells that can be worked out; when every count is hidden, withhold a
    range ("fewer than 5", "hidden") instead, as ranges narrow things down.
    Every count withheld leaves only the totals, so this always ends."""
    for from_state in [Shown.EXACT], [Shown.FEWER_THAN_5, Shown.HIDDEN]:
        candidates = [column for column in columns if shown[column] in from_state]
        if candidates:
            column = min(candidates, key=lambda c: (c not in involved, counts[c], c))
            shown[column] = Shown.HIDDEN if from_state == [Shown.EXACT] else Shown.WITHHELD
            return
    raise AssertionError("every count is withheld, yet one can be worked out")


def column_totals(rows: Sequence[Row]) -> tuple[int, ...]:
    return tuple(sum(column) for column in zip(*(row.counts for row in rows), strict=True))


# The exact check -------------------------------------------------------------

POOLED = -1  # the row index of a period's totals in derivable_cells' answer


@dataclass
class _Arc:
    tail: object
    head: object
    flow: int
    low: int
    high: int | None  # None: no upper bound
    cell: tuple[int, int]


def _range(state: Shown | None, *, visible: int = 0, ceiling: int | None = None):
    """What a label tells the reader about the hidden part of a count."""
    if state == Shown.FEWER_THAN_5:
        return 0, FEWER_THAN - 1 - visible
    if state == Shown.HIDDEN:
        return max(FEWER_THAN - visible, 0), ceiling
    return 0, ceiling  # withheld, or no totals shown: anything the totals allow


def _arcs(rows: Sequence[Row], pooled: Sequence[Shown] | None) -> list[_Arc]:
    totals = column_totals(rows)
    visible = [0] * len(totals)
    arcs = []
    for index, row in enumerate(rows):
        for column, count in enumerate(row.counts):
            state = row.shown[column]
            if state == Shown.EXACT:
                visible[column] += count
                continue
            low, high = _range(state, ceiling=row.total)
            arcs.append(_Arc(("row", index), ("answer", column), count, low, high, (index, column)))
    for column, total in enumerate(totals):
        state = None if pooled is None else pooled[column]
        if state == Shown.EXACT:
            continue  # a fixed flow: no arc can change it
        low, high = _range(state, visible=visible[column])
        arcs.append(
            _Arc(("answer", column), "sink", total - visible[column], low, high, (POOLED, column))
        )
    return arcs


def derivable_cells(
    rows: Sequence[Row], *, pooled: Sequence[Shown] | None
) -> list[tuple[int, int]]:
    """The hidden counts that only one value fits, as (row, column); row
    POOLED is the totals over the rows. `pooled` None: no totals are shown
    (an event's own report). Every row's total is known."""
    arcs = _arcs(rows, pooled)
    # Nothing shown of the totals: nothing there to protect.
    protected = [arc for arc in arcs if pooled is not None or arc.cell[0] != POOLED]
    movable = _movable(arcs, protected)
    return [arc.cell for arc in protected if arc.cell not in movable]


def _movable(arcs: Sequence[_Arc], protected: Sequence[_Arc]) -> set:
    """The cells of `protected` (arcs of `arcs`) whose flow can change: a
    cycle through the arc in the residual network, one way or the other.
    Every cell on a cycle found can change along it too, so it is not
    searched for again (this makes a period of a hundred events quick)."""
    residual = defaultdict(list)
    for number, arc in enumerate(arcs):
        if arc.high is None or arc.flow < arc.high:
            residual[arc.tail].append((arc.head, number))
        if arc.flow > arc.low:
            residual[arc.head].append((arc.tail, number))
    numbers = {id(arc): number for number, arc in enumerate(arcs)}
    movable = set()
    for arc in protected:
        if arc.cell in movable:
            continue
        number = numbers[id(arc)]
        cycle = None
        if arc.high is None or arc.flow < arc.high:
            cycle = _path(residual, arc.head, arc.tail, avoiding=number)
        if cycle is None and arc.flow > arc.low:
            cycle = _path(residual, arc.tail, arc.head, avoiding=number)
        if cycle is not None:
            movable |= {arcs[n].cell for n in (number, *cycle)}
    movable.discard(None)
    return movable


def _path(residual, start, goal, *, avoiding: int) -> list[int] | None:
    """The arcs of a path from start to goal in the residual network that
    does not use arc `avoiding`, or None when there is none."""
    came_by, queue = {start: None}, deque([start])
    while queue:
        node = queue.popleft()
        for neighbour, number in residual[node]:
            if number == avoiding or neighbour in came_by:
                continue
            came_by[neighbour] = (node, number)
            if neighbour == goal:
                path = []
                while came_by[neighbour] is not None:
                    neighbour, arc_number = came_by[neighbour]
                    path.append(arc_number)
                return path
            queue.append(neighbour)
    return None


# Two questions, one within the other -----------------------------------------
#
# Every Ethnic background lies within an Ethnic group, so the two tables
# are checked as one network: an event's total to its groups (the group
# counts) to the backgrounds within them (the background counts), with the
# people who gave a group but no background flowing from their group into
# one bucket that all the groups share. For one event this is exact.
#
# Over a period it cannot be: the bucket's people keep their group in the
# totals over the events, which no network can follow once they are pooled
# in one bucket per event. So the check there gives the reader more than
# they have: in one network, every event's and total's counts, but only one
# group's share of each bucket can change (the others are taken as known);
# in another, one event's counts, the rest of the period taken as known. A
# count is protected when one of them can change it. Knowing more, the
# reader of a network can work out more, never less, so this may hide a
# count more than it needs to, never one less.

# A count as the check sees it: its value and what the reader knows of it.
Known = tuple[int, int, int | None]

BROAD, DETAILED = 0, 1  # the tables in a cell (table, row, column)


@dataclass(frozen=True)
class Nesting:
    """How the answers to a detailed question lie within those to a broad
    one, as the Ethnic background within the Ethnic group. `parent[d]` is
    the broad column that detailed column d lies within, or None for the
    bucket shared by the broad columns in `sharing` ("Ethnic group given,
    background not given"). A broad answer with no detailed question
    ("Prefer not to say", "Not answered") is its own column's parent."""

    parent: tuple[int | None, ...]
    sharing: tuple[int, ...]


@dataclass(frozen=True)
class Nested:
    """One event's answers to both questions, as its report shows them.
    `shared[b]` is how many of broad column b are in the shared bucket: the
    check needs it, the report never shows it."""

    broad: Row
    detailed: Row
    shared: tuple[int, ...]


def suppress_nested(broad, detailed, shared, nesting: Nesting) -> Nested:
    """One event's answers to both questions: each suppressed on its own
    (suppress_row), then more hidden, in either, until nothing hidden in
    either can be worked out from both together."""
    event = Nested(suppress_row(broad), suppress_row(detailed), tuple(shared))
    _check_adds_up(event, nesting)
    width = len(event.broad.counts)
    shown = [*event.broad.shown, *event.detailed.shown]
    counts = (*event.broad.counts, *event.detailed.counts)
    while found := derivable_nested([event], nesting, pooled=None):
        involved = {table * width + column for table, _, column in found}
        _hide_one_more(shown, counts, columns=range(len(counts)), involved=involved)
        event = Nested(
            Row(event.broad.counts, tuple(shown[:width])),
            Row(event.detailed.counts, tuple(shown[width:])),
            event.shared,
        )
    return event


def suppress_nested_pooled(
    events: Sequence[Nested], nesting: Nesting
) -> tuple[tuple[Shown, ...], tuple[Shown, ...]]:
    """The totals over several events for both questions, given each
    event's rows as its own report shows them (suppress_nested): each
    suppressed on its own (suppress_pooled), then more hidden until nothing
    hidden, in the totals or the events' rows, can be worked out from
    everything shown together."""
    broad = [event.broad for event in events]
    detailed = [event.detailed for event in events]
    width = len(broad[0].counts)
    shown = [*suppress_pooled(broad), *suppress_pooled(detailed)]
    totals = (*column_totals(broad), *column_totals(detailed))
    rows = [(*b.shown, *d.shown) for b, d in zip(broad, detailed, strict=True)]
    # As in suppress_pooled: a total of counts all shown exactly hides nothing.
    partly_hidden = [c for c in range(len(totals)) if any(r[c] != Shown.EXACT for r in rows)]
    # Hiding more only widens what fits, so a count found movable stays so:
    # each round checks only what no round before could move.
    movable: set = set()
    while found := derivable_nested(
        events, nesting, pooled=(shown[:width], shown[width:]), movable=movable
    ):
        involved = {table * width + column for table, _, column in found}
        _hide_one_more(shown, totals, columns=partly_hidden, involved=involved)
    return tuple(shown[:width]), tuple(shown[width:])


def _check_adds_up(event: Nested, nesting: Nesting) -> None:
    within = list(event.shared)
    for column, count in enumerate(event.detailed.counts):
        if nesting.parent[column] is not None:
            within[nesting.parent[column]] += count
    assert tuple(within) == event.broad.counts, "the detailed answers must lie within the broad"
    assert sum(event.shared[b] for b in nesting.sharing) == sum(event.shared)
    assert all(count >= 0 for count in event.shared)


def derivable_nested(
    events: Sequence[Nested],
    nesting: Nesting,
    *,
    pooled: tuple | None,
    movable: set | None = None,
) -> list[tuple[int, int, int]]:
    """The counts not shown exactly, in either table, that only one value
    fits, as (BROAD or DETAILED, row, column); row POOLED is the totals
    over the events, `pooled` how they are shown (broad, detailed) or None
    when they are not (an event's own report). `movable`: cells already
    known to take other values (they are not checked again); the cells
    found so are added to it."""
    movable = set() if movable is None else movable
    protected = _not_exact(events, pooled)
    known = [_event_known(event) for event in events]
    if pooled is None:
        arcs = _nested_arcs(known, nesting, totals=None, free=nesting.sharing)
        movable |= _movable(arcs, [arc for arc in arcs if arc.cell in protected - movable])
        return sorted(protected - movable)
    totals = _totals_known(events, pooled)
    # The small networks of one event each first: what they move, the
    # large ones of the whole period need not search for.
    for index in range(len(events)):
        # Each event's check moves its own counts and the totals, nothing else.
        if wanted := {(t, c) for t, row, c in protected - movable if row in (index, POOLED)}:
            movable |= _movable_alone(known, index, totals, nesting, wanted=wanted)
    for star in nesting.sharing:
        unknown = protected - movable
        if not unknown:
            break
        arcs = _nested_arcs(known, nesting, totals=totals, free=(star,))
        movable |= _movable(arcs, [arc for arc in arcs if arc.cell in unknown])
    return sorted(protected - movable)


def _not_exact(events: Sequence[Nested], pooled: tuple | None) -> set[tuple[int, int, int]]:
    cells = set()
    for index, event in enumerate(events):
        for table, row in (BROAD, event.broad), (DETAILED, event.detailed):
            cells |= {(table, index, c) for c, s in enumerate(row.shown) if s != Shown.EXACT}
    for table, shown in enumerate(pooled or ()):
        cells |= {(table, POOLED, c) for c, s in enumerate(shown) if s != Shown.EXACT}
    return cells


def _bounds(count: int, state: Shown, ceiling: int | None) -> Known:
    """A count and what its label tells the reader of it."""
    if state == Shown.EXACT:
        return count, count, count
    if state == Shown.FEWER_THAN_5:
        return count, 0, FEWER_THAN - 1
    if state == Shown.HIDDEN:
        return count, FEWER_THAN, ceiling
    return count, 0, ceiling


def _event_known(event: Nested):
    broad, detailed = event.broad, event.detailed
    return (
        [_bounds(c, s, broad.total) for c, s in zip(broad.counts, broad.shown, strict=True)],
        [
            _bounds(c, s, detailed.total)
            for c, s in zip(detailed.counts, detailed.shown, strict=True)
        ],
        event.shared,
    )


def _totals_known(events: Sequence[Nested], pooled: tuple):
    broad = column_totals([event.broad for event in events])
    detailed = column_totals([event.detailed for event in events])
    return (
        [_bounds(c, s, None) for c, s in zip(broad, pooled[BROAD], strict=True)],
        [_bounds(c, s, None) for c, s in zip(detailed, pooled[DETAILED], strict=True)],
    )


def _arc(tail, head, known: Known, held: int, cell) -> _Arc:
    """An arc for a count of which `held` people are taken as known: they
    flow nowhere in this network, so the arc carries only the rest."""
    count, low, high = known
    return _Arc(
        tail, head, count - held, max(low - held, 0), None if high is None else high - held, cell
    )


def _nested_arcs(known, nesting: Nesting, *, totals, free: Sequence[int]) -> list[_Arc]:
    """The network of the events' counts (and the totals over them, if
    shown): each event's total flows to its broad answers, each broad answer
    to the detailed answers within it, and its share of the bucket to the
    event's bucket, if it is `free` to change; other shares are held."""
    held = [[0 if b in free else shared[b] for b in range(len(shared))] for *_, shared in known]
    arcs = []
    for e, (broad, detailed, shared) in enumerate(known):
        for b, count in enumerate(broad):
            arcs.append(_arc(("event", e), ("group", e, b), count, held[e][b], (BROAD, e, b)))
        for d, count in enumerate(detailed):
            parent = nesting.parent[d]
            tail = ("bucket", e) if parent is None else ("group", e, parent)
            held_here = sum(held[e]) if parent is None else 0
            head = ("answer", d) if totals else "sink"
            arcs.append(_arc(tail, head, count, held_here, (DETAILED, e, d)))
        for b in free:
            arcs.append(_Arc(("group", e, b), ("bucket", e), shared[b], 0, None, None))
    if totals:
        arcs += _total_arcs(totals, nesting, held, free)
    return arcs


def _total_arcs(totals, nesting: Nesting, held, free: Sequence[int]) -> list[_Arc]:
    """The totals: each detailed answer's flows on to the broad answer it
    lies within, the bucket's to the one broad answer free to change."""
    broad, detailed = totals
    held_in = [sum(shares[b] for shares in held) for b in range(len(broad))]
    arcs = []
    for d, count in enumerate(detailed):
        parent = nesting.parent[d]
        head = ("total", free[0] if parent is None and free else parent)
        held_here = sum(held_in) if parent is None else 0
        arcs.append(_arc(("answer", d), head, count, held_here, (DETAILED, POOLED, d)))
    for b, count in enumerate(broad):
        arcs.append(_arc(("total", b), "sink", count, held_in[b], (BROAD, POOLED, b)))
    return arcs


def _movable_alone(known, index: int, totals, nesting: Nesting, *, wanted) -> set:
    """Of the `wanted` (table, column), those whose count can change with
    only event `index`'s: its own and the totals, each narrowed to what the
    total shown less the other events' counts leaves it."""
    *own, shared = known[index]
    narrowed = [
        [_narrow(count, total) for count, total in zip(counts, table_totals, strict=True)]
        for counts, table_totals in zip(own, totals, strict=True)
    ]
    arcs = _nested_arcs([(*narrowed, shared)], nesting, totals=None, free=nesting.sharing)
    movable = _movable(arcs, [arc for arc in arcs if arc.cell and arc.cell[::2] in wanted])
    # The event's count and its total change together.
    return {(t, row, c) for t, _, c in movable for row in (index, POOLED)}


def _narrow(own: Known, total: Known) -> Known:
    """An event's count as the total shown less the other events' leaves it
    (the total's own value is the sum of every event's count)."""
    count, low, high = own
    total_count, total_low, total_high = total
    others = total_count - count
    if total_high is not None:
        high = total_high - others if high is None else min(high, total_high - others)
    return count, max(low, total_low - others), high
