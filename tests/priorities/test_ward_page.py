import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from priorities.models import Event, TeamLink, WardPage


@pytest.fixture
def rye_lane(sample_london):
    page = WardPage.objects.get(ward__code="E05011113")
    page.email = "ryelane.snt@met.police.uk"
    page.phone = "020 7230 1212"
    page.ward_panel_how_to_join = "Anyone who lives or works in Rye Lane can join: email the team."
    page.save()
    return page


def test_the_page_introduces_the_team_and_how_to_reach_them(client, rye_lane, add_member):
    add_member(rye_lane, 1)
    TeamLink.objects.create(ward_page=rye_lane, label="X (Twitter)", url="https://x.com/MPSRyeLane")

    html = client.get(rye_lane.url).content.decode()

    assert "PC Officer 1" in html and "Police Constable" in html
    assert 'alt="Officer 1 smiling"' in html
    assert 'href="mailto:ryelane.snt@met.police.uk"' in html and 'href="tel:02072301212"' in html
    assert 'href="https://x.com/MPSRyeLane"' in html
    assert "not an emergency service" in html and 'href="tel:999"' in html


def test_upcoming_meetings_are_shown_and_past_ones_are_gone(client, rye_lane, add_event):
    add_event(rye_lane, -2, title="Last week's street briefing")
    add_event(rye_lane, 9, title="Street briefing on Choumert Road")
    add_event(rye_lane, 20, kind=Event.Kind.WARD_PANEL, title="Ward panel meeting")

    html = client.get(rye_lane.url).content.decode()

    assert "Last week&#x27;s street briefing" not in html
    assert html.index("Street briefing on Choumert Road") < html.index("Ward panel meeting")
    assert "Step-free access and a hearing loop." in html
    assert "It next meets on" in html and "Anyone who lives or works in Rye Lane can join" in html


def test_a_photo_needs_a_description(rye_lane, add_member):
    member = add_member(rye_lane, 1)
    member.photo_alt = ""
    with pytest.raises(ValidationError, match="Describe the photo"):
        member.clean()


def test_an_event_must_finish_after_it_starts(rye_lane, add_event):
    event = add_event(rye_lane, 3)
    event.ends_at = event.starts_at
    with pytest.raises(ValidationError, match="finish time"):
        event.clean()


def test_the_ward_page_costs_the_same_queries_however_much_it_shows(
    client, rye_lane, add_event, add_member, add_priority, add_neighbourhood, django_capture_on_commit_callbacks
):
    add_priority(rye_lane, updates=[(1, "One thing.")])
    add_member(rye_lane, 1)
    add_event(rye_lane, 5)
    client.get(rye_lane.url)  # image renditions are made on first view
    with CaptureQueriesContext(connection) as small:
        client.get(rye_lane.url)
    for n in range(2):
        add_priority(rye_lane, title=f"Another {n}", updates=[(day, f"Update {day}") for day in range(1, 11)])
    for n in range(2, 7):
        add_member(rye_lane, n)
    for day in range(6, 12):
        add_event(rye_lane, day, title=f"Event {day}")
    TeamLink.objects.create(ward_page=rye_lane, label="Facebook", url="https://facebook.com/ryelane")
    with django_capture_on_commit_callbacks(execute=True):  # publishing them starts the pages' caches afresh
        for name in ("Bellenden", "Choumert"):
            add_neighbourhood(rye_lane.get_parent(), title=name, listed="SE15 5DB")
    client.get(rye_lane.url)
    with CaptureQueriesContext(connection) as large:
        response = client.get(rye_lane.url)

    html = response.content.decode()
    assert "Update 10" in html and "PC Officer 6" in html and "Event 11" in html and "Choumert" in html
    # 14 (19 before the ward, its crime section and natural neighbourhoods were kept until the next
    # publish or import): one of them the "You said" summaries, part of the page since survey
    # summaries are approved with it.
    assert len(large) == len(small) <= 14, "\n".join(q["sql"][:110] for q in large)
