"""Two clicks of "Send" at the same moment: exactly one send. Each commits on a connection of its
own, so this has a file of its own: see tests/conftest.py."""

import pytest
from django.db import connection

from newsletters.models import Delivery, NewsletterPage, Send
from newsletters.services import SendRefused, SendStartedMeanwhile, send_start
from priorities.models import WardPage


def told(outcome):
    """What an officer who clicked "Send" is told: "started", the send that started meanwhile, or
    why nothing was sent."""
    if isinstance(outcome, SendStartedMeanwhile):
        return outcome.send.pk
    if isinstance(outcome, SendRefused):
        return outcome.message
    if isinstance(outcome, Exception):
        raise outcome
    return "started"


def twice_at_once(at_once, newsletter, **kwargs) -> list:
    """Two clicks of "Send" at the same moment, each its own request: what each officer is told."""
    return [
        told(o) for o in at_once(lambda: send_start(newsletter=NewsletterPage.objects.get(pk=newsletter.pk), **kwargs))
    ]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL: SQLite lets only one connection write at a time"
)
def test_two_sends_of_what_one_page_showed_at_once_start_exactly_one(sample_london_committed, add_subscribers, at_once):
    add_subscribers(3, ward_id="E05011113")
    newsletter = NewsletterPage(title="November newsletter", summary="Speeding, and a new PCSO.")
    WardPage.objects.get(ward_id="E05011113").add_child(instance=newsletter)
    newsletter.save_revision().publish()
    outcomes = twice_at_once(at_once, newsletter, sends_seen=0)

    (send,) = Send.objects.filter(newsletter=newsletter)
    assert sorted(outcomes, key=str) == [send.pk, "started"]  # the other was shown the send that started
    assert send.deliveries.count() == 3


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL: SQLite lets only one connection write at a time"
)
def test_sends_at_once_reach_nobody_twice(sample_london_committed, add_subscribers, at_once):
    """Two sends to everyone that knew of no send (the service called twice, not from the page),
    then two sends to new subscribers at once: one of each starts, and nobody is in two."""
    add_subscribers(3, ward_id="E05011113")
    newsletter = NewsletterPage(title="November newsletter", summary="Speeding, and a new PCSO.")
    WardPage.objects.get(ward_id="E05011113").add_child(instance=newsletter)
    newsletter.save_revision().publish()

    assert sorted(twice_at_once(at_once, newsletter)) == [
        "This issue has already been sent to everyone, and nobody gets it twice.",
        "started",
    ]
    add_subscribers(2, "late", ward_id="E05011113")
    assert sorted(twice_at_once(at_once, newsletter, to=Send.Audience.NEW_SUBSCRIBERS)) == [
        "Nobody has subscribed since this issue was sent: there is nobody new to send it to.",
        "started",
    ]
    emails = list(Delivery.objects.filter(send__newsletter=newsletter).values_list("email", flat=True))
    assert sorted(emails) == [
        "late0@example.org",
        "late1@example.org",
        "s0@example.org",
        "s1@example.org",
        "s2@example.org",
    ]
