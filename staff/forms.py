"""Forms for the staff admin: the event form's reminder schedule, and the
forms behind duplicate, email registrants, register by phone and walk-in.
They validate and clean only; the views call the services."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fluid, Layout, Submit
from django import forms
from django.utils import timezone

from events import services
from events.forms import CandidateDetailsForm
from events.models import Event, HeardFrom

LONDON = ZoneInfo("Europe/London")

REMINDER_CHOICES = [
    (168, "1 week before"),
    (72, "3 days before"),
    (48, "2 days before"),
    (24, "1 day before"),
    (4, "4 hours before"),
    (2, "2 hours before"),
    (1, "1 hour before"),
]
SUBJECT_MAX = 150
MESSAGE_MAX = 5000


def _hours_label(hours: float) -> str:
    return f"{hours:g} hours before"


def _number(value: str) -> int | float:
    number = float(value)
    return int(number) if number.is_integer() else number


class ReminderHoursField(forms.TypedMultipleChoiceField):
    """The reminder schedule as tick boxes rather than raw JSON."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        for name in ("encoder", "decoder", "max_length", "required"):
            kwargs.pop(name, None)
        super().__init__(
            choices=REMINDER_CHOICES, coerce=_number, required=False, empty_value=[], **kwargs
        )

    def prepare_value(self, value):
        return [str(_number(str(hours))) for hours in value or []]


def _label_split_date_times(form: forms.Form) -> None:
    """The admin's date-and-time fields are two boxes under one label that
    points at neither: name each box for screen readers (WCAG 1.3.1)."""
    for field in form.fields.values():
        widgets = getattr(field.widget, "widgets", None)
        if isinstance(field, forms.SplitDateTimeField) and widgets and len(widgets) == 2:
            widgets[0].attrs["aria-label"] = f"{field.label}: date"
            widgets[1].attrs["aria-label"] = f"{field.label}: time"


