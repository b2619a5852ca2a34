"""A task queued through a real broker is run by a real worker process against the real database."""

import contextlib
import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.utils import timezone

from geography.models import Postcode, Ward
from geography.tasks import geography_refresh
from sn_site.celery import app as celery_app
from sn_site.request_ids import request_id_reset, request_id_set
from tests.geography.codepoint_sample import LONDON_POSTCODES
from ward_panels.models import Invitation, PanelMember, WardPanel
from ward_panels.tasks import invitations_send, reminders_send

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
BROKER = os.environ.get("CELERY_BROKER_URL", "")
ROOT = Path(__file__).resolve().parents[2]


@contextlib.contextmanager
def running_worker(**environment):
    """A worker process on a queue of its own, sharing the test database; yields (queue, process)."""
    if not BROKER or connection.vendor != "postgresql":
        pytest.skip("needs CELERY_BROKER_URL and PostgreSQL, so that a worker process can share the test database")
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    # Nothing else consumes its queue, and it consumes nothing else (SN_TEST_QUEUE: carry on another's).
    queue = environment.get("SN_TEST_QUEUE") or f"test-{uuid.uuid4().hex[:12]}"
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "sn_site", "worker", "-Q", queue, "--pool", "solo"]
        + ["--without-gossip", "--without-mingle", "--loglevel", "INFO"],
        cwd=ROOT,
        env=os.environ
        | {"DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "sn_site.settings.test"}
        | {"CELERY_TASK_DEFAULT_QUEUE": queue, "SN_TEST_WORKER": "1"}
        | environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield queue, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def worker():
    with running_worker() as running:
        yield running


@pytest.fixture
def mailing_worker(smtp_sink):
    """A worker whose email goes to this test's local SMTP server: yields (queue, process, messages)."""
    port, messages = smtp_sink
    with running_worker(SN_TEST_SMTP_PORT=str(port)) as (queue, process):
        yield queue, process, messages


def test_a_queued_import_is_run_by_a_worker(worker, codepoint_folder, monkeypatch):
    queue, process = worker
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)

    token = request_id_set("req-import-0001")  # as if queued while handling that request
    try:
        result = geography_refresh.apply_async(args=[str(codepoint_folder)], queue=queue)
    finally:
        request_id_reset(token)

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
    succeeded = next(line for line in log.splitlines() if f"geography_refresh[{result.id}] succeeded" in line)
    assert "[req-import-0001]" in succeeded  # the worker's lines carry the id of the request that queued it


def test_survey_invitations_are_sent_by_a_worker_over_smtp(
    mailing_worker, sample_london_committed, client, monkeypatch, make_survey
):
    """ "Send invitations" queues a task; a real worker emails each active member once, through a
    real SMTP server, with a link that opens the survey."""
    queue, process, messages = mailing_worker
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    panel = WardPanel.objects.create(ward_id="E05011113")
    now = timezone.now()
    for n in range(3):
        PanelMember.objects.create(
            panel=panel, name=f"Member {n}", email=f"m{n}@example.org", confirmed_at=now, consent_given_at=now
        )
    survey = make_survey()

    invitations_send.apply_async(args=[survey.pk], queue=queue)
    invitations_send.apply_async(args=[survey.pk], queue=queue)  # a double click: nobody twice

    deadline = time.monotonic() + 60
    while len(messages) < 3 or Invitation.objects.filter(sent_at__isnull=True).exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the worker did not send the invitations:\n{process.stdout.read()}")
        time.sleep(0.25)
    time.sleep(1)  # room for a duplicate to arrive, if there were one
    assert sorted(message["X-Envelope-To"] for message in messages) == [
        "m0@example.org",
        "m1@example.org",
        "m2@example.org",
    ]
    body = messages[0].get_payload(decode=True).decode()
    token = parse_qs(urlsplit(re.search(r"https?://\S+", body).group()).query)["token"][0]
    assert client.get(f"/api/v1/surveys/{survey.pk}/", {"token": token}).status_code == 200


def newsletter_with_subscribers(count: int):
    """A published ward newsletter and `count` confirmed subscribers to its ward, committed (with
    sample_london_committed)."""
    from newsletters.models import NewsletterPage, Subscriber, Subscription
    from priorities.models import WardPage

    ward_page = WardPage.objects.get(ward_id="E05011113")
    newsletter = NewsletterPage(title="Worker test", summary="Sent by a real worker.")
    ward_page.add_child(instance=newsletter)
    newsletter.save_revision().publish()
    now = timezone.now()
    made = Subscriber.objects.bulk_create(
        [Subscriber(email=f"r{n}@example.org", confirmed_at=now) for n in range(count)]
    )
    Subscription.objects.bulk_create([Subscription(subscriber=s, ward_id="E05011113", confirmed_at=now) for s in made])
    return newsletter


def wait_for(condition, process, seconds, what):
    deadline = time.monotonic() + seconds
    while not condition():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"{what}:\n{process.stdout.read()}")
        time.sleep(0.1)


