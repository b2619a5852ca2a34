"""Running the site: health and readiness, a clear 503 while the database is away, carrying on while
Redis is away, request ids in the logs, and errors reaching Sentry when it is configured."""

import contextlib
import datetime
import gzip
import io
import json
import logging
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.db import OperationalError, connection
from django.db.backends.utils import CursorWrapper
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import path

from newsletters.models import Subscriber
from priorities.models import WardPage
from sn_site.operations import JsonFormatter, RequestIdFilter
from ward_panels.selectors import survey_rules

RYE_LANE = "E05011113"
UNREACHABLE_REDIS = {
    "default": {
        "BACKEND": "sn_site.cache.ResilientRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}


def _fail(*args, **kwargs):
    raise RuntimeError("a deliberate failure, for the Sentry test")


# Used by the Sentry test's subprocess as its URLconf.
urlpatterns = [path("fail/", _fail)]


@contextlib.contextmanager
def database_away():
    """Every query fails as it does while PostgreSQL restarts."""

    def refuse(self, *args, **kwargs):
        raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')

    original = CursorWrapper.execute
    CursorWrapper.execute = refuse
    try:
        yield
    finally:
        CursorWrapper.execute = original


def test_healthz_answers_without_touching_anything(client):
    with database_away():
        response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok\n"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_readyz_checks_the_database_cache_and_broker(client, db, settings):
    settings.CELERY_BROKER_URL = ""
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {
        "database": "ok",
        "cache": "ok",
        "broker": "not configured: tasks run in the web process",
    }

    with database_away():
        away = client.get("/readyz")
    assert away.status_code == 503 and away.json()["checks"]["database"] == "unreachable"

    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    assert client.get("/readyz").json()["checks"]["broker"] == "unreachable"

    settings.CACHES = UNREACHABLE_REDIS
    assert client.get("/readyz").json()["checks"]["cache"] == "unreachable"


@pytest.mark.skipif(not os.environ.get("CELERY_BROKER_URL"), reason="needs the real Redis broker (CI has it)")
def test_readyz_is_ready_against_real_redis(client, db, settings):
    settings.CELERY_BROKER_URL = os.environ["CELERY_BROKER_URL"]
    settings.CACHES = {
        **UNREACHABLE_REDIS,
        "default": {**UNREACHABLE_REDIS["default"], "LOCATION": "redis://127.0.0.1:6379/15"},
    }
    answer = client.get("/readyz")
    assert answer.status_code == 200 and answer.json()["checks"] == {"database": "ok", "cache": "ok", "broker": "ok"}


def test_while_the_database_is_away_cached_pages_serve_and_the_rest_get_a_clear_503(client, sample_london, settings):
    settings.SN_PAGE_CACHE_SECONDS = 60
    rye_lane = WardPage.objects.get(ward_id=RYE_LANE)
    borough_url = rye_lane.get_parent().url
    assert client.get(rye_lane.url)["X-Page-Cache"] == "miss"

    with database_away():
        cached = client.get(rye_lane.url)
        page = Client(raise_request_exception=False).get(borough_url)
        api = Client(raise_request_exception=False).get(f"/api/v1/wards/{RYE_LANE}/")
        form = Client(raise_request_exception=False).post(
            "/newsletters/subscribe/", {"email": "ann@example.org", "ward": RYE_LANE}
        )

    assert cached.status_code == 200 and cached["X-Page-Cache"] == "hit"
    assert page.status_code == 503 and page["Retry-After"] == "30"
    assert "briefly unavailable" in page.content.decode() and "call 999" in page.content.decode()
    assert api.status_code == 503 and api.json()["code"] == "unavailable"
    assert form.status_code == 503 and not Subscriber.objects.exists()

    assert client.get(borough_url).status_code == 200  # back by itself


def test_a_real_bug_is_still_a_500(sample_london, monkeypatch):
    monkeypatch.setattr("open_data.api.WardDetailApi.get", _fail)
    answer = Client(raise_request_exception=False).get(f"/api/v1/wards/{RYE_LANE}/")
    assert answer.status_code == 500 and answer.json()["code"] == "error"


def test_while_redis_is_away_pages_forms_and_apis_carry_on(client, sample_london, settings):
    settings.CACHES = UNREACHABLE_REDIS
    settings.SN_PAGE_CACHE_SECONDS = 60
    settings.SN_API_CACHE_SECONDS = 60
    rye_lane = WardPage.objects.get(ward_id=RYE_LANE)

    assert client.get(rye_lane.url).status_code == 200
    assert client.get(rye_lane.url).status_code == 200  # built from the database again: nothing cached
    assert client.get("/api/v1/lookup/?q=SE15 5DB").json()["wards"][0]["code"] == RYE_LANE
    with CaptureQueriesContext(connection) as queries:  # not the whole ward table again, each time
        assert client.get("/api/v1/lookup/?q=SE15 5DD").json()["wards"][0]["code"] == RYE_LANE
    assert len(queries) <= 3, [q["sql"][:80] for q in queries]
    assert client.get(f"/api/v1/wards/{RYE_LANE}/").status_code == 200
    signup = client.post("/newsletters/subscribe/", {"email": "ann@example.org", "ward": RYE_LANE})
    assert signup.status_code == 200 and Subscriber.objects.filter(email="ann@example.org").exists()


def test_while_redis_is_away_a_survey_is_not_read_again_for_every_answer(settings, sample_london, make_survey):
    survey = make_survey()
    settings.CACHES = UNREACHABLE_REDIS

    first = survey_rules(survey.pk)
    with CaptureQueriesContext(connection) as queries:
        again = survey_rules(survey.pk)

    assert again == first and again.pk == survey.pk
    assert len(queries) == 0, [q["sql"][:80] for q in queries]


def test_log_lines_carry_the_request_id_as_json(client, db):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        response = client.get("/no-such-page/", HTTP_X_REQUEST_ID="lb-1234567890abcdef")
        own = client.get("/no-such-page-either/")
    finally:
        logger.removeHandler(handler)

    assert response.status_code == 404 and response["X-Request-ID"] == "lb-1234567890abcdef"
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [line["request_id"] for line in lines] == ["lb-1234567890abcdef", own["X-Request-ID"]]
    assert lines[0]["level"] == "WARNING" and "/no-such-page/" in lines[0]["message"]
    assert client.get("/", HTTP_X_REQUEST_ID="<script>")["X-Request-ID"] != "<script>"  # only ids that look like ids


class _SentryStandIn(BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        elif self.headers.get("Content-Encoding") == "br":
            raise AssertionError("brotli: not expected")
        self.received.append(body)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_errors_reach_sentry_when_its_dsn_is_set():
    server = HTTPServer(("127.0.0.1", 0), _SentryStandIn)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    script = (
        "import django; django.setup()\n"
        "import sentry_sdk\n"
        "from django.test import Client, override_settings\n"
        "with override_settings(ROOT_URLCONF='tests.sn_site.test_operations', ALLOWED_HOSTS=['testserver']):\n"
        "    answer = Client(raise_request_exception=False).get('/fail/', HTTP_X_REQUEST_ID='req-sentry-0001')\n"
        "sentry_sdk.flush(timeout=10)\n"
        "print(answer.status_code)\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sn_site.settings.test",
        "SENTRY_DSN": f"http://publickey@127.0.0.1:{server.server_port}/1",
    }
    try:
        done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    finally:
        server.shutdown()
    assert done.stdout.strip() == "500", done.stderr
    events = b"".join(_SentryStandIn.received).decode(errors="replace")
    assert "a deliberate failure, for the Sentry test" in events and "RuntimeError" in events
    assert "req-sentry-0001" in events  # tagged with the request id, to find its log lines


def test_when_the_broker_is_away_admin_sends_say_so_and_lose_nothing(
    client, officers, settings, monkeypatch, make_survey, add_subscribers
):
    from kombu.exceptions import OperationalError as BrokerUnreachable

    from newsletters import tasks as newsletter_tasks
    from newsletters.models import Delivery, NewsletterPage, Send
    from newsletters.sending import stale_batches
    from ward_panels import tasks as panel_tasks
    from ward_panels.models import Invitation

    def unreachable(*args, **kwargs):
        raise BrokerUnreachable("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(panel_tasks.invitations_send, "delay", unreachable)
    monkeypatch.setattr(newsletter_tasks.send_queue, "delay", unreachable)
    southwark = officers[0]
    client.force_login(southwark)

    survey = make_survey()
    answer = client.post(f"/admin/ward-panels/surveys/{survey.pk}/send/", follow=True)
    assert answer.status_code == 200 and "could not be sent just now" in answer.content.decode()
    assert not Invitation.objects.exists()

    rye_lane = WardPage.objects.get(ward_id=RYE_LANE)
    issue = NewsletterPage(title="December", summary="News.")
    rye_lane.add_child(instance=issue)
    issue.save_revision().publish()
    add_subscribers(1, ward_id=RYE_LANE)
    sent = client.post(f"/admin/newsletters/{issue.pk}/send/", {"audience": "everyone", "sends_seen": 0}, follow=True)
    assert sent.status_code == 200 and "will start within 15 minutes" in sent.content.decode()
    send = Send.objects.get()
    assert send.deliveries.filter(status=Delivery.Status.QUEUED).count() == 1
    assert stale_batches() == []  # not yet: its batches may still be waiting in the queue
    later = send.started_at + datetime.timedelta(seconds=settings.SN_NEWSLETTER_CLAIM_SECONDS + 1)
    delivery = send.deliveries.get()
    assert stale_batches(now=later) == [(send.pk, delivery.pk, delivery.pk)]  # the sweep queues it then
