from django.apps import AppConfig
from django.urls import reverse_lazy


class NewslettersConfig(AppConfig):
    name = "newsletters"
    verbose_name = "Newsletters"

    def ready(self):
        from sn_site.security import public_form_limit_exempt

        # The email service's bounces and complaints: its shared secret is the check, and it sends
        # many events at once.
        public_form_limit_exempt(reverse_lazy("newsletters:delivery_events"))
