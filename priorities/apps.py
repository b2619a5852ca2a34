from django.apps import AppConfig


class PrioritiesConfig(AppConfig):
    name = "priorities"
    verbose_name = "Local policing"

    def ready(self):
        from sn_site.welcome import addresses_to_try

        from . import demo, signals

        signals.connect()
        addresses_to_try.connect(demo.ward_page_to_try, dispatch_uid="priorities-ward-page-to-try")
