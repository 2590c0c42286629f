"""The report on who our events reach, for the admin page and its CSV: per
event or per period, each question's answers counted and suppressed (see
suppression.py). Nothing here holds one person's answers, and a count that
is not shown is not kept either, so no template can show it by mistake.

Only events whose answers are final (ClosedEvent: registration closed, pool
moved in, no answer taken after) are reported, so a report never changes
when someone answers and comparing two of them shows no one's answers."""

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import QuerySet

from events.models import Event

from . import queries
from .models import (
    AgeBand,
    Disability,
    EthnicBackground,
    EthnicGroup,
    GenderIdentity,
    Religion,
    Sex,
    SexualOrientation,
)
from .suppression import (
    MIN_ANSWERS,
    Nested,
    Nesting,
    Row,
    Shown,
    column_totals,
    suppress_nested,
    suppress_nested_pooled,
    suppress_pooled,
    suppress_row,
)

NOT_ANSWERED = ("", "Not answered")
GROUP_ONLY = "group_only"


@dataclass(frozen=True)
class Question:
    title: str
    fields: tuple[str, ...]
    categories: tuple[tuple[str, str], ...]
    # Which category a combination of the fields' values counts in.
    category_of: Callable[[tuple[str, ...]], str] = lambda values: values[0]


def _background(values: tuple[str, str]) -> str:
    group, background = values
    if background:
        return background
    if group and group != EthnicGroup.PREFER_NOT_TO_SAY:
        return GROUP_ONLY
    return group


def _question(title, field_name, choices) -> Question:
    return Question(title, (field_name,), (*choices, NOT_ANSWERED))


ETHNIC_GROUP = _question("Ethnic group", "ethnic_group", EthnicGroup.choices)
ETHNIC_BACKGROUND = Question(
    "Ethnic background",
    ("ethnic_group", "ethnic_background"),
    (
        *EthnicBackground.choices,
        (GROUP_ONLY, "Ethnic group given, background not given"),
        (EthnicGroup.PREFER_NOT_TO_SAY, "Prefer not to say"),
        NOT_ANSWERED,
    ),
    _background,
)

QUESTIONS = [
    _question("Sex", "sex", Sex.choices),
    _question(
        "Gender identity the same as sex registered at birth",
        "gender_identity",
        GenderIdentity.choices,
    ),
    _question("Age", "age_band", AgeBand.choices),
    ETHNIC_GROUP,
    ETHNIC_BACKGROUND,
    _question("Disability (Equality Act 2010)", "disability", Disability.choices),
    _question("Sexual orientation", "sexual_orientation", SexualOrientation.choices),
    _question("Religion", "religion", Religion.choices),
]


def _keys(question: Question) -> list[str]:
    return [key for key, _ in question.categories]


def _ethnic_nesting() -> Nesting:
    """Each background within its group; "Prefer not to say" and "Not
    answered" the same people in both tables; the groups that ask for a
    background share the "background not given" bucket."""
    groups = _keys(ETHNIC_GROUP)
    group_of = {b: g for g in EthnicGroup for b in EthnicBackground.within(g)}
    parent = [
        None if key == GROUP_ONLY else groups.index(group_of.get(key, key))
        for key in _keys(ETHNIC_BACKGROUND)
    ]
    sharing = [groups.index(group) for group in group_of.values()]
    return Nesting(tuple(parent), tuple(sorted(set(sharing))))


ETHNIC_NESTING = _ethnic_nesting()


def percent(part: int, whole: int) -> int | None:
    return int(100 * part / whole + 0.5) if whole else None


@dataclass(frozen=True)
class Line:
    """One answer's count, or only how it is hidden (`count` None)."""

    label: str
    shown: Shown
    count: int | None
    of_answers: int | None
    of_registered: int | None

    @property
    def display(self) -> str:
        return str(self.count) if self.count is not None else str(self.shown)


@dataclass(frozen=True)
class Table:
    question: Question
    lines: list[Line]


@dataclass(frozen=True)
class EventReach:
    event: Event
    registered: int
    attended: int
    answers: int

    @property
    def counted(self) -> bool:
        return self.answers >= MIN_ANSWERS

    @property
    def answers_display(self) -> str:
        return str(self.answers) if self.counted else f"fewer than {MIN_ANSWERS}"


@dataclass(frozen=True)
class Report:
    title: str
    events: list[EventReach]
    tables: list[Table] = field(default_factory=list)
    # Events in scope still taking answers: not reported, only counted.
    still_open: int = 0

    @property
    def counted(self) -> list[EventReach]:
        return [reach for reach in self.events if reach.counted]

    @property
    def registered(self) -> int:
        return sum(reach.registered for reach in self.counted)

    @property
    def attended(self) -> int:
        return sum(reach.attended for reach in self.counted)

    @property
    def answers(self) -> int:
        return sum(reach.answers for reach in self.counted)

    @property
    def response_rate(self) -> int | None:
        return percent(self.answers, self.registered)


def event_report(event: Event) -> Report:
    return build_report(event.title, Event.objects.filter(pk=event.pk))


