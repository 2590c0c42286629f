"""Form fields every public form asks the same way (GOV.UK wording)."""

from django import forms


def email_field(*, help_text: str) -> forms.EmailField:
    return forms.EmailField(
        label="Email address",
        help_text=help_text,
        max_length=254,
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
            "max_length": "Email address must be 254 characters or fewer",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
