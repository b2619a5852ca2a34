"""Natural neighbourhoods: their area as published, what the lookup, their page, the ward and
borough pages and the feeds say of them."""

import datetime
import re
import xml.etree.ElementTree as ET  # noqa: S405 - parsing our own feed

import pytest
from wagtail.models import PageViewRestriction

from geography.selectors import AreaNotUnderstood, area_of
from home.demo import demo_content_load
from priorities.demo import neighbourhood_demo_load
from priorities.models import BoroughPage, NeighbourhoodPage, NeighbourhoodPostcode, NeighbourhoodUpdate, WardPage
from priorities.selectors import ward_lookup_by_position, ward_lookup_by_postcode

ATOM = "{http://www.w3.org/2005/Atom}"
RYE_LANE, PECKHAM = "E05011113", "E05011110"


@pytest.fixture
def southwark(sample_london):
    return BoroughPage.objects.get(borough__code="E09000028")


@pytest.fixture
def rye_lane_pc(sample_london, add_member):
    return add_member(WardPage.objects.get(ward__code=RYE_LANE), 1, photo=False)


# The area: postcodes listed, sectors, drawings.


def test_an_area_is_the_postcodes_listed_and_those_inside_its_drawing(sample_london):
    # A small square around SE15 5DB and SE15 5DD (Rye Lane), drawn; SE15 5RS (Peckham) listed.
    drawn = {
        "type": "Feature",
        "geometry": {
            "type": "Polygon",
            "coordinates": [
                [[-0.073, 51.4695], [-0.0705, 51.4695], [-0.0705, 51.471], [-0.073, 51.471], [-0.073, 51.4695]]
            ],
        },
    }
    area = area_of(listed="se15 5rs", drawing=drawn)

    assert area.postcodes == ("SE15 5DB", "SE15 5DD", "SE15 5RS")
    assert area.ward_codes == (PECKHAM, RYE_LANE)
    assert area.outline["type"] in ("Polygon", "MultiPolygon")
    assert area.not_found == ()


def test_a_sector_listed_brings_all_its_postcodes(sample_london):
    assert area_of(listed="SE15 5").postcodes == ("SE15 5DB", "SE15 5DD", "SE15 5DQ", "SE15 5RP", "SE15 5RS")


@pytest.mark.parametrize(
    ("listed", "drawing", "says"),
    [
        ("SE15", None, "SE15 (a whole district: list its sectors"),
        ("Bellenden Road", None, "not full postcodes or postcode sectors (such as SE15 4): Bellenden Road"),
        ("", {"type": "Point", "coordinates": [-0.07, 51.46]}, "holds no shape"),
        (
            "",
            {"type": "Polygon", "coordinates": [[[51.46, -0.07], [51.47, -0.07], [51.47, -0.06], [51.46, -0.07]]]},
            "not in London",
        ),
        ("", "a drawing", "must be GeoJSON"),
    ],
)
def test_an_area_that_cannot_be_read_says_what_is_wrong(sample_london, listed, drawing, says):
    with pytest.raises(AreaNotUnderstood, match=re.escape(says)):
        area_of(listed=listed, drawing=drawing)


def test_postcodes_london_does_not_have_are_named_not_taken(sample_london):
    area = area_of(listed="SE15 5DB, SE15 9ZZ, SE22 8")
    assert area.postcodes == ("SE15 5DB",)
    assert area.not_found == ("SE15 9ZZ", "SE22 8")


def test_publishing_writes_its_area_and_publishing_again_changes_it(southwark, add_neighbourhood):
    page = add_neighbourhood(southwark, listed="SE15 5DB\nSE15 5RS")
    page.refresh_from_db()
    assert set(page.postcodes.values_list("postcode_id", flat=True)) == {"SE15 5DB", "SE15 5RS"}
    assert set(page.wards.values_list("code", flat=True)) == {RYE_LANE, PECKHAM}
    assert page.outline is not None

    page.area_postcodes = "SE15 5DQ"
    page.save_revision().publish()

    assert list(NeighbourhoodPostcode.objects.filter(page=page).values_list("postcode_id", flat=True)) == ["SE15 5DQ"]
    assert list(page.wards.values_list("code", flat=True)) == [RYE_LANE]