def test_a_newsletter_send_survives_a_killed_worker_with_nobody_missed_or_emailed_twice(
    smtp_sink, sample_london_committed, monkeypatch
):
    """SIGKILL the worker part-way through a batch, start another: nobody gets the issue twice and
    everybody gets it, bar at most the one message in flight at the kill, as the SMTP server counts
    it (Message-IDs per recipient)."""
    from collections import Counter

    from newsletters.models import Delivery, Send
    from newsletters.services import send_start
    from newsletters.tasks import deliveries_sweep, send_queue

    port, messages = smtp_sink
    count = 400
    newsletter = newsletter_with_subscribers(count)
    send = send_start(newsletter=newsletter)
    assert send.total == count
    environment = {
        "SN_TEST_SMTP_PORT": str(port),
        "SN_NEWSLETTER_RATE": "0",
        "SN_NEWSLETTER_CLAIM_SECONDS": "3",  # longer than the batch takes here
        "CELERY_VISIBILITY_TIMEOUT": "5",
    }
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    with running_worker(**environment) as (queue, first):
        monkeypatch.setitem(celery_app.conf, "task_default_queue", queue)
        send_queue.apply_async(args=[send.pk], queue=queue)
        wait_for(lambda: len(messages) >= count // 4, first, 60, "the first worker sent nothing")
        first.kill()  # SIGKILL, mid-batch
        first.wait()
    killed_at = len(messages)
    assert killed_at < count, "the worker finished before it could be killed; send more"
    with running_worker(**environment, SN_TEST_QUEUE=queue) as (_queue, second):
        time.sleep(3.5)  # the dead worker's claims go stale
        deliveries_sweep.apply_async(queue=queue)
        wait_for(
            lambda: Send.objects.get(pk=send.pk).status == Send.Status.FINISHED, second, 90, "the send did not finish"
        )
        time.sleep(1)  # room for a duplicate to arrive, if there were one

    per_recipient = Counter(message["X-Envelope-To"] for message in messages)
    ids = Counter((message["X-Envelope-To"], message["Message-ID"]) for message in messages)
    # Nobody twice. At most the one message in flight can be missing: the kill can land between the
    # database taking its "handed over" mark and the "." that commits it (docs/newsletters.md).
    assert count - len(per_recipient) <= 1, f"missed: {count - len(per_recipient)}"
    assert max(per_recipient.values()) == 1, [r for r, n in per_recipient.items() if n > 1]
    assert max(ids.values()) == 1
    assert set(Delivery.objects.filter(send=send).values_list("status", flat=True)) == {Delivery.Status.SENT}


def test_survey_invitations_survive_a_killed_worker_with_every_member_invited_once(
    smtp_sink, sample_london_committed, monkeypatch, make_survey
):
    """SIGKILL the worker part-way through a survey's invitations, start another: every member gets
    their invitation, as the SMTP server counts them. A copy can go twice only if the kill lands
    between the mail server's acceptance and the mark that follows it, and then it is the same
    message (one Message-ID), which mail software shows once."""
    from collections import Counter

    port, messages = smtp_sink
    count = 400
    panel = WardPanel.objects.create(ward_id="E05011113")
    now = timezone.now()
    PanelMember.objects.bulk_create(
        [
            PanelMember(
                panel=panel, name=f"Member {n}", email=f"m{n}@example.org", confirmed_at=now, consent_given_at=now
            )
            for n in range(count)
        ]
    )
    survey = make_survey()
    environment = {
        "SN_TEST_SMTP_PORT": str(port),
        "SN_NEWSLETTER_CLAIM_SECONDS": "3",
        "CELERY_VISIBILITY_TIMEOUT": "5",  # a killed worker's task is handed on after this
    }
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    with running_worker(**environment) as (queue, first):
        monkeypatch.setitem(celery_app.conf, "task_default_queue", queue)
        invitations_send.apply_async(args=[survey.pk], queue=queue)
        wait_for(lambda: len(messages) >= count // 4, first, 60, "the first worker sent nothing")
        first.kill()  # SIGKILL, mid-way
        first.wait()
    killed_at = len(messages)
    assert killed_at < count, "the worker finished before it could be killed; invite more"
    assert Invitation.objects.filter(sent_at__isnull=True).exists()
    with running_worker(**environment, SN_TEST_QUEUE=queue) as (_queue, second):
        time.sleep(3.5)  # the dead worker's claims go stale
        # The hourly sweep; the broker would also hand the dead worker's task on, but only once it
        # next looks for lost tasks (about every 100 seconds, after the visibility timeout).
        reminders_send.apply_async(queue=queue)
        wait_for(
            lambda: not Invitation.objects.filter(sent_at__isnull=True).exists(),
            second,
            90,
            "the invitations were not all sent",
        )
        time.sleep(1)  # room for a duplicate to arrive, if there were one

    per_member = Counter(message["X-Envelope-To"] for message in messages)
    ids = {(message["X-Envelope-To"], message["Message-ID"]) for message in messages}
    assert set(per_member) == {f"m{n}@example.org" for n in range(count)}  # nobody missed
    assert len(ids) == count  # one invitation each: any second copy is the same message
    assert sum(copies - 1 for copies in per_member.values()) <= 1, [m for m, n in per_member.items() if n > 1]
    assert not Invitation.objects.filter(claimed_at__isnull=False).exists()
