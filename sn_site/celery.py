"""The Celery app. Configuration comes from Django settings prefixed CELERY_."""

import contextlib
import os

from celery import Celery, signals

from .request_ids import request_id, request_id_reset, request_id_set

# Workers are deployed like the web tier: production settings unless told otherwise.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sn_site.settings.production")

app = Celery("sn_site")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


# A task's log lines carry the id of the request that queued it (or its own task id), so a sign-up,
# a send or an invitation can be followed from the web log into the worker's.
@signals.before_task_publish.connect
def _pass_request_id(headers=None, **kwargs):
    if headers is not None and request_id():
        headers.setdefault("sn_request_id", request_id())


@signals.task_prerun.connect
def _take_request_id(task=None, task_id=None, **kwargs):
    task.request.sn_request_id_token = request_id_set(getattr(task.request, "sn_request_id", None) or task_id or "")


@signals.task_postrun.connect
def _drop_request_id(task=None, **kwargs):
    token = getattr(task.request, "sn_request_id_token", None)
    if token is not None:
        with contextlib.suppress(ValueError):  # set in another context (eager tasks within a task)
            request_id_reset(token)