# The lookup.


def test_the_lookup_names_the_neighbourhood_and_its_officers(client, southwark, add_neighbourhood, rye_lane_pc):
    add_neighbourhood(southwark, officers=[rye_lane_pc])

    response = client.get("/find-your-team/", {"postcode": "se15 5db"})

    assert response.status_code == 200  # not sent straight on to the ward's page: the answer names both
    html = response.content.decode()
    assert (
        'You are in <a href="/southwark/bellenden/">Bellenden</a>, looked after by PC Officer 1 of the Rye Lane team.'
        in html
    )
    assert '<a href="/southwark/rye-lane/">Rye Lane</a>' in html
    api = client.get("/api/v1/lookup/", {"q": "SE15 5DB"}).json()
    assert api["neighbourhoods"] == [
        {"slug": "bellenden", "name": "Bellenden", "url": "http://testserver/southwark/bellenden/"}
    ]


def test_a_postcode_outside_it_goes_straight_to_its_ward_team(client, southwark, add_neighbourhood):
    add_neighbourhood(southwark, listed="SE15 5DB")

    response = client.get("/find-your-team/", {"postcode": "SE15 5DD"})

    assert response.status_code == 302 and response["Location"] == "/southwark/rye-lane/"
    assert client.get("/api/v1/lookup/", {"q": "SE15 5DD"}).json()["neighbourhoods"] == []


def test_a_position_names_the_neighbourhood_of_its_nearest_postcode_and_a_sector_none(southwark, add_neighbourhood):
    add_neighbourhood(southwark, listed="SE15 5DB")
    inside = ward_lookup_by_postcode("SE15 5DB")

    assert [n.slug for n in ward_lookup_by_position(inside.latitude, inside.longitude).neighbourhoods] == ["bellenden"]
    assert ward_lookup_by_postcode("SE15 5").neighbourhoods == ()


def test_unpublished_or_private_neighbourhoods_are_not_named(
    southwark, add_neighbourhood, django_capture_on_commit_callbacks
):
    page = add_neighbourhood(southwark, listed="SE15 5DB")
    draft = add_neighbourhood(southwark, title="Choumert", listed="SE15 5DB", publish=False)
    assert [n.slug for n in ward_lookup_by_postcode("SE15 5DB").neighbourhoods] == ["bellenden"]
    assert draft.slug not in {n.slug for n in ward_lookup_by_postcode("SE15 5DB").neighbourhoods}

    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)
    assert ward_lookup_by_postcode("SE15 5DB").neighbourhoods == ()

    PageViewRestriction.objects.filter(page=page).delete()
    with django_capture_on_commit_callbacks(execute=True):
        page.unpublish()
    assert ward_lookup_by_postcode("SE15 5DB").neighbourhoods == ()


def test_a_lookup_in_a_neighbourhood_is_still_one_query(southwark, add_neighbourhood, django_assert_num_queries):
    add_neighbourhood(southwark)
    ward_lookup_by_postcode("SE15 5RP")  # the process holds its tables of wards and neighbourhoods

    with django_assert_num_queries(1):  # the postcode table, as for any other lookup
        found = ward_lookup_by_postcode("SE15 5RS")

    assert [n.name for n in found.neighbourhoods] == ["Bellenden"]


# Its page, and the pages that lead to it.


