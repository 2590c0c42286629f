import copy
from dataclasses import dataclass
from datetime import date, timedelta

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Div, Field, Hidden, Layout, Size, Submit
from django import forms

from core.templatetags.govuk_dates import govuk_date
from events.models import Event

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

PREFER_NOT_TO_SAY = "prefer_not_to_say"
CHOOSE_FROM_THE_LIST = "Select one of the answers, or leave the question out"
FOLLOW_UP = "follow_up"


def _choices(choices) -> list[Choice]:
    """The options as crispy-forms-gds Choices, with GOV.UK's "or" divider
    before the last, "Prefer not to say"."""
    options = list(choices)
    return [
        Choice(value, label, divider="or" if index == len(options) - 2 else "")
        for index, (value, label) in enumerate(options)
    ]


def _question(label: str, choices, *, hint: str = "") -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        help_text=hint,
        choices=_choices(choices),
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": CHOOSE_FROM_THE_LIST},
    )


GROUPS_WITH_BACKGROUNDS = [group for group in EthnicGroup if group != EthnicGroup.PREFER_NOT_TO_SAY]
HAS_CONDITION = "yes"
LIMITED = {"a_lot", "a_little"}


def background_question(group: str) -> forms.ChoiceField:
    group = EthnicGroup(group)
    return _question(
        f"Which of the following best describes your {group.label} background?",
        [
            *[
                (background.value, background.label)
                for background in EthnicBackground.within(group)
            ],
            (PREFER_NOT_TO_SAY, "Prefer not to say"),
        ],
    )


def impact_question() -> forms.ChoiceField:
    return _question(
        "Do any of your conditions or illnesses reduce your ability to carry out "
        "day-to-day activities?",
        [
            ("a_lot", "Yes, a lot"),
            ("a_little", "Yes, a little"),
            ("not_at_all", "Not at all"),
            (PREFER_NOT_TO_SAY, "Prefer not to say"),
        ],
    )


def _buttons(*, skip: bool) -> Div:
    buttons = [Submit("answer", "Send my answers")]
    if skip:
        buttons.append(Button.secondary("skip", "Skip these questions"))
    return Div(*buttons, css_class="govuk-button-group")


