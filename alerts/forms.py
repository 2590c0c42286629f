from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import HTML, Field, Fluid, Layout, Size, Submit
from django import forms

from core.antispam import HumanCheckForm, human_check_layout
from core.forms import email_field
from events.models import Role

from .models import FormatPreference

ROLES_MISSING = "Select at least one role"
FORMAT_MISSING = "Select in person, online, or both"


class AlertChoicesForm(forms.Form):
    """What a subscriber hears about: chosen when subscribing, changed later."""

    roles = forms.ModelMultipleChoiceField(
        label="Which roles do you want to hear about?",
        help_text="Select all that apply.",
        queryset=Role.objects.all(),
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": ROLES_MISSING, "invalid_choice": ROLES_MISSING},
    )
    format = forms.ChoiceField(
        label="Which events should we tell you about?",
        choices=[
            (FormatPreference.IN_PERSON, "In person only"),
            (FormatPreference.ONLINE, "Online only"),
            (FormatPreference.BOTH, "Both in person and online"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": FORMAT_MISSING, "invalid_choice": FORMAT_MISSING},
    )

    def choices_layout(self):
        return [
            Field.checkboxes("roles", legend_size=Size.MEDIUM),
            Field.radios("format", legend_size=Size.MEDIUM),
        ]


class SubscribeForm(HumanCheckForm, AlertChoicesForm):
    email = email_field(help_text="We will email you a link to check that the address is yours.")
    consent = forms.BooleanField(
        label="I want emails about new insight events, and I know I can stop them at any time",
        error_messages={"required": "Confirm that you want emails about new insight events"},
    )

    field_order = ["email", "roles", "format", "consent"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_id = "alerts-form"
        # Our own messages, in the error summary, not the browser's bubbles.
        self.helper.attrs = {"novalidate": ""}
        self.helper.layout = Layout(
            Field.text("email", field_width=Fluid.TWO_THIRDS),
            *self.choices_layout(),
            HTML('{% include "alerts/_privacy_intro.html" %}'),
            Field.checkbox("consent"),
            *human_check_layout(),
            Submit("submit", "Send me event alerts"),
        )


class ManageAlertsForm(AlertChoicesForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_id = "manage-alerts-form"
        self.helper.attrs = {"novalidate": ""}
        self.helper.layout = Layout(*self.choices_layout(), Submit("submit", "Save changes"))
