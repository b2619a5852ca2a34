from django.apps import AppConfig


class PrioritiesConfig(AppConfig):
    name = "priorities"
    verbose_name = "Local policing"

    def ready(self):
        from . import signals

        signals.connect()