class EventAdminForm(forms.ModelForm):
    """The event form: a friendlier reminder schedule, and registration
    times that make sense together."""

    # A link typed without its scheme is taken as https (video services'
    # links all are), not Django's http default.
    online_joining_url = forms.URLField(
        label=Event._meta.get_field("online_joining_url").verbose_name.capitalize(),
        help_text=Event._meta.get_field("online_joining_url").help_text,
        max_length=500,
        required=False,
        assume_scheme="https",
    )

    class Meta:
        model = Event
        # The admin narrows these to its fieldsets.
        fields = [
            *["title", "slug", "summary", "description", "roles", "audience"],
            *["starts_at", "ends_at", "registration_opens_at", "registration_closes_at"],
            *["format", "venue_name", "address", "travel_notes", "access_notes"],
            *["online_joining_url", "online_joining_details"],
            *["capacity", "reminder_hours", "cancellation_message"],
        ]
        field_classes = {"reminder_hours": ReminderHoursField}
        # A handful of roles: tick boxes read better than a two-list picker.
        widgets = {"roles": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _label_split_date_times(self)
        field = self.fields.get("reminder_hours")
        if field is not None:
            field.label = "Reminders"
            field.help_text = "When reminder emails go to everyone with a place."
            known = {hours for hours, _ in REMINDER_CHOICES}
            current = self.instance.reminder_hours if self.instance.pk else []
            # Keep any other schedule an event already has, so saving never drops it.
            extra = [(h, _hours_label(h)) for h in current or [] if h not in known]
            field.choices = sorted([*REMINDER_CHOICES, *extra], key=lambda c: -float(c[0]))

    def clean(self):
        data = super().clean()
        starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
        opens_at, closes_at = data.get("registration_opens_at"), data.get("registration_closes_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", "The event must end after it starts.")
        if opens_at and closes_at and closes_at <= opens_at:
            self.add_error("registration_closes_at", "Registration must close after it opens.")
        if closes_at and ends_at and closes_at > ends_at:
            self.add_error("registration_closes_at", "Registration must close before the end.")
        return data


def london(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=LONDON)


class DuplicateEventForm(forms.Form):
    title = forms.CharField(max_length=150, help_text="Candidates see the date beside it.")
    day = forms.DateField(label="New date", widget=forms.DateInput(attrs={"type": "date"}))
    start = forms.TimeField(label="Starts at", widget=forms.TimeInput(attrs={"type": "time"}))
    end = forms.TimeField(label="Ends at", widget=forms.TimeInput(attrs={"type": "time"}))

    def __init__(self, *args, event: Event, **kwargs):
        local_start = timezone.localtime(event.starts_at, LONDON)
        local_end = timezone.localtime(event.ends_at, LONDON)
        kwargs.setdefault(
            "initial",
            {"title": event.title, "start": local_start.time(), "end": local_end.time()},
        )
        super().__init__(*args, **kwargs)
        self.fields["start"].widget.format = "%H:%M"
        self.fields["end"].widget.format = "%H:%M"

    def clean(self):
        data = super().clean()
        if {"day", "start", "end"} <= data.keys():
            data["starts_at"] = london(data["day"], data["start"])
            data["ends_at"] = london(data["day"], data["end"])
            if data["ends_at"] <= data["starts_at"]:
                self.add_error("end", "The event must end after it starts.")
            elif data["starts_at"] <= timezone.now():
                self.add_error("day", services.DUPLICATE_IN_PAST)
        return data


class ScheduleSeriesForm(forms.Form):
    """A run of draft copies: a first date, how often, how many."""

    EVERY = [(7, "Every week"), (14, "Every two weeks"), (28, "Every four weeks")]

    first_day = forms.DateField(
        label="First new date", widget=forms.DateInput(attrs={"type": "date"})
    )
    start = forms.TimeField(label="Starts at", widget=forms.TimeInput(attrs={"type": "time"}))
    end = forms.TimeField(label="Ends at", widget=forms.TimeInput(attrs={"type": "time"}))
    every = forms.TypedChoiceField(
        label="How often", choices=EVERY, coerce=int, initial=7, widget=forms.RadioSelect
    )
    count = forms.IntegerField(
        label="How many new events",
        min_value=1,
        max_value=services.SERIES_MAX,
        initial=6,
        help_text=f"Counting the first new date; at most {services.SERIES_MAX}.",
        error_messages={
            "min_value": "Enter at least 1.",
            "max_value": services.SERIES_TOO_LONG,
        },
    )

    def __init__(self, *args, event: Event, **kwargs):
        local_start = timezone.localtime(event.starts_at, LONDON)
        local_end = timezone.localtime(event.ends_at, LONDON)
        kwargs.setdefault("initial", {"start": local_start.time(), "end": local_end.time()})
        super().__init__(*args, **kwargs)
        self.fields["start"].widget.format = "%H:%M"
        self.fields["end"].widget.format = "%H:%M"

    def clean(self):
        data = super().clean()
        if {"first_day", "start", "end", "every", "count"} <= data.keys():
            days = [
                data["first_day"] + timedelta(days=data["every"] * n) for n in range(data["count"])
            ]
            # Combined in London time, so 7pm stays 7pm when the clocks change.
            data["dates"] = [(london(day, data["start"]), london(day, data["end"])) for day in days]
            if data["dates"][0][1] <= data["dates"][0][0]:
                self.add_error("end", services.EVENT_MUST_END_AFTER_START)
            elif data["dates"][0][0] <= timezone.now():
                self.add_error("first_day", services.DUPLICATE_IN_PAST)
        return data


class EmailRegistrantsForm(forms.Form):
    audiences = forms.MultipleChoiceField(
        label="Send to",
        choices=services.MessageAudience.CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": services.NO_RECIPIENTS_CHOSEN},
        help_text="Never to anyone who cancelled. Someone in two groups gets one email.",
    )
    subject = forms.CharField(max_length=SUBJECT_MAX, widget=forms.TextInput(attrs={"size": 60}))
    message = forms.CharField(
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 10, "cols": 70}),
        help_text=(
            "Plain text; blank lines split paragraphs. Each email starts “Dear” and the "
            "person’s first name (a first line of your own such as “Hello,” is left out), "
            "and ends with the event details and their own link to their registration."
        ),
    )

    def __init__(self, *args, counts: dict[str, int] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if counts is not None:
            self.fields["audiences"].choices = [
                (value, f"{label} ({counts.get(value, 0)})")
                for value, label in services.MessageAudience.CHOICES
            ]


class PhoneRegistrationForm(CandidateDetailsForm):
    """What staff ask someone who phones to register: the same as the
    online form, with the privacy notice read out instead of ticked."""

    email = forms.EmailField(label="Email address", max_length=254)
    role = forms.ModelChoiceField(label="Role they are most interested in", queryset=None)
    heard_from = forms.ChoiceField(label="How they heard about the event", choices=HeardFrom)
    privacy_told = forms.BooleanField(
        label="I have told them how we use their details (the privacy notice)",
        error_messages={"required": "Tell them about the privacy notice, then tick the box"},
    )
    field_order = [
        *["first_name", "last_name", "email", "phone", "role", "access_needs"],
        *["heard_from", "privacy_told"],
    ]

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = event.roles.all()
        self.fields["phone"].label = "Phone number (optional)"
        self.fields["phone"].help_text = ""


class WalkInForm(forms.Form):
    first_name = forms.CharField(
        max_length=100, error_messages={"required": "Enter their first name"}
    )
    last_name = forms.CharField(
        max_length=100, error_messages={"required": "Enter their last name"}
    )
    email = forms.EmailField(
        error_messages={
            "required": "Enter their email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
        label="Email address",
        max_length=254,
        help_text="So we can send them how to apply. If they registered, they are checked in.",
    )
    role = forms.ModelChoiceField(
        label="Role they are most interested in",
        queryset=None,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the role they are most interested in"},
    )
    over_booking = forms.BooleanField(
        required=False,
        label="Every place is booked: let them in anyway (there is room because people have not come)",
    )

    def __init__(self, *args, event: Event, fully_booked: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = event.roles.all()
        self.fields["role"].empty_label = None
        self.helper = FormHelper()
        self.helper.form_id = "walk-in-form"
        self.helper.attrs = {"novalidate": ""}
        layout = [
            Field.text("first_name", field_width=Fluid.FULL, spellcheck="false"),
            Field.text("last_name", field_width=Fluid.FULL, spellcheck="false"),
            Field.text("email", field_width=Fluid.FULL, spellcheck="false"),
            Field.radios("role", small=True),
        ]
        if fully_booked:
            layout.append(Field.checkbox("over_booking"))
        else:
            del self.fields["over_booking"]
        self.helper.layout = Layout(*layout, Submit("submit", "Check them in"))
