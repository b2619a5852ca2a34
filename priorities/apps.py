from django.apps import AppConfig


class PrioritiesConfig(AppConfig):
    name = "priorities"
    verbose_name = "Local policing"

    def ready(self):
        from sn_site.page_cache import vary_on_cookie
        from sn_site.welcome import addresses_to_try

        from . import demo, my_area, signals

        signals.connect()
        vary_on_cookie(my_area.COOKIE)  # the home page leads with the remembered area's team
        addresses_to_try.connect(demo.ward_page_to_try, dispatch_uid="priorities-ward-page-to-try")
