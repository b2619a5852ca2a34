"""Static files in production: collected once with hashed names, compressed, and cached by browsers
and CDNs for a year, since a new release gives changed files new names."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = """
import json, django
django.setup()
from io import StringIO
from django.core.management import call_command
from django.templatetags.static import static
from django.test import Client

out = StringIO()
call_command("collectstatic", interactive=False, stdout=out, stderr=out)
url = static("css/site.css")
client = Client()
compressed = client.get(url, HTTP_ACCEPT_ENCODING="gzip, br", secure=True)
plain = client.get(url, secure=True)
icon = client.get("/favicon.ico", secure=True)
print(json.dumps({
    "collected": out.getvalue(),
    "url": url,
    "status": compressed.status_code,
    "cache_control": compressed.get("Cache-Control"),
    "encoding": compressed.get("Content-Encoding"),
    "vary": compressed.get("Vary"),
    "smaller": len(b"".join(compressed.streaming_content)) < len(b"".join(plain.streaming_content)),
    "icon": icon.get("Location"),
}))
"""


def test_production_serves_hashed_compressed_static_files_cached_for_a_year(tmp_path):
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "sn_site.settings.production",
        "SECRET_KEY": "a-production-like-key-" + "x7Qp2" * 10,
        "CACHE_URL": "locmemcache://",
        "ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": "sqlite:///:memory:",
        "STATIC_ROOT": str(tmp_path / "static"),
    }
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])

    assert "static files copied" in found["collected"]
    assert "Found another file" not in found["collected"], found["collected"]  # each file collected once
    assert re.fullmatch(r"/static/css/site\.[0-9a-f]{12}\.css", found["url"])
    assert found["status"] == 200
    assert found["cache_control"] == "max-age=31536000, public, immutable"
    assert found["encoding"] in ("gzip", "br") and found["smaller"]
    assert "Accept-Encoding" in found["vary"]
    assert re.fullmatch(r"/static/favicon\.[0-9a-f]{12}\.svg", found["icon"])
