"""Equality monitoring: the answers, kept apart from who gave them.

Two tables that nothing joins:

- `QuestionnaireInvitation` sits on the identity side, beside the
  registration: when the questions were offered and whether they were
  answered, so one registration answers at most once. It says nothing about
  the answers and goes when the registration goes.
- `EqualityResponse` holds the answers with only the event and the month.
  No name, email, registration, IP address or time of day, and a random
  UUID key, so neither a field nor the order of the keys points back to a
  person.

Why the month and not the day: an event's registrations arrive over a few
weeks, a handful a day, and the invitation records when each registration
answered. A day-precise date would let anyone who can read both tables
match many answers to the single registration of that event that answered
that day. A month makes each group most of the event's registration
window, which is the least the event itself already reveals.
"""

import uuid

from django.db import models

from events.models import Event, Registration


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    PREFER_NOT_TO_SAY = "prefer_not_to_say", "Prefer not to say"


class GenderIdentity(models.TextChoices):
    SAME = "yes", "Yes"
    DIFFERENT = "no", "No"
    PREFER_NOT_TO_SAY = "prefer_not_to_say", "Prefer not to say"


class AgeBand(models.TextChoices):
    UNDER_18 = "under_18", "Under 18"
    FROM_18 = "18_24", "18 to 24"
    FROM_25 = "25_34", "25 to 34"
    FROM_35 = "35_44", "35 to 44"
    FROM_45 = "45_54", "45 to 54"
    FROM_55 = "55_64", "55 to 64"
    FROM_65 = "65_over", "65 or over"
    PREFER_NOT_TO_SAY = "prefer_not_to_say", "Prefer not to say"


class EthnicGroup(models.TextChoices):
    """The five high-level groups of the harmonised standard for England
    (the 2021 Census question)."""

    ASIAN = "asian", "Asian or Asian British"
    BLACK = "black", "Black, Black British, Caribbean or African"
    MIXED = "mixed", "Mixed or multiple ethnic groups"
    WHITE = "white", "White"
    OTHER = "other", "Other ethnic group"
    PREFER_NOT_TO_SAY = "prefer_not_to_say", "Prefer not to say"


class EthnicBackground(models.TextChoices):
    """The detailed categories, each within one group (its value starts with
    the group's value)."""

    INDIAN = "asian_indian", "Indian"
    PAKISTANI = "asian_pakistani", "Pakistani"
    BANGLADESHI = "asian_bangladeshi", "Bangladeshi"
    CHINESE = "asian_chinese", "Chinese"
    OTHER_ASIAN = "asian_other", "Any other Asian background"
    CARIBBEAN = "black_caribbean", "Caribbean"
    AFRICAN = "black_african", "African"
    OTHER_BLACK = "black_other", "Any other Black, Black British or Caribbean background"
    WHITE_BLACK_CARIBBEAN = "mixed_white_black_caribbean", "White and Black Caribbean"
    WHITE_BLACK_AFRICAN = "mixed_white_black_african", "White and Black African"
    WHITE_ASIAN = "mixed_white_asian", "White and Asian"
    OTHER_MIXED = "mixed_other", "Any other Mixed or multiple ethnic background"
    BRITISH = "white_british", "English, Welsh, Scottish, Northern Irish or British"
    IRISH = "white_irish", "Irish"
    GYPSY_OR_IRISH_TRAVELLER = "white_gypsy_traveller", "Gypsy or Irish Traveller"
    ROMA = "white_roma", "Roma"
    OTHER_WHITE = "white_other", "Any other White background"
    ARAB = "other_arab", "Arab"
    ANY_OTHER = "other_other", "Any other ethnic group"

    @classmethod
    def within(cls, group: str) -> list["EthnicBackground"]:
        return [background for background in cls if background.value.startswith(f"{group}_")]


class Disability(models.TextChoices):
    """Derived from the two harmonised-standard questions, as the Equality
    Act 2010 defines disability: a long-term condition that reduces the
    ability to carry out day-to-day activities."""

    DISABLED = "disabled", "Disabled (Equality Act 2010)"
    NOT_DISABLED = "not_disabled", "Not disabled"
    PREFER_NOT_TO_SAY = "prefer_not_to_say", "Prefer not to say"


class SexualOrientation(models.TextChoices):
    STRAIGHT = "straight", "Straight or heterosexual"
    GAY_OR_LESBIAN = "gay_lesbian", "Gay or lesbian"
    BISEXUAL = "bisexual", "Bisexual"
    OTHER = "other", "Other sexual orientation"
    PREFER_NOT_TO_SAY = "prefer_not_to_say", "Prefer not to say"


class Religion(models.TextChoices):
    NONE = "none", "No religion"
    CHRISTIAN = "christian", "Christian"
    BUDDHIST = "buddhist", "Buddhist"
    HINDU = "hindu", "Hindu"
    JEWISH = "jewish", "Jewish"
    MUSLIM = "muslim", "Muslim"
    SIKH = "sikh", "Sikh"
    OTHER = "other", "Any other religion"
    PREFER_NOT_TO_SAY = "prefer_not_to_say", "Prefer not to say"


def _answer(choices: type[models.TextChoices], verbose_name: str) -> models.CharField:
    return models.CharField(verbose_name, max_length=40, choices=choices, blank=True)


class QuestionnaireInvitation(models.Model):
    """The questions were offered to this registration and, once, answered.
    The only trace of the questionnaire on the identity side."""

    registration = models.OneToOneField(Registration, on_delete=models.CASCADE, related_name="+")
    offered_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # No one browses or edits these: services write them.
        default_permissions = ()

    def __str__(self):
        return f"Questionnaire for {self.registration_id}"


class EqualityResponse(models.Model):
    """One person's answers, with nothing that says whose they are."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="+")
    answered_month = models.DateField(help_text="The first day of the month of the answers.")
    sex = _answer(Sex, "sex")
    gender_identity = _answer(GenderIdentity, "gender identity same as sex registered at birth")
    age_band = _answer(AgeBand, "age")
    ethnic_group = _answer(EthnicGroup, "ethnic group")
    ethnic_background = _answer(EthnicBackground, "ethnic background")
    disability = _answer(Disability, "disability")
    sexual_orientation = _answer(SexualOrientation, "sexual orientation")
    religion = _answer(Religion, "religion")

    class Meta:
        # No view, change or delete permission exists, so no one can be
        # given a way to read one person's answers; the report is its own.
        default_permissions = ()

    def __str__(self):
        return "Equality monitoring answers"


class ReachReport(EqualityResponse):
    """The aggregate report on who our events reach: a name in the admin and
    the permission to open it, never a list of answers."""

    class Meta:
        proxy = True
        verbose_name = verbose_name_plural = "who our events reach"
        default_permissions = ()
        permissions = [("view_report", "Can view the equality monitoring report")]
