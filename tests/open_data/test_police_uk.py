"""The police.uk-compatible API: police.uk's shapes, our published data, and a real police.uk
client library reading it over HTTP."""

import datetime
import json
from pathlib import Path

import pytest

from open_data.police_uk import outline_points
from priorities.models import BoroughPage, EngagementMethod, ForceProfile, Priority, TeamLink, WardPage

EXAMPLES = json.loads((Path(__file__).parent / "police_uk_examples.json").read_text())
API = "/api/police-uk/"
RYE_LANE = "E05011113"
SUMMER_MEETING = datetime.datetime(2027, 6, 10, 17, 30, tzinfo=datetime.UTC)  # 18:30 in London (BST)


def same_shape(ours, example, where="answer"):
    """Our answer has police.uk's keys, no others, and the same JSON types (null allowed for a
    value police.uk may leave empty). contact_details is open-ended: strings under any key."""
    if isinstance(example, dict):
        assert isinstance(ours, dict), where
        if where.endswith("contact_details"):
            assert all(isinstance(value, str) and value for value in ours.values()), where
            return
        assert set(ours) == set(example), f"{where}: {sorted(set(ours) ^ set(example))}"
        for key, value in example.items():
            same_shape(ours[key], value, f"{where}.{key}")
    elif isinstance(example, list):
        assert isinstance(ours, list), where
        for item in ours:
            same_shape(item, example[0], f"{where}[]")
    elif ours is not None and example is not None:
        assert type(ours) is type(example), f"{where}: {type(ours).__name__}, police.uk has {type(example).__name__}"


@pytest.fixture
def rye_lane(sample_london, add_event, add_member, add_priority):
    """A ward page with everything police.uk can say about a neighbourhood filled in."""
    page = WardPage.objects.get(ward__code=RYE_LANE)
    page.introduction = "<p>We are the Rye Lane team.</p>"
    page.email = "ryelane.snt@met.police.uk"
    page.base_address = "Peckham Police Station\n177 Peckham High Street\nLondon SE15 5DB"
    page.save()
    TeamLink.objects.create(ward_page=page, label="X", url="https://x.com/MPSRyeLane")
    TeamLink.objects.create(ward_page=page, label="Southwark Council", url="https://www.southwark.gov.uk/")
    add_member(page, 1, photo=False)
    TeamMember = page.team_members.model
    TeamMember.objects.create(ward_page=page, name="Sergeant Ada Obi", role="sergeant", bio="Ten years in Peckham.")
    meeting = add_event(page, 10, kind="ward_panel", title="Ward panel")
    meeting.starts_at, meeting.ends_at = SUMMER_MEETING, SUMMER_MEETING + datetime.timedelta(hours=2)
    meeting.save()
    add_event(page, -3, title="Already happened")
    add_priority(page, updates=[(3, "Speed checks on three mornings."), (20, "14 drivers warned.")])
    add_priority(page, title="No updates yet")
    add_priority(page, title="Old problem", status=Priority.Status.RESOLVED)
    borough = BoroughPage.objects.get(borough__code="E09000028")
    borough.commander_name = "Chief Superintendent Jo Bloggs"
    borough.commander_role = "Commander, Central South"
    borough.save()
    profile = ForceProfile.load()
    profile.description = "<p>London's police.</p>"
    profile.save()
    EngagementMethod.objects.create(profile=profile, kind="facebook", title="On Facebook", url="https://facebook.com/x")
    return page


CALLS = {
    "forces": "forces",
    "forces/{force}": "forces/metropolitan",
    "forces/{force}/people": "forces/metropolitan/people",
    "{force}/neighbourhoods": "metropolitan/neighbourhoods",
    "{force}/{id}": f"metropolitan/{RYE_LANE}",
    "{force}/{id}/people": f"metropolitan/{RYE_LANE}/people",
    "{force}/{id}/events": f"metropolitan/{RYE_LANE}/events",
    "{force}/{id}/priorities": f"metropolitan/{RYE_LANE}/priorities",
    "{force}/{id}/boundary": f"metropolitan/{RYE_LANE}/boundary",
    "locate-neighbourhood": "locate-neighbourhood?q=51.4710,-0.0690",
}


@pytest.mark.parametrize("call", CALLS)
def test_every_call_answers_in_police_uks_shape(client, rye_lane, call):
    response = client.get(API + CALLS[call])

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    answer = response.json()
    assert answer, "an empty answer proves nothing about its shape"
    same_shape(answer, EXAMPLES[call])


def test_a_neighbourhood_says_what_its_team_page_says(client, rye_lane):
    answer = client.get(f"{API}metropolitan/{RYE_LANE}").json()

    assert answer["id"] == RYE_LANE and answer["name"] == "Rye Lane"
    assert answer["description"] == "<p>We are the Rye Lane team.</p>"
    assert answer["url_force"] == "http://testserver/southwark/rye-lane/"
    assert answer["population"] == "0"
    assert float(answer["centre"]["latitude"]) == pytest.approx(rye_lane.ward.latitude)
    # Only what the team gave: no telephone, and its X account where police.uk keeps twitter.
    assert answer["contact_details"] == {
        "email": "ryelane.snt@met.police.uk",
        "twitter": "https://x.com/MPSRyeLane",
        "web": "http://testserver/southwark/rye-lane/",
        "rss": "http://testserver/southwark/rye-lane/updates/",
    }
    assert [link["title"] for link in answer["links"]] == ["Southwark Council", "Southwark Safer Neighbourhoods"]
    base = answer["locations"][0]
    assert (base["name"], base["address"], base["postcode"], base["type"]) == (
        "Peckham Police Station",
        "177 Peckham High Street, London SE15 5DB",
        "SE15 5DB",
        "station",
    )
    assert base["latitude"].startswith("51.4") and base["longitude"].startswith("-0.0")


