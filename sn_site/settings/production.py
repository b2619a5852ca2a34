"""Production: refuses to start without a secret key, HTTPS everywhere."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import SECRET_KEY, env

if not SECRET_KEY:
    raise ImproperlyConfigured("Set SECRET_KEY in the environment: production will not start without it.")

if "CACHE_URL" not in env.ENVIRON:
    raise ImproperlyConfigured(
        "Set CACHE_URL (such as redis://host:6379/1): web processes and workers must share one cache, "
        "or a page published in one process goes on being served out of date by the others."
    )

DEBUG = False
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=63072000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
# Load balancers check health over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# Admins must use two-factor sign-in unless this is switched off.
SN_TWO_FACTOR_REQUIRED_FOR_ADMINS = env.bool("SN_TWO_FACTOR_REQUIRED_FOR_ADMINS", default=True)
# One JSON object a line for the log collector, unless LOG_FORMAT=text.
LOGGING["handlers"]["console"]["formatter"] = env.str("LOG_FORMAT", default="json")  # noqa: F405
