from django.apps import AppConfig


class GeographyConfig(AppConfig):
    name = "geography"
    verbose_name = "London's geography"
