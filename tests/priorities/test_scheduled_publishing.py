import datetime

from celery.beat import ScheduleEntry
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


def test_beat_runs_every_job_the_workers_know_and_publishes_within_a_minute():
    """Every periodic job names a task the workers have (a misspelt one would silently never
    run), and the publishing job falls due a minute after it last ran."""
    app.loader.import_default_modules()
    for name, job in app.conf.beat_schedule.items():
        assert job["task"] in app.tasks, name

    job = app.conf.beat_schedule["publish-scheduled-pages"]
    assert job["task"] == publish_scheduled.name
    entry = ScheduleEntry(app=app, name="publish", last_run_at=app.now() - datetime.timedelta(minutes=1), **job)
    assert entry.is_due().is_due
