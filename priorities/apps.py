from django.apps import AppConfig


class PrioritiesConfig(AppConfig):
    name = "priorities"
    verbose_name = "Local policing"

    def ready(self):
        from sn_site.page_cache import page_cache_varies_on
        from sn_site.welcome import addresses_to_try

        from . import demo, my_area, signals

        signals.connect()
        # The home page differs for visitors who asked it to remember their area.
        page_cache_varies_on(my_area.COOKIE)
        addresses_to_try.connect(demo.ward_page_to_try, dispatch_uid="priorities-ward-page-to-try")
