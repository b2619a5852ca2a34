"""Issue 13: a ward page under a Wagtail view restriction (here a password) is private: nothing of it,
nor of its priorities, "we did" updates and meetings, shows through the open data API, the police.uk
API, the borough's Atom feed and calendar, the postcode lookup, the sitemap or site search."""

import pytest
from wagtail.models import PageViewRestriction

from priorities.models import Event, WardPage

RYE_LANE = "E05011113"
SECRET = "Private-priority-secret"
UPDATE = "Private-update-secret"
MEETING = "Private-meeting-secret"


@pytest.fixture
def private_rye_lane(sample_london, add_priority, add_event):
    page = WardPage.objects.get(ward__code=RYE_LANE)
    add_priority(page, title=SECRET, updates=[(5, UPDATE)])
    add_event(page, 5, kind=Event.Kind.WARD_PANEL, title=MEETING)
    PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.PASSWORD, password="a-private-password"
    )
    return page


SURFACES = {
    "ward": f"/api/v1/wards/{RYE_LANE}/",
    "ward_team": f"/api/v1/wards/{RYE_LANE}/team/",
    "ward_events": f"/api/v1/wards/{RYE_LANE}/events/",
    "ward_priorities": f"/api/v1/wards/{RYE_LANE}/priorities/",
    "priorities": "/api/v1/priorities/",
    "borough_priorities": "/api/v1/priorities/?borough=E09000028",
    "police_uk_neighbourhood": f"/api/police-uk/metropolitan/{RYE_LANE}",
    "police_uk_priorities": f"/api/police-uk/metropolitan/{RYE_LANE}/priorities",
    "police_uk_events": f"/api/police-uk/metropolitan/{RYE_LANE}/events",
    "borough_page": "/southwark/",  # every ward's active priorities at a glance
    "borough_feed": "/southwark/updates/",
    "borough_calendar": "/southwark/calendar/",
    "ward_feed": "/southwark/rye-lane/updates/",
    "ward_calendar": "/southwark/rye-lane/calendar/",
    "search": "/search/?q=race",  # the priority's "you said": cars race down Rye Lane
    "sitemap": "/sitemap.xml",
}


@pytest.mark.parametrize("surface", SURFACES)
def test_a_private_ward_page_shows_through_no_api_feed_or_search(client, private_rye_lane, surface):
    response = client.get(SURFACES[surface])

    content = response.content.decode()
    for secret in (SECRET, UPDATE, MEETING, "/southwark/rye-lane/\n", "/southwark/rye-lane/<"):
        assert secret not in content, (surface, response.status_code)
    assert response.status_code in (200, 401, 404), response.status_code


def test_the_same_surfaces_show_a_public_ward_page(client, sample_london, add_priority, add_event):
    """The check above can fail: without the restriction, each surface shows the ward's content."""
    page = WardPage.objects.get(ward__code=RYE_LANE)
    add_priority(page, title=SECRET, updates=[(5, UPDATE)])
    add_event(page, 5, kind=Event.Kind.WARD_PANEL, title=MEETING)

    shown = {
        surface: any(s in client.get(url).content.decode() for s in (SECRET, UPDATE, MEETING))
        for surface, url in SURFACES.items()
        if surface not in ("sitemap", "police_uk_neighbourhood", "ward", "ward_team", "search")
    }

    assert all(shown.values()), shown


def test_the_postcode_lookup_gives_a_private_ward_no_address(client, private_rye_lane):
    wards = client.get("/api/v1/lookup/", {"q": "SE15"}).json()["wards"]

    rye_lane = next(ward for ward in wards if ward["code"] == RYE_LANE)
    assert rye_lane["url"] is None
    assert all(ward["url"] for ward in wards if ward["code"] != RYE_LANE)


def test_making_a_page_private_takes_it_out_of_answers_already_cached(
    client, sample_london, add_priority, django_capture_on_commit_callbacks
):
    add_priority(WardPage.objects.get(ward__code=RYE_LANE), title=SECRET)
    assert SECRET in client.get("/api/v1/priorities/").content.decode()
    assert client.get("/api/v1/lookup/", {"q": "SE15"}).json()["wards"][1]["url"]

    page = WardPage.objects.get(ward__code=RYE_LANE)
    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)

    assert SECRET not in client.get("/api/v1/priorities/").content.decode()
    assert client.get("/api/v1/lookup/", {"q": "SE15"}).json()["wards"][1]["url"] is None


def test_a_private_wards_panel_cannot_be_joined_from_outside_and_a_public_ones_can(client, private_rye_lane):
    """The join page names the ward and links its page: for a private ward, nobody outside may use it."""
    assert client.get(f"/ward-panels/{RYE_LANE}/join/").status_code == 404
    assert client.get("/ward-panels/E05011110/join/").status_code == 200  # Peckham, public
