from datetime import datetime
from zoneinfo import ZoneInfo

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import HTML, Button, Field, Fixed, Fluid, Layout, Size, Submit
from django import forms
from django.utils import timezone
from django.utils.functional import cached_property

from core.antispam import HumanCheckForm, human_check_layout
from core.forms import email_field
from core.names import validate_name

from .models import Audience, EventFormat, HeardFrom, Role

LONDON = ZoneInfo("Europe/London")


def _next_months(count: int = 12) -> list[tuple[str, str]]:
    today = timezone.now().astimezone(LONDON).date()
    months, year, month = [], today.year, today.month
    for _ in range(count):
        first = datetime(year, month, 1, tzinfo=LONDON)
        months.append((f"{year:04d}-{month:02d}", f"{first:%B %Y}"))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


class EventFilterForm(forms.Form):
    """The filters on /events/: plain GET parameters, so they work without
    JavaScript and can be bookmarked or shared."""

    role = forms.ModelChoiceField(
        label="Role",
        queryset=Role.objects.all(),
        to_field_name="code",
        required=False,
        empty_label="Any role",
    )
    format = forms.ChoiceField(
        label="Format", choices=[("", "In person or online"), *EventFormat.choices], required=False
    )
    audience = forms.ChoiceField(
        label="Who it is for", choices=[("", "Any audience"), *Audience.choices], required=False
    )
    month = forms.ChoiceField(label="Month", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = [("", "Any month"), *_next_months()]
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_id = "event-filters"
        self.helper.layout = Layout(
            Field.select("role", css_class="govuk-!-width-full"),
            Field.select("format", css_class="govuk-!-width-full"),
            Field.select("audience", css_class="govuk-!-width-full"),
            Field.select("month", css_class="govuk-!-width-full"),
            Button("filter", "Show events", css_class="govuk-button--secondary"),
        )
        self.helper.label_size = Size.SMALL

    def clean_month(self):
        value = self.cleaned_data["month"]
        if not value:
            return None
        year, month = (int(part) for part in value.split("-"))
        return datetime(year, month, 1, tzinfo=LONDON)


NAME_MAX = 100
ACCESS_NEEDS_MAX = 1000


def _text(label: str, *, max_length: int, required: bool = True, missing: str = "", **attrs):
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        error_messages={
            "required": missing,
            "max_length": f"{label.split(' (')[0]} must be {max_length} characters or fewer",
        },
        widget=forms.TextInput(attrs=attrs),
    )


class CandidateDetailsForm(forms.Form):
    """The details a candidate gives and may later change."""

    first_name = _text(
        "First name",
        max_length=NAME_MAX,
        missing="Enter your first name",
        autocomplete="given-name",
    )
    last_name = _text(
        "Last name", max_length=NAME_MAX, missing="Enter your last name", autocomplete="family-name"
    )
    phone = forms.CharField(
        label="Phone number (optional)",
        help_text="We will only call if something changes at short notice.",
        max_length=30,
        required=False,
        error_messages={"max_length": "Phone number must be 30 characters or fewer"},
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    access_needs = forms.CharField(
        label="Access needs or adjustments (optional)",
        help_text="For example, step-free access, a British Sign Language interpreter or a quiet space.",
        max_length=ACCESS_NEEDS_MAX,
        required=False,
        error_messages={
            "max_length": f"Access needs must be {ACCESS_NEEDS_MAX} characters or fewer"
        },
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_first_name(self):
        return validate_name(self.cleaned_data["first_name"], label="your first name")

    def clean_last_name(self):
        return validate_name(self.cleaned_data["last_name"], label="your last name")

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        allowed = set("0123456789 +()-")
        digits = sum(character.isdigit() for character in phone)
        if phone and (not set(phone) <= allowed or not 7 <= digits <= 15):
            raise forms.ValidationError(
                "Enter a phone number, like 01632 960 001 or +44 7700 900 982"
            )
        return phone

    def details_layout(self):
        return [
            Field.text("first_name", field_width=Fluid.TWO_THIRDS, spellcheck="false"),
            Field.text("last_name", field_width=Fluid.TWO_THIRDS, spellcheck="false"),
        ]


class RegistrationForm(HumanCheckForm, CandidateDetailsForm):
    email = email_field(help_text="We will send your confirmation and reference here.")
    role = forms.ModelChoiceField(
        label="Which role are you most interested in?",
        queryset=Role.objects.all(),
        to_field_name="code",
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the role you are most interested in",
            "invalid_choice": "Select the role you are most interested in",
        },
    )
    heard_from = forms.ChoiceField(
        label="How did you hear about this event? (optional)",
        choices=HeardFrom.choices,
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": "Select how you heard about this event"},
    )
    privacy = forms.BooleanField(
        label="I have read the privacy notice",
        error_messages={"required": "Confirm that you have read the privacy notice"},
    )

    field_order = [
        "first_name",
        "last_name",
        "email",
        "phone",
        "role",
        "access_needs",
        "heard_from",
        "privacy",
    ]

    # The submit button's words; the view sets it once it knows the event is full.
    waiting_list = False

    def __init__(self, *args, event_roles=None, **kwargs):
        super().__init__(*args, **kwargs)
        if event_roles is not None:
            self.fields["role"].queryset = event_roles

    @cached_property
    def helper(self):
        """Built when the form is shown, not for a POST that succeeds."""
        helper = FormHelper()
        helper.form_id = "registration-form"
        # Our own messages, in the error summary, not the browser's bubbles.
        helper.attrs = {"novalidate": ""}
        helper.layout = Layout(
            *self.details_layout(),
            Field.text("email", field_width=Fluid.TWO_THIRDS),
            Field.text("phone", field_width=Fixed.TWENTY),
            Field.radios("role", legend_size=Size.MEDIUM),
            Field.textarea("access_needs", rows=3, max_characters=ACCESS_NEEDS_MAX, threshold=75),
            Field.radios("heard_from", legend_size=Size.MEDIUM, small=True),
            HTML('{% include "events/_privacy_intro.html" %}'),
            Field.checkbox("privacy"),
            *human_check_layout(),
            Submit("submit", "Join the waiting list" if self.waiting_list else "Register"),
        )
        return helper


class ChangeDetailsForm(CandidateDetailsForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_id = "change-details-form"
        self.helper.attrs = {"novalidate": ""}
        self.helper.layout = Layout(
            *self.details_layout(),
            Field.text("phone", field_width=Fixed.TWENTY),
            Field.textarea("access_needs", rows=3, max_characters=ACCESS_NEEDS_MAX, threshold=75),
            Submit("submit", "Save changes"),
        )
