"""People's names: what a name field accepts, and how an email quotes one.

A name is letters in any script (with their accents and combining marks),
spaces, hyphens and apostrophes, straight or curly: Ó Súilleabháin, Nguyễn,
王芳, O'Brien, d’Arcy, Jean-Luc. Nothing else: no digits, full stops,
colons, slashes or "@", so a name can never be a link, an address or a
phone number in the emails that greet people by it."""

import unicodedata

from django.core.exceptions import ValidationError

# Hyphen-minus, hyphen, non-breaking hyphen.
HYPHENS = frozenset("-\u2010\u2011")
# Straight, right and left single quotation marks (the modifier letter
# apostrophe ʼ and the ʻokina are letters already).
APOSTROPHES = frozenset("'\u2019\u2018")
# Zero-width non-joiner and joiner: part of how some scripts (Persian,
# several Indic ones) spell a name. Every other format character (the
# direction overrides that can disguise text among them) is refused.
JOINERS = frozenset("\u200c\u200d")


def name_invalid(label: str) -> str:
    """The message at the field: "Enter your first name using letters, ..."."""
    return f"Enter {label} using letters, spaces, hyphens and apostrophes only"


def clean_name(value: str) -> str:
    """The name as typed, with runs of spaces (any kind) made one and the
    ends trimmed: never longer than what was typed, so a form's max_length
    still holds (Unicode normalisation can lengthen a name). Validate with
    is_name() afterwards."""
    return " ".join(value.split())


def is_name(value: str) -> bool:
    """True if `value` has a letter and only letters (with their marks),
    spaces, hyphens and apostrophes."""
    has_letter = False
    for character in value:
        category = unicodedata.category(character)
        if category.startswith("L"):
            has_letter = True
        elif not (
            category.startswith("M")
            or character == " "
            or character in HYPHENS
            or character in APOSTROPHES
            or character in JOINERS
        ):
            return False
    return has_letter


def validate_name(value: str, *, label: str) -> str:
    """The cleaned name, or ValidationError(name_invalid(label))."""
    cleaned = clean_name(value)
    if not is_name(cleaned):
        raise ValidationError(name_invalid(label), code="invalid_name")
    return cleaned


def check_names(**names: str) -> None:
    """For a service, whichever form called it: raise one ValidationError
    naming each field whose value is not a name, keyed as the forms name
    the fields (first_name, last_name, name), so a view's
    form.add_error(None, error) shows each message at its field."""
    labels = {"first_name": "a first name", "last_name": "a last name", "name": "a full name"}
    errors = {
        field: ValidationError(name_invalid(labels.get(field, "a name")), code="invalid_name")
        for field, value in names.items()
        if not is_name(clean_name(value))
    }
    if errors:
        raise ValidationError(errors)


def greeting(name: str) -> str:
    """How an email opens. The name as stored, only if it is one: a row
    saved before names were checked (or by a path that skipped the check)
    is greeted without it, so no text typed as a name reads as ours."""
    cleaned = clean_name(name or "")
    return f"Dear {cleaned}," if cleaned and is_name(cleaned) else "Hello,"
