"""The floor: a bare Django project (no apps, no middleware, no database, one JSON view), served by
the same gunicorn as the site in bench/floor.py. Nothing Django serves can cost less, so the site's
throughput is given as a share of this one's, measured in the same run.

It is its own URLconf too: ROOT_URLCONF names this module."""

from django.http import JsonResponse
from django.urls import re_path

SECRET_KEY = "bench-only-not-secret-bare-django"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
DATABASES: dict = {}
ROOT_URLCONF = __name__
USE_TZ = True


def ok(request):
    return JsonResponse({"ok": True})


urlpatterns = [re_path(r"", ok)]
