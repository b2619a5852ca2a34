"""Sending a newsletter to 100,000 subscribers through Redis, Celery workers and a local SMTP server,
as messages per second and as a ratio against the raw speed of the same SMTP server: a plain
smtplib loop sending the same messages over one connection, in the same run (targets: at least
300 messages a second on a 2-core machine, and a ratio of at least 0.5).

The raw loop sends exactly the bytes the site's workers send (newsletters.emails.MessageWriter).
The SMTP server is aiosmtpd's Sink (it accepts and discards) in a process of its own. The send is
the site's own: newsletters.services.send_start snapshots the audience into delivery rows, then
two Celery worker processes (prefork, one task at a time each) send the batches. The clock runs from
queueing the send until every delivery is marked sent. The subscribers and the newsletter are made
in the database first (bench_newsletter_* addresses, removed at the end).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sn_dev .venv/bin/python bench/newsletter_send.py [count]
"""

import contextlib
import os
import smtplib
import socket
import subprocess
import sys
import time

import psycopg
from load import site_database
from support import ROOT, database_name, manage

COUNT = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
RAW_SAMPLE = 20_000  # messages the raw smtplib loop sends (the same kind of message, from the same send)
WORKERS = 2
TARGET_RATE, TARGET_RATIO = 300, 0.5
BROKER = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
QUEUE = "bench-newsletter"

SETUP = """
from django.utils import timezone
from newsletters.models import NewsletterPage, Subscriber, Subscription
from priorities.models import WardPage
from django.db import connection
page = WardPage.objects.live().order_by("path").first()
NewsletterPage.objects.filter(title="Benchmark newsletter").delete()
issue = NewsletterPage(title="Benchmark newsletter", summary="For bench/newsletter_send.py.")
page.add_child(instance=issue)
issue.save_revision().publish()
with connection.cursor() as cursor:
    for table in ("newsletters_delivery", "newsletters_subscription"):
        cursor.execute(
            f"DELETE FROM {table} WHERE subscriber_id IN "
            "(SELECT id FROM newsletters_subscriber WHERE email LIKE 'bench_newsletter_%%')"
        )
    cursor.execute("DELETE FROM newsletters_subscriber WHERE email LIKE 'bench_newsletter_%%'")
    cursor.execute(
        "INSERT INTO newsletters_subscriber (email, created_at, confirmed_at, suppressed_reason) "
        "SELECT 'bench_newsletter_' || n || '@example.org', now(), now(), '' FROM generate_series(1, %s) n", [COUNT]
    )
    cursor.execute(
        "INSERT INTO newsletters_subscription (subscriber_id, ward_id, created_at, confirmed_at) "
        "SELECT id, %s, now(), now() FROM newsletters_subscriber WHERE email LIKE 'bench_newsletter_%%'", [page.ward_id]
    )
print(issue.pk)
"""

START = """
from newsletters.services import send_start
from newsletters.models import NewsletterPage
send = send_start(newsletter=NewsletterPage.objects.get(pk=ISSUE))
print(send.pk, send.total)
"""

SAMPLE = """
from newsletters.emails import MessageWriter
from newsletters.models import Delivery, Send
send = Send.objects.get(pk=SEND)
writer = MessageWriter(send, send.newsletter.specific)
with open(PATH, "wb") as out:
    for delivery in Delivery.objects.filter(send=send).order_by("pk")[:SAMPLE_SIZE]:
        _sender, _recipients, data = writer.envelope(delivery)
        out.write(len(data).to_bytes(4, "big") + data)
"""

