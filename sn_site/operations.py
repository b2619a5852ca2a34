"""Running the site: health and readiness checks, request ids in every log line, and a clear 503
(rather than a 500) while the database is unreachable."""

import json
import logging
import re
import sys
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.signals import request_finished
from django.db import InterfaceError, OperationalError, connection
from django.dispatch import receiver
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.views.decorators.cache import never_cache
from kombu.exceptions import OperationalError as BrokerUnreachable

from .celery import app
from .request_ids import request_id, request_id_set

logger = logging.getLogger(__name__)

REQUEST_ID_HEADER = "X-Request-ID"
# An id given by the proxy in front is kept (so its logs and ours join up) if it looks like one.
_GIVEN_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
RETRY_AFTER_SECONDS = 30


class RequestIdMiddleware:
    """First in the chain: every log line written while handling a request carries its id, the
    response says it in X-Request-ID, and Sentry tags the request's errors with it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get(REQUEST_ID_HEADER, "")
        value = given if _GIVEN_ID.match(given) else uuid.uuid4().hex
        request.request_id = value
        # Kept until the response is finished (request_finished, below): Django logs 4xx and 5xx
        # answers after the middleware has returned.
        request_id_set(value)
        if "sentry_sdk" in sys.modules:
            sys.modules["sentry_sdk"].set_tag("request_id", value)
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = value
        return response


@receiver(request_finished)
def _request_id_clear(**kwargs):
    request_id_set("")


class RequestIdFilter(logging.Filter):
    """Puts the current request's (or task's) id on every log record as `request_id`."""

    def filter(self, record):
        record.request_id = request_id()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line, for log collectors: time, level, logger, message, request id, and
    the traceback when there is one."""

    def format(self, record):
        entry = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", ""),
        }
        status = getattr(record, "status_code", None)
        if status is not None:
            entry["status"] = status
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


# Health -----------------------------------------------------------------------------------------


@never_cache
def healthz(request):
    """The process is up and answering: touches nothing else, so a load balancer or orchestrator
    restarts only processes that are truly stuck."""
    return HttpResponse("ok\n", content_type="text/plain")


def _database_ready() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _cache_ready() -> None:
    key, value = f"readyz:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, timeout=10)
    if cache.get(key) != value:
        raise ConnectionError("the cache did not keep a value")
    cache.delete(key)


def _broker_ready() -> str:
    if not settings.CELERY_BROKER_URL:
        return "not configured: tasks run in the web process"
    with app.connection_for_write(settings.CELERY_BROKER_URL) as broker:
        broker.ensure_connection(max_retries=1, timeout=2)
    return "ok"


@never_cache
def readyz(request):
    """Ready to take traffic: the database, the shared cache and the task broker all answer.
    503 with the name of whatever does not, so a load balancer stops sending requests here."""
    checks, ready = {}, True
    for name, check in (("database", _database_ready), ("cache", _cache_ready), ("broker", _broker_ready)):
        try:
            checks[name] = check() or "ok"
        except Exception:  # noqa: BLE001 - any failure means not ready; it is logged with its cause
            logger.warning("readyz: %s unreachable", name, exc_info=True)
            checks[name], ready = "unreachable", False
    return JsonResponse({"status": "ready" if ready else "unavailable", "checks": checks}, status=200 if ready else 503)


# Errors -----------------------------------------------------------------------------------------

# The database is away (restarting, failing over, network): a temporary state, not a bug.
DATABASE_AWAY = (OperationalError, InterfaceError)


def _database_away(exception: BaseException | None) -> bool:
    while exception is not None:
        if isinstance(exception, DATABASE_AWAY):
            return True
        exception = exception.__cause__ or exception.__context__
    return False


def server_error(request):
    """Django's 500 handler: a clear "try again shortly" 503 when the database cannot be reached,
    else the usual apology. JSON for the APIs, HTML for people; neither needs the database."""
    away = _database_away(sys.exc_info()[1])
    status = 503 if away else 500
    if request.path.startswith("/api/"):
        body = (
            {"code": "unavailable", "message": "The service is briefly unavailable. Try again shortly."}
            if away
            else {"code": "error", "message": "Something went wrong on our side."}
        )
        response = JsonResponse(body, status=status)
    else:
        template = loader.get_template("503.html" if away else "500.html")
        response = HttpResponse(template.render({}), status=status)
    if away:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


# Queueing -----------------------------------------------------------------------------------------


def queued(task, *args) -> bool:
    """Queue a task now (call outside a transaction, after what it needs is committed). False, and
    logged, if the broker cannot be reached, so the admin can say "try again" instead of failing."""
    try:
        task.delay(*args)
    except BrokerUnreachable:
        logger.exception("could not queue %s%r: the broker is unreachable", task.name, args)
        return False
    return True
