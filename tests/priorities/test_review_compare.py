"""A sergeant reviewing an officer's "Update my ward" changes sees all of them: Wagtail's "Compare
with live version" shows a new "we did" update with its text and date, a new priority as added, a
closed priority's new status, dates as people in the UK write them; the preview shows the update."""

import datetime
import re

import pytest
from django.contrib.auth.models import Group, User

from priorities.models import BoroughPage, Priority, PriorityCategory, PriorityUpdate, WardPage
from priorities.services import PriorityProgress, team_page_submit, ward_update_save

RYE_LANE = "E05011113"


def person(username: str, group: str) -> User:
    user = User.objects.create_user(username, password="a-long-test-password")
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def reviewed(sample_london, add_priority):
    """Rye Lane's page, live with two priorities (one with an update), and an officer's changes
    waiting for a sergeant in a borough with sergeant approval: a new update on one priority,
    the other closed, a new priority. Returns the page, its latest revision and the sergeant."""
    rye_lane = WardPage.objects.get(ward__code=RYE_LANE)
    speeding = add_priority(rye_lane, updates=[(2, "Leaflets to every house on Rye Lane.")])
    bikes = add_priority(rye_lane, title="Bikes stolen from the station", sort_order=1)
    rye_lane.save_revision().publish()
    southwark = BoroughPage.objects.get(borough__code="E09000028")
    southwark.sergeant_approval = True
    southwark.save_revision().publish()
    officer = person("pc.southwark", "Southwark officers")
    sergeant = person("sgt.southwark", "Southwark sergeants")

    ward_update_save(  # the officer's after-meeting update, as "Update my ward" saves it
        page=rye_lane,
        user=officer,
        progress={
            str(speeding.pk): PriorityProgress(
                status="active",
                outcome="",
                review_by=speeding.review_by,
                update=PriorityUpdate(date=datetime.date(2026, 9, 19), we_did="Speed checks on three mornings."),
            ),
            str(bikes.pk): PriorityProgress(
                status="closed", outcome="The station put in new racks.", review_by=bikes.review_by
            ),
        },
        priority=Priority(
            title="Drug dealing in Holly Grove",
            category=PriorityCategory.objects.get_or_create(name="Drugs")[0],
            you_said="Dealing by the garages in the evenings.",
            agreed_on=datetime.date(2026, 11, 5),
        ),
    )
    page = WardPage.objects.get(pk=rye_lane.pk)
    team_page_submit(page=page, user=officer)
    return page, page.latest_revision, sergeant


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def additions(html: str) -> list[str]:
    """The text of each child object the compare view marks as added."""
    blocks = re.split(r'<div class="comparison__child-object ', html)[1:]
    return [text_of(block) for block in blocks if block.startswith("addition")]


def test_compare_with_live_shows_every_change_the_officer_made(client, reviewed):
    page, revision, sergeant = reviewed
    client.force_login(sergeant)

    response = client.get(f"/admin/pages/{page.pk}/revisions/compare/live...{revision.pk}/")

    assert response.status_code == 200
    html = response.content.decode()
    added = additions(html)
    assert any("Speed checks on three mornings." in a and "19 September 2026" in a for a in added), added
    assert any("Drug dealing in Holly Grove" in a and "5 November 2026" in a for a in added), added
    assert all("Change Added" in a for a in added)  # in words, not only by a pale green background
    assert not any("Bikes stolen" in a for a in added)  # changed, not added
    text = text_of(html)
    assert "Closed without being resolved" in text and "The station put in new racks." in text
    assert "Leaflets to every house on Rye Lane." in text  # the update that was there already
    assert "2026-09-19" not in text and "2026-11-05" not in text


@pytest.mark.parametrize("preview", ["revision", "workflow task"])
def test_the_sergeants_preview_shows_the_new_update_and_priority(client, reviewed, preview):
    page, revision, sergeant = reviewed
    client.force_login(sergeant)
    task = page.current_workflow_state.current_task_state.task
    address = {
        "revision": f"/admin/pages/{page.pk}/revisions/{revision.pk}/view/",
        "workflow task": f"/admin/pages/workflow/preview/{page.pk}/{task.pk}/",  # the admin home's "Preview"
    }[preview]

    response = client.get(address)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Speed checks on three mornings." in html
    assert "Drug dealing in Holly Grove" in html
