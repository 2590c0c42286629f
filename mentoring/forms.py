import re

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import HTML, Field, Fixed, Fluid, Layout, Size, Submit
from django import forms

from core import tokens
from core.antispam import HumanCheckForm, human_check_layout
from core.forms import ReturnedValueField, email_field
from events.models import Role

from .models import ContactMethod, JourneyStage, SupportKind
from .services import SUPPORT_REQUIRED

NAME_MAX = 150
UNDER_REPRESENTED_MAX = 500
ANYTHING_ELSE_MAX = 1000
NOT_DECIDED = "not_decided"
SUBMISSION_KEY = re.compile(r"[A-Za-z0-9_-]{20,64}")

CONSENT_MISSING = "Confirm that you agree to us using your information to offer you support"
PHONE_NEEDED = "Enter a phone number, or choose to be contacted by email"
PHONE_INVALID = "Enter a phone number, like 01632 960 001 or +44 7700 900 982"


def _too_long(label: str, limit: int) -> str:
    return f"{label} must be {limit:,} characters or fewer"


class MentoringRequestForm(HumanCheckForm):
    """The request for support on /positive-action/. Validates and cleans
    only; request_support in services.py records it."""

    name = forms.CharField(
        label="Full name",
        max_length=NAME_MAX,
        error_messages={
            "required": "Enter your full name",
            "max_length": _too_long("Full name", NAME_MAX),
        },
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = email_field(help_text="We will send you a link to see or withdraw your request.")
    phone = forms.CharField(
        label="Phone number (optional)",
        help_text="We need it if you would like a phone call or a text message.",
        max_length=30,
        required=False,
        error_messages={"max_length": _too_long("Phone number", 30)},
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    contact_method = forms.ChoiceField(
        label="How would you like us to contact you?",
        choices=ContactMethod.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select how you would like us to contact you",
            "invalid_choice": "Select how you would like us to contact you",
        },
    )
    role = forms.ChoiceField(
        label="Which role are you interested in?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the role you are interested in, or that you have not decided",
            "invalid_choice": "Select the role you are interested in, or that you have not decided",
        },
    )
    journey_stage = forms.ChoiceField(
        label="Where are you in your journey to joining?",
        choices=JourneyStage.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select where you are in your journey to joining",
            "invalid_choice": "Select where you are in your journey to joining",
        },
    )
    support_kinds = forms.MultipleChoiceField(
        label="What support would you like?",
        help_text="Select all that apply.",
        choices=SupportKind.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": SUPPORT_REQUIRED, "invalid_choice": SUPPORT_REQUIRED},
    )
    under_represented = forms.CharField(
        label="Why do you feel under-represented in policing? (optional)",
        help_text=(
            "For example, you may be a woman, from a Black, Asian or minority ethnic background, "
            "or LGBT+. You do not have to tell us: we will support you either way."
        ),
        max_length=UNDER_REPRESENTED_MAX,
        required=False,
        error_messages={"max_length": _too_long("Your answer", UNDER_REPRESENTED_MAX)},
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    anything_else = forms.CharField(
        label="Anything else you would like us to know (optional)",
        help_text="For example, the best times to contact you.",
        max_length=ANYTHING_ELSE_MAX,
        required=False,
        error_messages={"max_length": _too_long("Anything else", ANYTHING_ELSE_MAX)},
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    consent = forms.BooleanField(
        label=(
            "I agree to the Positive Action team using the information in this request "
            "to contact me and offer me support"
        ),
        error_messages={"required": CONSENT_MISSING},
    )
    # Sent back as it came, so a double click or a refresh makes one request.
    submission_key = ReturnedValueField()

    field_order = [
        "name",
        "email",
        "contact_method",
        "phone",
        "role",
        "journey_stage",
        "support_kinds",
        "under_represented",
        "anything_else",
        "consent",
        "submission_key",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [
            *((role.code, role.name) for role in Role.objects.all()),
            (NOT_DECIDED, "I have not decided yet"),
        ]
        self.helper = FormHelper()
        self.helper.form_id = "mentoring-request-form"
        # Our own messages, in the error summary, not the browser's bubbles.
        self.helper.attrs = {"novalidate": ""}
        self.helper.layout = Layout(
            Field.text("name", field_width=Fluid.TWO_THIRDS, spellcheck="false"),
            Field.text("email", field_width=Fluid.TWO_THIRDS),
            Field.radios("contact_method", legend_size=Size.MEDIUM),
            Field.text("phone", field_width=Fixed.TWENTY),
            Field.radios("role", legend_size=Size.MEDIUM),
            Field.radios("journey_stage", legend_size=Size.MEDIUM),
            Field.checkboxes("support_kinds", legend_size=Size.MEDIUM),
            Field.textarea(
                "under_represented",
                label_size=Size.MEDIUM,
                rows=3,
                max_characters=UNDER_REPRESENTED_MAX,
                threshold=75,
            ),
            Field.textarea(
                "anything_else",
                label_size=Size.MEDIUM,
                rows=4,
                max_characters=ANYTHING_ELSE_MAX,
                threshold=75,
            ),
            HTML('{% include "mentoring/_consent_intro.html" %}'),
            Field.checkbox("consent"),
            Field("submission_key"),
            *human_check_layout(),
            Submit("submit", "Send request"),
        )

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        allowed = set("0123456789 +()-")
        digits = sum(character.isdigit() for character in phone)
        if phone and (not set(phone) <= allowed or not 7 <= digits <= 15):
            raise forms.ValidationError(PHONE_INVALID)
        return phone

    def clean_role(self):
        code = self.cleaned_data["role"]
        return None if code == NOT_DECIDED else Role.objects.filter(code=code).first()

    def clean_submission_key(self):
        # A missing or forged key is not the candidate's doing: give the
        # request a fresh one rather than an error they cannot fix.
        key = self.cleaned_data["submission_key"]
        return key if SUBMISSION_KEY.fullmatch(key) else tokens.new_token()

    def clean(self):
        cleaned = super().clean()
        wants_phone = cleaned.get("contact_method") in {ContactMethod.PHONE, ContactMethod.TEXT}
        if wants_phone and not cleaned.get("phone") and "phone" not in self.errors:
            self.add_error("phone", PHONE_NEEDED)
        return cleaned
