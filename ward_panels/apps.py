from django.apps import AppConfig


class WardPanelsConfig(AppConfig):
    name = "ward_panels"
    verbose_name = "Ward panels"

    def ready(self):
        from . import signals

        signals.connect()
