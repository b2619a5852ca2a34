"""A real police.uk client library reading the police.uk-compatible API over HTTP. It commits
what it builds (a live server's thread reads it), so it has a file of its own: see tests/conftest.py."""

import datetime

import pytest
import requests
from django.utils import timezone
from django.utils.html import escape
from police_api import PoliceAPI

from home.demo import demo_content_load
from open_data.police_uk import outline_points
from priorities.models import BoroughPage, Priority, WardPage

API = "/api/police-uk/"


@pytest.fixture
def demo_teams(sample_london_committed):
    """Every ward of the sample with its demo team, priorities and meetings, and a borough commander."""
    demo_content_load()
    BoroughPage.objects.filter(borough__code="E09000028").update(commander_name="Chief Superintendent Jo Bloggs")


def test_a_police_uk_client_library_reads_every_neighbourhood(live_server, demo_teams):
    """police-api-client, written for data.police.uk, pointed at this site over real HTTP."""
    api = PoliceAPI(base_url=f"{live_server.url}{API}", timeout=10)
    forces = api.get_forces()
    assert [(force.id, force.name) for force in forces] == [("metropolitan", "Metropolitan Police Service")]
    met = forces[0]
    assert met.telephone == "101" and met.url.startswith("https://")
    assert [officer.name for officer in met.senior_officers] == ["Chief Superintendent Jo Bloggs"]

    neighbourhoods = met.neighbourhoods
    read = {"officers": 0, "events": 0, "priorities": 0}
    assert len(neighbourhoods) == WardPage.objects.live().count() > 3
    for neighbourhood in neighbourhoods:
        page = WardPage.objects.get(ward_id=neighbourhood.id)
        html = requests.get(neighbourhood.url_force, timeout=10).text  # the ward page residents see
        assert neighbourhood.name == page.title and escape(page.title) in html
        assert isinstance(neighbourhood.population, int)
        assert [officer.name for officer in neighbourhood.officers] == [m.name for m in page.team_members.all()]
        for officer in neighbourhood.officers:
            assert escape(officer.name) in html
        for event in neighbourhood.events:  # parsed by the client as YYYY-MM-DDTHH:MM:SS
            assert event.start_date > timezone.localtime().replace(tzinfo=None) - datetime.timedelta(days=1)
            assert escape(event.title) in html
        active = page.priorities.filter(status=Priority.Status.ACTIVE)
        assert len(neighbourhood.priorities) == active.count()
        for priority in active:
            assert escape(priority.title) in html
        assert len(neighbourhood.boundary) == len(outline_points(page.ward.outline))
        for name in read:
            read[name] += len(getattr(neighbourhood, name))
    assert all(read.values()), read  # the demo teams have all three

    located = api.locate_neighbourhood(51.501009, -0.141588)
    assert located.id == "E05013806" and located.name == "St. James's"
    assert api.locate_neighbourhood(53.4808, -2.2426) is None  # outside: the client's 404 path
