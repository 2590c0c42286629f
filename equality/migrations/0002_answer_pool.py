"""Equality answers unlinkable in the database: the pool (PendingResponse),
events whose answers are final (ClosedEvent), and in place of the
invitation beside each registration a keyed mark of the registrations that
answered (AnsweredMark); no month on the answers. Answers already stored
stay until their event's answers close; then the first flush
(services.flush_answer_pool) writes them again together, which also clears
the dropped month out of their rows (PostgreSQL leaves a dropped column's
data in place until a row is written again). Events already closed are done
by the first flush after this.
"""

import uuid

import django.db.models.deletion
from django.db import migrations, models
from django.utils.crypto import salted_hmac


def mark_answered(apps, schema_editor):
    """Keep that each registration answered, not when nor which one without
    the key: as equality.models.answered_fingerprints does, with SECRET_KEY."""
    invitation = apps.get_model("equality", "QuestionnaireInvitation")
    mark = apps.get_model("equality", "AnsweredMark")
    answered = invitation.objects.filter(answered_at__isnull=False)
    mark.objects.bulk_create(
        mark(
            fingerprint=salted_hmac(
                "equality.AnsweredMark", str(registration_id), algorithm="sha256"
            ).hexdigest()
        )
        for registration_id in answered.values_list("registration_id", flat=True)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("equality", "0001_initial"),
        ("events", "0004_event_counts"),
    ]

    operations = [
        migrations.CreateModel(
            name="AnsweredMark",
            fields=[
                ("fingerprint", models.CharField(max_length=64, primary_key=True, serialize=False)),
            ],
            options={
                "default_permissions": (),
            },
        ),
        migrations.CreateModel(
            name="ClosedEvent",
            fields=[
                (
                    "event",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="events.event",
                    ),
                ),
            ],
            options={
                "default_permissions": (),
            },
        ),
        migrations.RunPython(mark_answered, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="equalityresponse",
            name="answered_month",
        ),
        migrations.CreateModel(
            name="PendingResponse",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                (
                    "sex",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("female", "Female"),
                            ("male", "Male"),
                            ("prefer_not_to_say", "Prefer not to say"),
                        ],
                        max_length=40,
                        verbose_name="sex",
                    ),
                ),
                (
                    "gender_identity",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("yes", "Yes"),
                            ("no", "No"),
                            ("prefer_not_to_say", "Prefer not to say"),
                        ],
                        max_length=40,
                        verbose_name="gender identity same as sex registered at birth",
                    ),
                ),
                (
                    "age_band",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("under_18", "Under 18"),
                            ("18_24", "18 to 24"),
                            ("25_34", "25 to 34"),
                            ("35_44", "35 to 44"),
                            ("45_54", "45 to 54"),
                            ("55_64", "55 to 64"),
                            ("65_over", "65 or over"),
                            ("prefer_not_to_say", "Prefer not to say"),
                        ],
                        max_length=40,
                        verbose_name="age",
                    ),
                ),
                (
                    "ethnic_group",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("asian", "Asian or Asian British"),
                            ("black", "Black, Black British, Caribbean or African"),
                            ("mixed", "Mixed or multiple ethnic groups"),
                            ("white", "White"),
                            ("other", "Other ethnic group"),
                            ("prefer_not_to_say", "Prefer not to say"),
                        ],
                        max_length=40,
                        verbose_name="ethnic group",
                    ),
                ),
                (
                    "ethnic_background",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("asian_indian", "Indian"),
                            ("asian_pakistani", "Pakistani"),
                            ("asian_bangladeshi", "Bangladeshi"),
                            ("asian_chinese", "Chinese"),
                            ("asian_other", "Any other Asian background"),
                            ("black_caribbean", "Caribbean"),
                            ("black_african", "African"),
                            (
                                "black_other",
                                "Any other Black, Black British or Caribbean background",
                            ),
                            ("mixed_white_black_caribbean", "White and Black Caribbean"),
                            ("mixed_white_black_african", "White and Black African"),
                            ("mixed_white_asian", "White and Asian"),
                            ("mixed_other", "Any other Mixed or multiple ethnic background"),
                            (
                                "white_british",
                                "English, Welsh, Scottish, Northern Irish or British",
                            ),
                            ("white_irish", "Irish"),
                            ("white_gypsy_traveller", "Gypsy or Irish Traveller"),
                            ("white_roma", "Roma"),
                            ("white_other", "Any other White background"),
                            ("other_arab", "Arab"),
                            ("other_other", "Any other ethnic group"),
                        ],
                        max_length=40,
                        verbose_name="ethnic background",
                    ),
                ),
                (
                    "disability",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("disabled", "Disabled (Equality Act 2010)"),
                            ("not_disabled", "Not disabled"),
                            ("prefer_not_to_say", "Prefer not to say"),
                        ],
                        max_length=40,
                        verbose_name="disability",
                    ),
                ),
                (
                    "sexual_orientation",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("straight", "Straight or heterosexual"),
                            ("gay_lesbian", "Gay or lesbian"),
                            ("bisexual", "Bisexual"),
                            ("other", "Other sexual orientation"),
                            ("prefer_not_to_say", "Prefer not to say"),
                        ],
                        max_length=40,
                        verbose_name="sexual orientation",
                    ),
                ),
                (
                    "religion",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("none", "No religion"),
                            ("christian", "Christian"),
                            ("buddhist", "Buddhist"),
                            ("hindu", "Hindu"),
                            ("jewish", "Jewish"),
                            ("muslim", "Muslim"),
                            ("sikh", "Sikh"),
                            ("other", "Any other religion"),
                            ("prefer_not_to_say", "Prefer not to say"),
                        ],
                        max_length=40,
                        verbose_name="religion",
                    ),
                ),
                (
                    "event",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="events.event",
                    ),
                ),
            ],
            options={
                "default_permissions": (),
            },
        ),
        migrations.DeleteModel(
            name="QuestionnaireInvitation",
        ),
    ]
