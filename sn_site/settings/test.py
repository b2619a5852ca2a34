"""Tests: fast hashing, in-memory email and cache; tasks run in-process unless a test says not."""

from .base import *  # noqa: F403
from .base import VAR_DIR, env

SECRET_KEY = "test-only-not-secret"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Tasks run in-process, except in a worker process a test starts (it queues further tasks for real).
CELERY_TASK_ALWAYS_EAGER = not env.bool("SN_TEST_WORKER", default=False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "test-media"

# Serve static files straight from the source folders, without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Pages and API answers are built afresh in tests; tests of the caches switch them on themselves.
SN_PAGE_CACHE_SECONDS = 0
SN_API_CACHE_SECONDS = 0

# A worker process started by a test sends its email to that test's local SMTP server.
if env.int("SN_TEST_SMTP_PORT", default=0):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST, EMAIL_PORT = "127.0.0.1", env.int("SN_TEST_SMTP_PORT")
    EMAIL_USE_TLS = EMAIL_USE_SSL = False
    EMAIL_HOST_USER = EMAIL_HOST_PASSWORD = ""
