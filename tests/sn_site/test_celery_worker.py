"""A task queued through a real broker is run by a real worker process against the real database."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from priorities.models import Postcode, Ward
from priorities.tasks import geography_refresh
from sn_site.celery import app as celery_app
from tests.priorities.codepoint_sample import LONDON_POSTCODES

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
BROKER = os.environ.get("CELERY_BROKER_URL", "")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker():
    if not BROKER or connection.vendor != "postgresql":
        pytest.skip("needs CELERY_BROKER_URL and PostgreSQL, so that a worker process can share the test database")
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    queue = f"test-{uuid.uuid4().hex[:12]}"  # nothing else consumes it, and it consumes nothing else
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "sn_site", "worker", "-Q", queue, "--pool", "solo"]
        + ["--without-gossip", "--without-mingle", "--loglevel", "INFO"],
        cwd=ROOT,
        env=os.environ | {"DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "sn_site.settings.test"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield queue, process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def test_a_queued_import_is_run_by_a_worker(worker, codepoint_folder, monkeypatch):
    queue, process = worker
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)

    result = geography_refresh.apply_async(args=[str(codepoint_folder)], queue=queue)

    deadline = time.monotonic() + 90
    while Postcode.objects.count() < LONDON_POSTCODES:
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the worker did not run the task:\n{process.stdout.read()}")
        time.sleep(0.25)
    assert Ward.objects.get(code="E05013806").name == "St. James's"
    assert Postcode.objects.count() == LONDON_POSTCODES
    process.terminate()
    log = process.communicate(timeout=30)[0]
    assert f"Task priorities.tasks.geography_refresh[{result.id}] succeeded" in log