class QuestionnaireForm(forms.Form):
    """The optional questions, worded as in the UK government's harmonised
    standards. Every one may be left out; nothing here is required.

    Two of them have a follow-up on a second page, as GOV.UK's equality
    information pattern asks them: the background within an ethnic group
    (ONS found that people shown every background at once tried to choose
    several) and whether a long-term condition limits day-to-day life."""

    sex = _question("What is your sex?", Sex.choices)
    gender_identity = _question(
        "Is the gender you identify with the same as your sex registered at birth?",
        GenderIdentity.choices,
    )
    age_band = _question("What is your age?", AgeBand.choices)
    ethnic_group = _question(
        "What is your ethnic group?",
        EthnicGroup.choices,
        hint="If you choose a group, we will then ask which background best describes you.",
    )
    long_term_condition = _question(
        "Do you have any physical or mental health conditions or illnesses lasting "
        "or expected to last 12 months or more?",
        [(HAS_CONDITION, "Yes"), ("no", "No"), (PREFER_NOT_TO_SAY, "Prefer not to say")],
    )
    sexual_orientation = _question(
        "Which of the following best describes your sexual orientation?",
        SexualOrientation.choices,
    )
    religion = _question("What is your religion?", Religion.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_id = "equality-form"
        self.helper.attrs = {"novalidate": ""}
        self.helper.layout = Layout(
            # Small radios and legends: seven questions fit a phone in
            # about two thirds of the height.
            *[Field.radios(name, legend_size=Size.SMALL, small=True) for name in self.fields],
            _buttons(skip=True),
        )

    def needs_follow_up(self) -> bool:
        data = self.cleaned_data
        return (
            data["ethnic_group"] in GROUPS_WITH_BACKGROUNDS
            or data["long_term_condition"] == HAS_CONDITION
        )

    def answers(self, *, background: str = "", impact: str = "") -> dict[str, str]:
        """The answers as EqualityResponse stores them, with the follow-ups'
        answers: disability as the Equality Act 2010 defines it."""
        data = self.cleaned_data
        return {
            "sex": data["sex"],
            "gender_identity": data["gender_identity"],
            "age_band": data["age_band"],
            "ethnic_group": data["ethnic_group"],
            "ethnic_background": "" if background == PREFER_NOT_TO_SAY else background,
            "disability": _disability(data["long_term_condition"], impact),
            "sexual_orientation": data["sexual_orientation"],
            "religion": data["religion"],
        }


def _disability(condition: str, impact: str) -> str:
    if condition == "no" or condition == HAS_CONDITION and impact == "not_at_all":
        return Disability.NOT_DISABLED
    if condition == HAS_CONDITION and impact in LIMITED:
        return Disability.DISABLED
    if PREFER_NOT_TO_SAY in (condition, impact):
        return Disability.PREFER_NOT_TO_SAY
    # Not answered, or a condition without saying whether it limits them:
    # whether they are disabled is not known.
    return ""


class FollowUpForm(forms.Form):
    """The second page: the follow-ups that the first page's answers call
    for, with those answers carried along unchanged in hidden fields, so
    that nothing is kept on the server between the two pages."""

    def __init__(self, *args, first_page: QuestionnaireForm, **kwargs):
        super().__init__(*args, **kwargs)
        answered = first_page.cleaned_data
        for name, field in QuestionnaireForm.base_fields.items():
            self.fields[name] = copy.deepcopy(field)
            self.fields[name].widget = forms.HiddenInput()
            self.initial[name] = answered[name]
        if answered["ethnic_group"] in GROUPS_WITH_BACKGROUNDS:
            self.fields["ethnic_background"] = background_question(answered["ethnic_group"])
        if answered["long_term_condition"] == HAS_CONDITION:
            self.fields["condition_impact"] = impact_question()
        self.helper = FormHelper()
        self.helper.form_id = "equality-follow-up-form"
        self.helper.attrs = {"novalidate": ""}
        self.helper.layout = Layout(
            Hidden(FOLLOW_UP, "1"),
            *QuestionnaireForm.base_fields,
            *[
                Field.radios(name, legend_size=Size.MEDIUM)
                for name in ("ethnic_background", "condition_impact")
                if name in self.fields
            ],
            _buttons(skip=False),
        )

    def follow_up_answers(self) -> dict[str, str]:
        return {
            "background": self.cleaned_data.get("ethnic_background", ""),
            "impact": self.cleaned_data.get("condition_impact", ""),
        }


# The report's choice of events (staff, in the admin) -------------------------


@dataclass(frozen=True)
class Period:
    title: str
    first: date
    last: date


def month(year: int, number: int) -> Period:
    first = date(year, number, 1)
    following = date(year + number // 12, number % 12 + 1, 1)
    return Period(f"{first:%B %Y}", first, following - timedelta(days=1))


def quarter(year: int, number: int) -> Period:
    """Calendar quarters: 1 is January to March."""
    first, last = month(year, 3 * number - 2), month(year, 3 * number)
    return Period(f"{first.first:%B} to {last.title}", first.first, last.last)


def quarter_of(day: date) -> Period:
    return quarter(day.year, (day.month - 1) // 3 + 1)


def _months_between(first: date, last: date) -> list[tuple[int, int]]:
    months, year, number = [], first.year, first.month
    while (year, number) <= (last.year, last.month):
        months.append((year, number))
        year, number = (year + 1, 1) if number == 12 else (year, number + 1)
    return months


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


class EventChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, event):
        return f"{govuk_date(event.starts_at)}: {event.title}"


class ReportForm(forms.Form):
    """Which events the report covers: one event, a month or quarter, or a
    campaign (any range of dates). Each is its own small GET form on the
    page; with none, the report covers this quarter."""

    event = EventChoiceField(
        label="Event", queryset=Event.objects.order_by("-starts_at", "-pk"), required=False
    )
    period = forms.ChoiceField(label="Month or quarter", required=False)
    start = forms.DateField(label="From", required=False, widget=forms.DateInput({"type": "date"}))
    end = forms.DateField(label="To", required=False, widget=forms.DateInput({"type": "date"}))

    def __init__(self, *args, today: date, span: tuple[date, date] | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        first, last = span or (today, today)
        months = _months_between(min(first, today), max(last, today))[::-1]
        quarters = sorted({(year, (number - 1) // 3 + 1) for year, number in months}, reverse=True)
        self.fields["period"].choices = [
            ("", "Choose a month or quarter"),
            ("Quarters", [(f"{y}-Q{q}", quarter(y, q).title) for y, q in quarters]),
            ("Months", [(f"{y}-{m:02d}", month(y, m).title) for y, m in months]),
        ]

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if (start is None) != (end is None) and not self.has_error("start"):
            raise forms.ValidationError("Enter both dates of the campaign")
        if start and end and start > end:
            raise forms.ValidationError("The campaign must end on or after its first day")
        return data

    def scope(self) -> Event | Period:
        """The event or period chosen, or this quarter."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        if data.get("event"):
            return data["event"]
        if data.get("start") and data.get("end"):
            title = f"Campaign from {_day(data['start'])} to {_day(data['end'])}"
            return Period(title, data["start"], data["end"])
        if data.get("period"):
            year, _, part = data["period"].partition("-")
            if part.startswith("Q"):
                return quarter(int(year), int(part[1:]))
            return month(int(year), int(part))
        return quarter_of(self.today)
