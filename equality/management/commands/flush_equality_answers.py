"""What beat does every five minutes, once, now: move the pooled equality
answers into the report's table in shuffled batches and close the answers of
events whose registration has closed. For `make run`, which has no beat, and
for operators."""

from django.core.management.base import BaseCommand

from equality import services


class Command(BaseCommand):
    help = (
        "Move pooled equality answers into the report in shuffled batches, and close "
        "the answers of events whose registration has closed."
    )

    def handle(self, *args, **options):
        flushed = services.flush_answer_pool()
        if flushed.moved or flushed.closed:
            services.vacuum_answer_tables()
        self.stdout.write(
            f"{flushed.moved} pooled answer(s) moved; "
            f"answers closed for {len(flushed.closed)} event(s)."
        )