def test_people_are_the_team_with_their_roles(client, rye_lane):
    people = client.get(f"{API}metropolitan/{RYE_LANE}/people").json()

    assert people == [
        {"name": "PC Officer 1", "rank": "Police Constable", "bio": None, "contact_details": {}},
        {"name": "Sergeant Ada Obi", "rank": "Sergeant", "bio": "<p>Ten years in Peckham.</p>", "contact_details": {}},
    ]


def test_events_are_upcoming_meetings_in_london_time_without_a_zone(client, rye_lane):
    events = client.get(f"{API}metropolitan/{RYE_LANE}/events").json()

    assert [event["title"] for event in events] == ["Ward panel"]  # the past one is gone
    assert events[0]["start_date"] == "2027-06-10T18:30:00"  # British Summer Time, as Londoners read it
    assert events[0]["end_date"] == "2027-06-10T20:30:00"
    assert events[0]["type"] == "Ward panel meeting"
    assert events[0]["address"] == "Peckham Library, SE15 5JR"
    assert events[0]["contact_details"] == {"email": "ryelane.snt@met.police.uk"}


def test_priorities_are_what_residents_raised_and_the_latest_we_did(client, rye_lane):
    priorities = client.get(f"{API}metropolitan/{RYE_LANE}/priorities").json()

    assert len(priorities) == 2  # active ones, as on the page
    speeding, waiting = priorities
    assert speeding["issue"].startswith("<p><strong>Speeding on Rye Lane</strong></p><p>Cars race")
    assert speeding["issue-date"] == "2026-09-01T00:00:00"
    assert (speeding["action"], speeding["action-date"]) == ("<p>14 drivers warned.</p>", "2026-10-20T00:00:00")
    assert (waiting["action"], waiting["action-date"]) == (None, None)


def test_text_from_officers_is_escaped_html(client, rye_lane, add_priority):
    priority = add_priority(rye_lane, title="<script>alert(1)</script>")
    priority.you_said = "Fish & chips <b>"
    priority.save()

    issue = client.get(f"{API}metropolitan/{RYE_LANE}/priorities").json()[-1]["issue"]

    assert "<script>" not in issue
    assert "&lt;script&gt;" in issue and "Fish &amp; chips &lt;b&gt;" in issue


def test_the_boundary_is_the_wards_outline(client, rye_lane):
    points = client.get(f"{API}metropolitan/{RYE_LANE}/boundary").json()

    expected = outline_points(rye_lane.ward.outline)
    assert len(points) == len(expected) > 3
    assert (float(points[0]["longitude"]), float(points[0]["latitude"])) == tuple(expected[0])


def test_a_multipart_boundary_lists_the_largest_part_first():
    small = [[0, 0], [1, 0], [0, 1], [0, 0]]
    large = [[5, 5], [9, 5], [9, 9], [5, 9], [5, 5]]
    hole = [[6, 6], [7, 6], [6, 7], [6, 6]]

    points = outline_points({"type": "MultiPolygon", "coordinates": [[small], [large, hole]]})

    assert points == large + small


def test_the_force_and_its_senior_officers(client, rye_lane):
    force = client.get(f"{API}forces/metropolitan").json()
    people = client.get(f"{API}forces/metropolitan/people").json()

    assert force["description"] == "<p>London's police.</p>" and force["telephone"] == "101"
    assert force["engagement_methods"] == [
        {"url": "https://facebook.com/x", "description": None, "title": "On Facebook", "type": "facebook"}
    ]
    assert people == [
        {
            "name": "Chief Superintendent Jo Bloggs",
            "rank": "Commander, Central South",
            "bio": None,
            "contact_details": {"web": "http://testserver/southwark/"},
        }
    ]


def test_neighbourhoods_are_the_met_wards_with_published_pages(client, rye_lane):
    WardPage.objects.get(ward__code="E05011110").unpublish()  # Peckham

    neighbourhoods = client.get(f"{API}metropolitan/neighbourhoods").json()

    assert {"id": RYE_LANE, "name": "Rye Lane"} in neighbourhoods
    ids = {n["id"] for n in neighbourhoods}
    assert "E05011110" not in ids  # unpublished
    assert "E05009290" not in ids  # the City of London Police's
    assert len(ids) == WardPage.objects.live().count()
    assert client.get(f"{API}metropolitan/E05011110").status_code == 404


@pytest.mark.parametrize(
    "call",
    [
        "forces/city-of-london",
        "forces/nowhere/people",
        "nowhere/neighbourhoods",
        f"nowhere/{RYE_LANE}",
        "metropolitan/E05009290",  # a City ward
        "metropolitan/E05999999/people",
        "metropolitan/neighbourhood/priorities",
    ],
)
def test_unknown_forces_and_neighbourhoods_are_404_in_json(client, sample_london, call):
    response = client.get(API + call)

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    ("q", "status", "answer"),
    [
        ("51.501009,-0.141588", 200, {"force": "metropolitan", "neighbourhood": "E05013806"}),  # SW1A 1AA
        ("51.5175,-0.0965", 404, None),  # the City: not a neighbourhood this site serves
        ("53.4808,-2.2426", 404, None),  # Manchester
        ("51.5", 400, None),
        ("north,west", 400, None),
        ("", 400, None),
    ],
)
def test_locate_neighbourhood(client, sample_london, q, status, answer):
    response = client.get(f"{API}locate-neighbourhood", {"q": q})

    assert response.status_code == status
    if answer:
        assert response.json() == answer
    else:
        assert response.json()["code"]
