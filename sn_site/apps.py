from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "sn_site"
    verbose_name = "Site"
