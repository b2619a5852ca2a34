import datetime
import re
import xml.etree.ElementTree as ET  # noqa: S405 - parsing our own feed

import icalendar
import pytest

from priorities.models import Event, WardPage

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def rye_lane(sample_london):
    return WardPage.objects.get(ward__code="E05011113")


def test_the_ward_calendar_holds_its_meetings_for_any_calendar_app(client, rye_lane, add_event):
    add_event(rye_lane, 9, kind=Event.Kind.WARD_PANEL, title="Ward panel meeting")
    add_event(rye_lane, -60, title="Long gone")

    response = client.get("/southwark/rye-lane/calendar/")

    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    assert [str(e["summary"]) for e in events] == ["Ward panel meeting"]
    assert str(events[0]["location"]) == "Peckham Library, SE15 5JR"
    assert "Step-free access" in str(events[0]["description"])
    assert str(events[0]["url"]) == "http://testserver/southwark/rye-lane/"
    assert events[0].decoded("dtend") - events[0].decoded("dtstart") == datetime.timedelta(hours=1)


def test_the_borough_calendar_gathers_every_wards_meetings(client, sample_london, add_event):
    add_event(WardPage.objects.get(ward__code="E05011113"), 3, title="Rye Lane briefing")
    add_event(WardPage.objects.get(ward__code="E05011110"), 4, title="Peckham briefing")
    add_event(WardPage.objects.get(ward__code="E05013806"), 5, title="Westminster briefing")

    calendar = icalendar.Calendar.from_ical(client.get("/southwark/calendar/").content)

    assert sorted(str(e["summary"]) for e in calendar.walk("VEVENT")) == ["Peckham briefing", "Rye Lane briefing"]


def test_we_did_updates_come_as_an_atom_feed_newest_first(client, rye_lane, add_priority):
    add_priority(rye_lane, updates=[(3, "Speed checks on three mornings."), (20, "14 drivers warned.")])

    response = client.get("/southwark/rye-lane/updates/")

    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)  # noqa: S314
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}summary") for e in entries] == ["14 drivers warned.", "Speed checks on three mornings."]
    assert entries[0].findtext(f"{ATOM}title") == "Speeding on Rye Lane: we did"
    assert entries[0].find(f"{ATOM}link").get("href").startswith("http://testserver/southwark/rye-lane/#priority-")


def test_pages_point_to_their_feeds(client, rye_lane):
    html = client.get(rye_lane.url).content.decode()
    borough = client.get("/southwark/").content.decode()

    assert 'rel="alternate" type="application/atom+xml"' in html
    assert 'href="/southwark/rye-lane/calendar/"' in html and 'href="/southwark/updates/"' in borough


def test_calendar_files_are_named_after_their_ward_or_borough(client, rye_lane):
    rye_lane.slug = "team"  # an editor's choice of address says nothing about the ward
    rye_lane.save_revision().publish()

    ward = client.get("/southwark/team/calendar/")
    borough = client.get("/southwark/calendar/")

    assert ward["Content-Disposition"] == 'inline; filename="rye-lane-ward-southwark-meetings.ics"'
    assert borough["Content-Disposition"] == 'inline; filename="southwark-borough-meetings.ics"'


def atom(client, path) -> ET.Element:
    return ET.fromstring(client.get(path).content)  # noqa: S314


def test_the_feeds_are_valid_atom(client, rye_lane, add_priority):
    """RFC 4287: a feed has one id, title and updated, and an author unless every entry has one;
    each entry has one id (an absolute IRI), title and updated, and a link or content."""
    add_priority(rye_lane, updates=[(3, "Speed checks on three mornings."), (20, "14 drivers warned.")])

    for path in ("/southwark/rye-lane/updates/", "/southwark/updates/"):
        feed = atom(client, path)
        for element in ("id", "title", "updated"):
            assert len(feed.findall(f"{ATOM}{element}")) == 1, (path, element)
        assert (
            feed.find(f"{ATOM}author")
            .findtext(f"{ATOM}name")
            .endswith("Safer Neighbourhoods Team" + ("s" if path == "/southwark/updates/" else ""))
        ), path
        entries = feed.findall(f"{ATOM}entry")
        assert len(entries) == 2, path
        for entry in entries:
            for element in ("id", "title", "updated"):
                assert len(entry.findall(f"{ATOM}{element}")) == 1, (path, element)
            assert re.fullmatch(r"(tag:[a-z0-9.-]+,\d{4}(-\d\d){0,2}:|https?://)\S+", entry.findtext(f"{ATOM}id")), path
            assert entry.find(f"{ATOM}link[@rel='alternate']") is not None, path
            assert entry.find(f"{ATOM}author").findtext(f"{ATOM}name") == "Rye Lane Safer Neighbourhoods Team"


def test_an_update_has_the_same_id_in_the_ward_and_borough_feeds(client, rye_lane, add_priority):
    add_priority(rye_lane, updates=[(3, "Speed checks on three mornings.")])

    ids = [
        [entry.findtext(f"{ATOM}id") for entry in atom(client, path).findall(f"{ATOM}entry")]
        for path in ("/southwark/rye-lane/updates/", "/southwark/updates/")
    ]

    assert ids[0] == ids[1] and len(ids[0]) == 1
