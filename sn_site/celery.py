"""The Celery app. Configuration comes from Django settings prefixed CELERY_."""

import os

from celery import Celery

# Workers are deployed like the web tier: production settings unless told otherwise.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sn_site.settings.production")

app = Celery("sn_site")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