CLEANUP = """
from django.db import connection
from newsletters.models import NewsletterPage, Send
Send.objects.filter(newsletter__title="Benchmark newsletter").delete()
NewsletterPage.objects.filter(title="Benchmark newsletter").delete()
with connection.cursor() as cursor:
    for table in ("newsletters_subscription",):
        cursor.execute(
            f"DELETE FROM {table} WHERE subscriber_id IN "
            "(SELECT id FROM newsletters_subscriber WHERE email LIKE 'bench_newsletter_%')"
        )
    cursor.execute("DELETE FROM newsletters_subscriber WHERE email LIKE 'bench_newsletter_%'")
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def process(command, env=None):
    running = subprocess.Popen(
        command, cwd=ROOT, env=env or os.environ, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    try:
        yield running
    finally:
        running.terminate()
        try:
            running.wait(timeout=20)
        except subprocess.TimeoutExpired:
            running.kill()


def wait_for_port(port: int) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.1)
    sys.exit(f"nothing is listening on {port}")


def raw_rate(port: int, path: str) -> tuple[int, float]:
    """The same messages through one smtplib connection, as fast as it goes."""
    messages = []
    with open(path, "rb") as source:
        while header := source.read(4):
            messages.append(source.read(int.from_bytes(header, "big")))
    smtp = smtplib.SMTP("127.0.0.1", port)
    started = time.perf_counter()
    for n, data in enumerate(messages):
        smtp.sendmail("noreply@localhost", [f"bench_newsletter_{n}@example.org"], data)
    seconds = time.perf_counter() - started
    smtp.quit()
    return len(messages), seconds


def shell(code: str, database: str, **values) -> str:
    for name, value in values.items():
        code = code.replace(name, repr(value) if isinstance(value, str) else str(value))
    return manage("shell", "-c", code, database=database).strip().splitlines()[-1]


def main() -> int:
    database = site_database()
    manage("migrate", "--no-input", database=database)
    print(f"database: {database_name(database)}; {COUNT:,} subscribers; broker {BROKER}; {WORKERS} workers", flush=True)
    issue = int(shell(SETUP, database, COUNT=COUNT))
    port = free_port()
    sample_path = str(ROOT / "var" / "bench-newsletter-sample.bin")
    sink = [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Sink"]
    try:
        with process(sink):
            wait_for_port(port)
            send_id, total = map(int, shell(START, database, ISSUE=issue).split())
            print(f"send {send_id}: {total:,} deliveries snapshotted", flush=True)
            shell(SAMPLE, database, SEND=send_id, PATH=sample_path, SAMPLE_SIZE=RAW_SAMPLE)
            sent, raw_seconds = raw_rate(port, sample_path)
            raw = sent / raw_seconds
            print(f"raw smtplib loop: {sent:,} messages in {raw_seconds:.1f} s = {raw:,.0f} messages/s", flush=True)
            env = os.environ | {
                "DATABASE_URL": database,
                "DJANGO_SETTINGS_MODULE": "sn_site.settings.production",
                "SECRET_KEY": "bench-only-not-secret-newsletter-send-0123456789",
                "CACHE_URL": "redis://127.0.0.1:6379/2",
                "CELERY_BROKER_URL": BROKER,
                "CELERY_TASK_DEFAULT_QUEUE": QUEUE,
                "EMAIL_URL": f"smtp://127.0.0.1:{port}",
                "SN_NEWSLETTER_RATE": "0",
                "ALLOWED_HOSTS": "127.0.0.1",
                "LOG_LEVEL": "WARNING",
            }
            worker = [sys.executable, "-m", "celery", "-A", "sn_site", "worker", "-Q", QUEUE, "-c", str(WORKERS)]
            worker += ["--prefetch-multiplier", "1", "--without-gossip", "--without-mingle", "--loglevel", "WARNING"]
            with process(worker, env):
                time.sleep(3)  # the workers start
                started = time.perf_counter()
                subprocess.run(
                    [
                        sys.executable,
                        "-c",
                        "import django; django.setup(); from newsletters.tasks import send_queue; "
                        f"send_queue.delay({send_id})",
                    ],
                    cwd=ROOT,
                    env=env,
                    check=True,
                )
                with psycopg.connect(database) as connection:
                    while True:
                        done, waiting = connection.execute(
                            "SELECT count(*) FILTER (WHERE status = 'sent'), "
                            "count(*) FILTER (WHERE status IN ('queued', 'sending')) "
                            "FROM newsletters_delivery WHERE send_id = %s",
                            [send_id],
                        ).fetchone()
                        connection.commit()
                        if not waiting:
                            break
                        time.sleep(0.5)
                seconds = time.perf_counter() - started
    finally:
        with contextlib.suppress(OSError):
            os.remove(sample_path)
        shell(CLEANUP, database)
    rate = done / seconds
    print(
        f"site send: {done:,} of {total:,} sent in {seconds:.1f} s = {rate:,.0f} messages/s (target >= {TARGET_RATE})"
    )
    print(f"site send/raw smtplib throughput ratio: {rate / raw:.2f} (target >= {TARGET_RATIO:.2f})")
    return 0 if done == total else 1


if __name__ == "__main__":
    sys.exit(main())
