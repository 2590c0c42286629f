from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = "Event alerts"

    def ready(self):
        from . import confirm_emails

        confirm_emails.register()
