"""The record that a subject access export or an erasure was done: what,
when, by whom and how many records of each kind, and nothing about whom it
was for. Not the address, and nothing derived from it (a hash of an address
can be matched against a list of addresses, so it is still personal data):
an entry that named the person would keep them on file after their
erasure."""

from django.db import models
from django.utils import timezone


class AuditAction(models.TextChoices):
    EXPORT = "export", "Export (subject access)"
    ERASE = "erase", "Erasure on request"


class AuditEntry(models.Model):
    action = models.CharField(max_length=20, choices=AuditAction)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    counts = models.JSONField(
        default=dict, blank=True, help_text="How many records of each kind: {kind: number}."
    )
    operator = models.CharField(
        max_length=150, help_text="Who ran the command: their login on the server, or --by."
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "personal data audit entry"
        verbose_name_plural = "personal data audit entries"
        # Only superusers read these (admin.py); nobody can be given a way to change them.
        default_permissions = ()

    def __str__(self):
        return (
            f"{self.get_action_display()} on {timezone.localtime(self.created_at):%d %b %Y %H:%M}"
        )
