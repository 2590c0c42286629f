from django.apps import AppConfig


class StaffConfig(AppConfig):
    """The back office: admin classes and views, check-in, dashboard,
    charts and exports. It may import the domain apps; none imports it."""

    name = "staff"
    verbose_name = "Back office"
