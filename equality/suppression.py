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
    cycle through the arc in the residual network, one way or the other."""
    residual = defaultdict(list)
    for number, arc in enumerate(arcs):
        if arc.high is None or arc.flow < arc.high:
            residual[arc.tail].append((arc.head, number))
        if arc.flow > arc.low:
            residual[arc.head].append((arc.tail, number))
    numbers = {id(arc): number for number, arc in enumerate(arcs)}
    movable = set()
    for arc in protected:
        number = numbers[id(arc)]
        can_rise = (arc.high is None or arc.flow < arc.high) and _reaches(
            residual, arc.head, arc.tail, avoiding=number
        )
        can_fall = arc.flow > arc.low and _reaches(residual, arc.tail, arc.head, avoiding=number)
        if can_rise or can_fall:
            movable.add(arc.cell)
    return movable


def _reaches(residual, start, goal, *, avoiding: int) -> bool:
    seen, queue = {start}, deque([start])
    while queue:
        node = queue.popleft()
        for neighbour, number in residual[node]:
            if number == avoiding or neighbour in seen:
                continue
            if neighbour == goal:
                return True
            seen.add(neighbour)
            queue.append(neighbour)
    return False
