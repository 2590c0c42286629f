"""What beat does every minute, once, now: start the alert run of every newly
published event. For `make run`, which has no beat, and for operators."""

from django.core.management.base import BaseCommand

from alerts import services


class Command(BaseCommand):
    help = "Start the alert run of every event that takes registrations and has none yet."

    def handle(self, *args, **options):
        runs = services.start_event_alerts()
        for run in runs:
            self.stdout.write(f"{run.event}: alerting {run.total} subscriber(s)")
        self.stdout.write(f"{len(runs)} alert run(s) started.")
