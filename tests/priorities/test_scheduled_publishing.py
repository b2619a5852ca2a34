import datetime

from django.utils import timezone

from priorities.models import WardPage
from priorities.tasks import publish_scheduled
from sn_site.celery import app


def test_a_revision_scheduled_for_now_is_published_by_the_periodic_task(sample_london):
    page = WardPage.objects.get(ward__code="E05011113")
    page.introduction = "<p>Scheduled.</p>"
    scheduled = page.save_revision(approved_go_live_at=timezone.now() - datetime.timedelta(minutes=1))
    page.refresh_from_db()
    assert page.introduction == ""  # not live yet

    publish_scheduled.delay()

    page.refresh_from_db()
    assert page.live_revision_id == scheduled.pk
    assert page.introduction == "<p>Scheduled.</p>"


def test_celery_beat_runs_the_task_every_minute():
    entry = app.conf.beat_schedule["publish-scheduled-pages"]

    assert entry["task"] == publish_scheduled.name and entry["schedule"] == 60.0