def period_report(title: str, first: date, last: date) -> Report:
    return build_report(title, queries.events_between(first, last))


def build_report(title: str, events: QuerySet[Event]) -> Report:
    """Events whose answers are not final are left out (only their number
    is kept). Events with fewer than MIN_ANSWERS answers are listed with
    that and nothing more, and left out of every count, so that no
    difference between two reports can ever give their answers away."""
    every = list(queries.with_reach(events))
    events = [event for event in every if event.answers_closed]
    still_open = len(every) - len(events)
    answers = queries.answers_per_event(event.pk for event in events)
    reach = [
        EventReach(event, event.registered, event.attended, answers[event.pk]) for event in events
    ]
    report = Report(title, reach, still_open=still_open)
    if not report.counted:
        return report
    return Report(title, reach, _tables(report), still_open=still_open)


def _tables(report: Report) -> list[Table]:
    events = [reach.event.pk for reach in report.counted]
    suppressed: dict[str, tuple[list[Row], tuple[Shown, ...]]] = {}
    for question in QUESTIONS:
        if question.title in suppressed:
            continue
        if question in (ETHNIC_GROUP, ETHNIC_BACKGROUND):
            # Every background lies within a group: the two are checked together.
            suppressed |= _ethnicity(events)
        else:
            suppressed[question.title] = _suppressed(question, events)
    return [_table(question, *suppressed[question.title], report) for question in QUESTIONS]


def _suppressed(question: Question, events: list[int]) -> tuple[list[Row], tuple[Shown, ...]]:
    counts = queries.answer_counts(events, list(question.fields))
    rows = []
    for event in events:
        per_category = dict.fromkeys(_keys(question), 0)
        for values, number in counts[event].items():
            per_category[question.category_of(values)] += number
        rows.append(suppress_row(per_category.values()))
    # One event: its own row, exactly as its own report shows it.
    return rows, rows[0].shown if len(rows) == 1 else suppress_pooled(rows)


def _ethnicity(events: list[int]) -> dict[str, tuple[list[Row], tuple[Shown, ...]]]:
    counts = queries.answer_counts(events, list(ETHNIC_BACKGROUND.fields))
    nested = [_ethnic_rows(counts[event]) for event in events]
    if len(nested) == 1:
        pooled = nested[0].broad.shown, nested[0].detailed.shown
    else:
        pooled = suppress_nested_pooled(nested, ETHNIC_NESTING)
    return {
        ETHNIC_GROUP.title: ([event.broad for event in nested], pooled[0]),
        ETHNIC_BACKGROUND.title: ([event.detailed for event in nested], pooled[1]),
    }


def _ethnic_rows(counts) -> Nested:
    """One event's counts by group and by background, and how many of each
    group gave no background (the check needs it; it is never shown)."""
    groups = dict.fromkeys(_keys(ETHNIC_GROUP), 0)
    backgrounds = dict.fromkeys(_keys(ETHNIC_BACKGROUND), 0)
    shared = dict.fromkeys(groups, 0)
    for (group, stored), number in counts.items():
        # The form only offers a group's own backgrounds; one stored outside
        # its group by any other way counts as not given, so the tables
        # still add up (suppress_nested checks that they do).
        background = stored if stored in EthnicBackground.within(group) else ""
        groups[group] += number
        backgrounds[_background((group, background))] += number
        if _background((group, background)) == GROUP_ONLY:
            shared[group] += number
    return suppress_nested(groups.values(), backgrounds.values(), shared.values(), ETHNIC_NESTING)


def _table(question: Question, rows: list[Row], shown: tuple[Shown, ...], report: Report) -> Table:
    lines = []
    for (_, label), total, state in zip(
        question.categories, column_totals(rows), shown, strict=True
    ):
        count = total if state == Shown.EXACT else None
        lines.append(
            Line(
                label,
                state,
                count,
                percent(count, report.answers) if count is not None else None,
                percent(count, report.registered) if count is not None else None,
            )
        )
    return Table(question, lines)


# The CSV ---------------------------------------------------------------------

CSV_HEADER = ["Events", "Question", "Answer", "Count", "% of answers", "% of registered"]


def _cell(value) -> str:
    """Spreadsheets run a cell that starts with =, +, - or @ as a formula:
    event titles come from staff, but keep them text all the same."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in {"=", "+", "-", "@"} else text


def write_csv(report: Report, out) -> None:
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for reach in report.events:
        for label, value in [
            ("Registered", reach.registered),
            ("Attended", reach.attended),
            ("Answered", reach.answers_display),
        ]:
            writer.writerow(map(_cell, [reach.event, "People", label, value, "", ""]))
    scope = (
        report.events[0].event.title
        if len(report.events) == 1
        else f"All events with {MIN_ANSWERS} or more answers ({len(report.counted)})"
    )
    for table in report.tables:
        for line in table.lines:
            writer.writerow(
                map(
                    _cell,
                    [
                        scope,
                        table.question.title,
                        line.label,
                        line.display,
                        line.of_answers,
                        line.of_registered,
                    ],
                )
            )
