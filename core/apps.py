from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "core"

    def ready(self):
        from .groups import ensure_staff_groups

        # After every app's permissions exist (post_migrate runs per app;
        # each run is idempotent and the last one sees them all).
        post_migrate.connect(ensure_staff_groups, dispatch_uid="core.ensure_staff_groups")
