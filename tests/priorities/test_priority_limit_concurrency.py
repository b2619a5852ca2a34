"""The rule "at most three active priorities" held by PostgreSQL itself when two officers publish at
once. Each officer commits on a connection of their own, so this has a file of its own: see
tests/conftest.py."""

import threading

import pytest
from django.db import IntegrityError, connection, connections, transaction

from priorities.models import Priority, WardPage


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the database's own guard is PostgreSQL's")
def test_two_officers_adding_a_third_priority_at_once_cannot_make_four(sample_london_committed, add_priority):
    page = WardPage.objects.get(ward__code="E05011113")
    add_priority(page, title="First")
    add_priority(page, title="Second")
    both_written = threading.Barrier(2)
    outcomes = []

    def officer(title):
        try:
            with transaction.atomic():
                add_priority(page, title=title)
                both_written.wait(timeout=10)  # each has written its row before either commits
            outcomes.append("saved")
        except IntegrityError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=officer, args=(title,)) for title in ("Third (A)", "Third (B)")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["refused", "saved"]
    assert Priority.objects.filter(ward_page=page, status="active").count() == 3
