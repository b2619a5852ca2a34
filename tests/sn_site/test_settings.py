"""Each environment's settings, loaded in a fresh process as a deployment would load them."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import json; from django.conf import settings as s; print(json.dumps({"
    "'db': s.DATABASES['default']['ENGINE'], 'eager': s.CELERY_TASK_ALWAYS_EAGER, "
    "'broker': s.CELERY_BROKER_URL, 'email': s.EMAIL_BACKEND, 'email_host': s.EMAIL_HOST, "
    "'email_port': s.EMAIL_PORT, 'cache': s.CACHES['default']['BACKEND'], 'debug': s.DEBUG}))"
)


def run(args, settings_module, **env):
    clean = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": settings_module,
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean | env, capture_output=True, text=True, timeout=120
    )


def probe(settings_module, **env) -> dict:
    result = run(["shell", "-c", PROBE], settings_module, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_with_nothing_configured_the_site_runs_embedded():
    found = probe("sn_site.settings.dev")

    assert found["db"] == "django.db.backends.sqlite3"
    assert found["eager"] is True
    assert found["email"] == "django.core.mail.backends.filebased.EmailBackend"
    assert found["cache"] == "django.core.cache.backends.locmem.LocMemCache"


def test_the_environment_chooses_the_real_services():
    found = probe(
        "sn_site.settings.dev",
        DATABASE_URL="postgres://sn@db.internal:5432/sn",
        CELERY_BROKER_URL="redis://broker.internal:6379/0",
        EMAIL_URL="smtp://mail.internal:2525",
        CACHE_URL="redis://cache.internal:6379/1",
    )

    assert found["db"] == "django.db.backends.postgresql"
    assert found["eager"] is False
    assert found["broker"] == "redis://broker.internal:6379/0"
    assert found["email"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (found["email_host"], found["email_port"]) == ("mail.internal", 2525)
    assert found["cache"] == "sn_site.cache.ResilientRedisCache"  # Redis, forgiving of it being away


def test_production_refuses_to_start_without_a_secret_key():
    result = run(["check"], "sn_site.settings.production")

    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_production_passes_the_deployment_checklist():
    result = run(
        ["check", "--deploy", "--fail-level", "WARNING"],
        "sn_site.settings.production",
        SECRET_KEY="a-long-and-random-production-secret-key-that-is-not-in-the-code-0123456789",
        ALLOWED_HOSTS="safer-neighbourhoods.example",
        CACHE_URL="redis://cache.internal:6379/1",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
    assert probe("sn_site.settings.production", SECRET_KEY="x" * 60, CACHE_URL="redis://c:6379/1")["debug"] is False


def test_production_refuses_to_start_without_a_shared_cache():
    result = run(["check"], "sn_site.settings.production", SECRET_KEY="x" * 60)

    assert result.returncode != 0
    assert "Set CACHE_URL" in result.stderr
