"""The Procfile starts every process of a deployment (web, worker, beat) with the production
settings, and they work together: the web answers ready through the database, cache and broker,
a worker runs what is queued, beat starts with its schedule."""

import contextlib
import http.client
import json
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
import warnings
from pathlib import Path

import pytest
from django.db import connection

from sn_site.celery import app as celery_app

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
BROKER = os.environ.get("CELERY_BROKER_URL", "")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(port: int, path: str, **headers) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def test_the_procfile_starts_web_worker_and_beat_working_together(tmp_path):
    if not BROKER or connection.vendor != "postgresql" or not BROKER.startswith("redis://"):
        pytest.skip("needs PostgreSQL and a Redis broker (CELERY_BROKER_URL), as CI has")
    honcho = shutil.which("honcho", path=str(Path(sys.executable).parent))
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    port = _free_port()
    redis_base = BROKER.rsplit("/", 1)[0]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sn_site.settings.production",
        "SECRET_KEY": uuid.uuid4().hex * 2,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url,
        "CACHE_URL": f"{redis_base}/14",
        "CELERY_BROKER_URL": BROKER,
        "CELERY_TASK_DEFAULT_QUEUE": f"procfile-{uuid.uuid4().hex[:12]}",  # its own queue, nobody else's
        "STATIC_ROOT": str(tmp_path / "static"),
        "CELERY_BEAT_SCHEDULE_FILE": str(tmp_path / "beat-schedule"),
        "WEB_CONCURRENCY": "1",
        "WEB_THREADS": "2",
        "CELERY_CONCURRENCY": "1",
        "PORT": str(port),
        "PYTHONUNBUFFERED": "1",
        # As a deployment does: the environment's own commands (gunicorn, celery) first.
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=ROOT, env=env, check=True, timeout=300
    )
    # honcho gives each process type its own PORT counting up from the one given: web gets it.
    process = subprocess.Popen(
        [honcho, "-f", "Procfile", "start", "-p", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    seen: list[str] = []

    def wait_for(predicate, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with contextlib.suppress(queue.Empty):
                seen.append(lines.get(timeout=0.5))
            if predicate():
                return True
            if process.poll() is not None and lines.empty():
                return False  # honcho stops everything once any process ends
        return False

    try:
        ready = {}

        def web_ready():
            with contextlib.suppress(OSError):
                status, headers, body = _get(port, "/readyz")
                ready.update(status=status, headers=headers, body=json.loads(body))
                return status == 200
            return False

        started = time.monotonic()
        assert wait_for(web_ready, 90), "\n".join(seen[-40:])
        print(f"ready after {time.monotonic() - started:.1f} s")
        assert ready["body"]["checks"] == {"database": "ok", "cache": "ok", "broker": "ok"}
        status, headers, _ = _get(
            port, "/healthz", **{"X-Request-ID": "procfile-check-1", "X-Forwarded-Proto": "https"}
        )
        assert status == 200 and headers["X-Request-ID"] == "procfile-check-1"
        assert headers["Strict-Transport-Security"].startswith("max-age=")  # behind TLS at the load balancer
        assert "Content-Security-Policy" in headers

        # A task queued through the broker is run by the worker; beat is up and has its schedule.
        with warnings.catch_warnings():  # the test process runs its own tasks eagerly; this one goes to the broker
            warnings.simplefilter("ignore")
            celery_app.send_task("priorities.tasks.publish_scheduled", queue=env["CELERY_TASK_DEFAULT_QUEUE"])
        assert wait_for(lambda: any("publish_scheduled" in line and "succeeded" in line for line in seen), 60), (
            "\n".join(seen[-40:])
        )
        assert wait_for(lambda: any("beat: Starting" in line for line in seen), 30), "\n".join(seen[-40:])
        print(f"task run after {time.monotonic() - started:.1f} s")
        speakers = {line.split("|")[0].split()[-1] for line in seen if "|" in line}
        assert {"web.1", "worker.1", "beat.1"} <= speakers
        assert any("request_id=procfile-check-1" in line for line in seen) or wait_for(
            lambda: any("request_id=procfile-check-1" in line for line in seen), 10
        )
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
