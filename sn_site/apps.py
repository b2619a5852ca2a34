from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "sn_site"
    verbose_name = "Site"

    def ready(self):
        from . import compare, page_cache  # noqa: F401 (compare registers how the admin compares dates)

        page_cache.connect()
