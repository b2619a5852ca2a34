"""The migration that moves "You said" summaries onto their pages (ward_panels 0006): each summary
that was showing is on its ward page afterwards, and stays there when the page is next published.
It migrates the database back and forth, committing, so it has a file of its own."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from priorities.models import WardPage

pytestmark = pytest.mark.django_db(transaction=True)
BEFORE = ("ward_panels", "0005_panel_member_confirmation_requested")


def migrate(target) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(target)
    return executor


def test_summaries_showing_move_onto_their_pages_and_survive_the_next_publish(client, sample_london_committed):
    rye_lane = WardPage.objects.get(ward_id="E05011113")
    rye_lane.introduction = "<p>Hello from the team.</p>"
    rye_lane.save_revision().publish()  # a page with a live revision, as most are
    executor = migrate([BEFORE])
    try:
        old = executor.loader.project_state([BEFORE]).apps
        Survey, Response = old.get_model("ward_panels", "Survey"), old.get_model("ward_panels", "Response")
        now = timezone.now()
        made = {}
        for title, published, answered in (("Shown", True, 5), ("Not ticked", False, 9), ("Too few", True, 4)):
            made[title] = Survey.objects.create(
                title=title,
                introduction="Why we ask.",
                ward_id="E05011113",
                audience="open",
                opens_at=now - datetime.timedelta(days=30),
                closes_at=now - datetime.timedelta(days=2),
                summary=f"{title}: most of you said speeding.",
                summary_published=published,
            )
            Response.objects.bulk_create(Response(survey=made[title]) for _ in range(answered))
    finally:
        executor = MigrationExecutor(connection)
        migrate(executor.loader.graph.leaf_nodes())

    page = WardPage.objects.get(pk=rye_lane.pk)
    assert [(s.survey_id, s.answered) for s in page.survey_summaries.all()] == [(made["Shown"].pk, 5)]
    page.get_latest_revision().publish()  # the next publish, from the revision as the editor saves it

    html = client.get(page.url).content.decode()
    assert "Shown: most of you said speeding." in html and "Hello from the team." in html
    assert "Not ticked" not in html and "Too few" not in html
