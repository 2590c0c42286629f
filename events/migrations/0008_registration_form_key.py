from django.db import migrations, models

from ._sqlite_counts import around


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0007_event_copied_from"),
    ]

    operations = around(
        [
            migrations.AddField(
                model_name="registration",
                name="form_key",
                field=models.CharField(blank=True, default="", editable=False, max_length=64),
            ),
        ]
    )
