"""Form fields every public form asks the same way (GOV.UK wording)."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator

EMAIL_MAX_LENGTH = 254
EMAIL_TOO_LONG = f"Email address must be {EMAIL_MAX_LENGTH} characters or fewer"


def _fits_when_case_folded(value: str) -> None:
    # One registration or subscription per address is kept by storing the
    # address case-folded beside it, in a column of the same length, and
    # folding can lengthen it ("ß" becomes "ss", "ﬃ" becomes "ffi"): such an
    # address would otherwise pass the form and fail the database. Longer
    # addresses are already refused by max_length, once.
    if len(value) <= EMAIL_MAX_LENGTH < len(value.casefold()):
        raise ValidationError(EMAIL_TOO_LONG, code="max_length")


def email_field(*, help_text: str) -> forms.EmailField:
    return forms.EmailField(
        label="Email address",
        help_text=help_text,
        max_length=EMAIL_MAX_LENGTH,
        validators=[_fits_when_case_folded],
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
            "max_length": EMAIL_TOO_LONG,
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )


class ReturnedValueField(forms.CharField):
    """A value a public form's page sets and expects back untouched, in an
    input people never fill: the signed start time, a submission key, the
    honeypot. The form's own check decides what a changed one means (a bot,
    a fresh key), so it is never an error at a field the candidate cannot
    see or fix, as a NUL character would otherwise make it."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)
        self.validators = [
            validator
            for validator in self.validators
            if not isinstance(validator, ProhibitNullCharactersValidator)
        ]
