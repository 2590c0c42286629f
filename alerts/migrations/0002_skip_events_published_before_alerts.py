"""Events published before alerts existed get a skipped run, so the first
beat after this ships does not announce the whole programme as new: alerts
go only for events published (or whose registration opens) from now on."""

from django.db import migrations
from django.utils import timezone


def skip_published_events(apps, schema_editor):
    Event = apps.get_model("events", "Event")
    EventAlertRun = apps.get_model("alerts", "EventAlertRun")
    now = timezone.now()
    EventAlertRun.objects.bulk_create(
        EventAlertRun(
            event_id=event_id,
            status="skipped",
            started_at=now,
            progressed_at=now,
            finished_at=now,
        )
        for event_id in Event.objects.filter(status="published").values_list("pk", flat=True)
    )


class Migration(migrations.Migration):
    dependencies = [("alerts", "0001_initial")]

    operations = [migrations.RunPython(skip_published_events, migrations.RunPython.noop)]
