"""Two clicks of "Send" at the same moment: exactly one send. Each commits on a connection of its
own, so this has a file of its own: see tests/conftest.py."""

import threading

import pytest
from django.db import connection, connections

from newsletters.models import NewsletterPage, Send
from newsletters.services import SendStartedMeanwhile, send_start
from priorities.models import WardPage


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL: SQLite lets only one connection write at a time"
)
def test_two_sends_of_what_one_page_showed_at_once_start_exactly_one(sample_london_committed, add_subscribers):
    add_subscribers(3, ward_id="E05011113")
    newsletter = NewsletterPage(title="November newsletter", summary="Speeding, and a new PCSO.")
    WardPage.objects.get(ward_id="E05011113").add_child(instance=newsletter)
    newsletter.save_revision().publish()
    start, outcomes = threading.Barrier(2), []

    def click():
        try:
            start.wait(timeout=10)
            send_start(newsletter=NewsletterPage.objects.get(pk=newsletter.pk), sends_seen=0)
            outcomes.append("started")
        except SendStartedMeanwhile as meanwhile:
            outcomes.append(meanwhile.send.pk)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    (send,) = Send.objects.filter(newsletter=newsletter)
    assert sorted(outcomes, key=str) == [send.pk, "started"]
    assert send.deliveries.count() == 3
