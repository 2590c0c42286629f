"""Equality monitoring: the answers, kept apart from who gave them.

Tables that nothing joins:

- `AnsweredMark`: a registration answered, so that it answers at most
  once; a keyed hash of the registration's id (SECRET_KEY), with no event
  and no time, so that the database alone does not say who answered (and
  so cannot name the one person who answered for a small event).
- `PendingResponse` is the pool: answers just given, waiting to be moved.
  Written in a transaction of its own, never the one that writes the mark.
- `EqualityResponse` holds the answers with only the event: no name, email,
  registration, IP address, date or time, and a random UUID key.
- `ClosedEvent` says an event's answers are final: its registration has
  closed, its pool has been moved in and no answer is taken any more. Only
  these events are reported.

Why a pool: PostgreSQL stamps every row with the transaction that wrote it
(`xmin`) and stores rows in the order they were written (`ctid`; SQLite's
`rowid`), and registrations are made, and mostly answer, in order.
Answers written one by one would sit in the order people registered and
could be matched to the registrations. The pool is moved into
`EqualityResponse` in batches (services.flush_answer_pool): every answer in
a batch is written by one transaction in a random order, and when an
event's answers close, all of its answers are written again together, so
its rows share one `xmin` and their order is random. While answers wait in
the pool (until ten have gathered for the event, or its registration has
closed), their order still follows the registrations' and their `xmin`
the marks': that window is the one place they can be matched.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.crypto import salted_hmac

from events.models import Event


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


# What the keyed fingerprint of a registration that answered is made with
# (django.utils.crypto.salted_hmac, with SECRET_KEY).
ANSWERED_SALT = "equality.AnsweredMark"


def answered_fingerprints(registration_id: int) -> list[str]:
    """The fingerprint of this registration under SECRET_KEY, then under each
    of SECRET_KEY_FALLBACKS (so a key rotation lets nobody answer twice).
    The first is the one to write."""
    keys = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    return [
        salted_hmac(ANSWERED_SALT, str(registration_id), secret=key, algorithm="sha256").hexdigest()
        for key in keys
    ]


class AnsweredMark(models.Model):
    """A registration answered the questions, so it is not asked twice: a
    keyed hash of its id, with no event, no time and no key of ours. Only
    someone who holds the site's SECRET_KEY can tell which registration a
    mark stands for; to someone who reads only the database, anyone
    registered for any event may have answered."""

    fingerprint = models.CharField(max_length=64, primary_key=True)

    class Meta:
        default_permissions = ()

    def __str__(self):
        return "A registration answered the equality questions"


class Answers(models.Model):
    """The answers and their event: what the pool and the responses share."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="+")
    sex = _answer(Sex, "sex")
    gender_identity = _answer(GenderIdentity, "gender identity same as sex registered at birth")
    age_band = _answer(AgeBand, "age")
    ethnic_group = _answer(EthnicGroup, "ethnic group")
    ethnic_background = _answer(EthnicBackground, "ethnic background")
    disability = _answer(Disability, "disability")
    sexual_orientation = _answer(SexualOrientation, "sexual orientation")
    religion = _answer(Religion, "religion")

    class Meta:
        abstract = True


class PendingResponse(Answers):
    """Answers waiting in the pool to be moved, in a shuffled batch, into
    EqualityResponse. Rows live here minutes to weeks (see the module
    docstring), never longer than the event's registration."""

    class Meta:
        default_permissions = ()

    def __str__(self):
        return "Equality monitoring answers waiting to be counted"


class EqualityResponse(Answers):
    """One person's answers, with nothing that says whose they are."""

    class Meta:
        # No view, change or delete permission exists, so no one can be
        # given a way to read one person's answers; the report is its own.
        default_permissions = ()

    def __str__(self):
        return "Equality monitoring answers"


class ClosedEvent(models.Model):
    """The event's answers are final: they are all in EqualityResponse,
    written together, and no more are taken, whatever later happens to the
    event. The report shows only these events, so comparing it over time
    shows nobody's answers arriving."""

    event = models.OneToOneField(
        Event, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )

    class Meta:
        default_permissions = ()

    def __str__(self):
        return f"Answers closed for {self.event_id}"


class ReachReport(EqualityResponse):
    """The aggregate report on who our events reach: a name in the admin and
    the permission to open it, never a list of answers."""

    class Meta:
        proxy = True
        verbose_name = verbose_name_plural = "who our events reach"
        default_permissions = ()
        permissions = [("view_report", "Can view the equality monitoring report")]