def test_its_page_shows_its_officers_updates_meetings_the_ward_priorities_and_a_map(
    client, southwark, add_neighbourhood, rye_lane_pc, add_priority
):
    add_priority(WardPage.objects.get(ward__code=RYE_LANE), title="Speeding on Rye Lane")
    page = add_neighbourhood(southwark, officers=[rye_lane_pc], hear_by=["street_meeting", "noticeboard"])
    page.updates = [
        NeighbourhoodUpdate(date=datetime.date(2026, 11, 2), you_said="Bikes stolen", we_did="Marked 40 bikes")
    ]
    page.save_revision().publish()

    html = client.get("/southwark/bellenden/").content.decode()

    assert "PC Officer 1" in html and '<a href="/southwark/rye-lane/">Rye Lane team</a>' in html
    assert "<li>Street meetings</li>" in html and "<li>Noticeboards and leaflets</li>" in html
    assert "<strong>You said:</strong> Bikes stolen <strong>We did:</strong> Marked 40 bikes" in html
    assert "<h3>Rye Lane</h3>" in html and "Speeding on Rye Lane" in html
    assert 'id="area-map-title"' in html and "takes in 2 postcodes" in html
    assert (
        'It is in <a href="/southwark/peckham/">Peckham</a> and <a href="/southwark/rye-lane/">Rye Lane</a>: '
        "the wards whose Safer Neighbourhoods Teams police it." in html
    )


def test_ward_and_borough_pages_list_their_public_neighbourhoods(client, southwark, add_neighbourhood):
    add_neighbourhood(southwark, listed="SE15 5RS")  # Peckham only
    add_neighbourhood(southwark, title="Not yet", listed="SE15 5DB", publish=False)

    peckham = client.get("/southwark/peckham/").content.decode()
    rye_lane = client.get("/southwark/rye-lane/").content.decode()
    borough = client.get("/southwark/").content.decode()

    assert '<a href="/southwark/bellenden/">Bellenden</a>' in peckham
    assert "Natural neighbourhoods" not in rye_lane
    assert "{#" not in peckham and "{% comment" not in borough  # the template's own notes stay out of the page
    assert '<a href="/southwark/bellenden/">Bellenden</a>' in borough and "Not yet" not in borough


def test_its_updates_flow_into_its_wards_and_boroughs_feeds(client, southwark, add_neighbourhood, add_priority):
    add_priority(WardPage.objects.get(ward__code=PECKHAM), updates=[(5, "Patrols on the high street")])
    page = add_neighbourhood(southwark, listed="SE15 5RS")
    page.updates = [
        NeighbourhoodUpdate(date=datetime.date(2026, 11, 2), you_said="Bikes stolen", we_did="Marked 40 bikes")
    ]
    page.save_revision().publish()
    update = NeighbourhoodUpdate.objects.get(page=page)

    for address in ("/southwark/peckham/updates/", "/southwark/updates/", "/southwark/bellenden/updates/"):
        feed = ET.fromstring(client.get(address).content)  # noqa: S314 - our own feed
        entries = {entry.find(f"{ATOM}title").text: entry for entry in feed.iter(f"{ATOM}entry")}
        assert "Bellenden: Bikes stolen" in entries, address
        ours = entries["Bellenden: Bikes stolen"]
        assert ours.find(f"{ATOM}id").text.endswith(f":neighbourhood-update-{update.pk}")
        assert ours.find(f"{ATOM}link").get("href") == f"http://testserver/southwark/bellenden/#update-{update.pk}"
    rye_lane = client.get("/southwark/rye-lane/updates/").content.decode()
    assert "Bikes stolen" not in rye_lane  # not in that ward


def test_the_demo_neighbourhoods_are_labelled_and_made_once(client, sample_london):
    demo_content_load()

    page = NeighbourhoodPage.objects.get(slug="bellenden")  # the only demo place in the sample
    assert page.live and {"SE15 5DB", "SE15 5DD"} <= set(page.postcodes.values_list("postcode_id", flat=True))
    assert "<strong>Demo content.</strong>" in client.get(page.url).content.decode()
    assert page.officers.count() >= 1 and page.updates.count() == 2
    assert neighbourhood_demo_load() == 0  # loading again makes no second Bellenden
    assert NeighbourhoodPage.objects.count() == 1
