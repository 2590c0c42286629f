"""The admin classes of the back office. Django's autodiscovery imports
this package; each module registers the models it shows."""

from . import alerts, events, outbox  # noqa: F401 - imported to register with the admin site
