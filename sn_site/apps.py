from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "sn_site"
    verbose_name = "Site"

    def ready(self):
        from . import page_cache

        page_cache.connect()
