"""Settings for serving the site under load: the shared base settings run as in production (DEBUG off,
same middleware and database settings) but over plain HTTP on 127.0.0.1, with quiet logs and a bench URL."""

import warnings

from sn_site.settings.base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "bench-only-not-secret-safer-neighbourhoods"  # noqa: S105
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.urls"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# collectstatic has not run here: serve static names unhashed (the manifest storage would fail every HTML
# page), and keep WhiteNoise from warning about the missing STATIC_ROOT in every worker.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
warnings.filterwarnings("ignore", message="No directory at")

# Every request comes from 127.0.0.1, so the per-client API limit is raised out of the way; the
# throttle itself still runs on every API request, as in production.
REST_FRAMEWORK = {  # noqa: F405
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {**REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "anon": "1000000/second"},  # noqa: F405
}
# Likewise the per-client limit on survey answers (bench/survey_throughput.py), which runs on top of it.
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["survey_answers"] = "1000000/second"
# And the site-wide limit on posts to public forms.
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["public_forms"] = "1000000/second"
