"""Issue 18's "done when": for every natural neighbourhood in the demo, every one of its postcodes
looked up (HTML and API) names it, and a postcode just outside does not. On the whole of London
from the real OS Code-Point Open release in SN_DATA_DIR (CI sets it), with the demo content that
`make run` loads."""

import html
import itertools
import os
import re
from pathlib import Path

import pytest
import shapely
from django.core.cache import cache
from django.db import transaction
from django.test import override_settings
from shapely.geometry import shape
from wagtail.models import PageViewRestriction

from geography.models import Postcode
from geography.services import geography_import
from home.demo import demo_content_load
from home.services import page_tree_build
from priorities.demo import DEMO_NEIGHBOURHOODS
from priorities.models import NeighbourhoodPage

pytestmark = pytest.mark.london

DATA_DIR = os.environ.get("SN_DATA_DIR", "")
if not DATA_DIR or not any(Path(DATA_DIR).rglob("Codelist.xlsx")):
    pytest.skip("SN_DATA_DIR does not hold OS Code-Point Open", allow_module_level=True)

LOOKUP, FIND = "/api/v1/lookup/", "/find-your-team/"
# The postcodes nearest each neighbourhood's outline that are not in it: those just outside.
JUST_OUTSIDE = 15
_residents = itertools.count(1)


def get(client, address: str, query: dict):
    """A GET from a resident of its own: each has an address of its own, as the API's rate limit counts."""
    n = next(_residents)
    return client.get(address, query, REMOTE_ADDR=f"10.{n // 65536}.{n // 256 % 256}.{n % 256}")


@pytest.fixture(scope="module")
def demo_london(django_db_setup, django_db_blocker):
    """All of London imported, its pages built and the demo content loaded (the demo natural
    neighbourhoods published, their areas worked out) once for this module, rolled back after."""
    with django_db_blocker.unblock(), override_settings(SN_DATA_DIR=""):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            geography_import(source=Path(DATA_DIR))
            page_tree_build()
            demo_content_load()
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            cache.clear()


@pytest.fixture
def neighbourhoods(demo_london, db):
    """Each demo neighbourhood's page, by slug, with its postcodes (formatted) and its officers."""
    pages = {page.slug: page for page in NeighbourhoodPage.objects.live()}
    assert sorted(pages) == sorted(demo.slug for demo in DEMO_NEIGHBOURHOODS)
    for page in pages.values():
        page.postcode_set = set(page.postcodes.values_list("postcode_id", flat=True))
        page.officer_list = page.officers_shown()
        assert page.postcode_set and page.officer_list, page.slug
    return pages


def named(client, slug, **query) -> bool:
    """Whether the lookup API names the neighbourhood, checked against what it says of it."""
    found = get(client, LOOKUP, query).json()["neighbourhoods"]
    return any(place["slug"] == slug for place in found)


def words(markup: str) -> str:
    """Some HTML as a person reads it: no tags, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def you_are_in(response) -> list[str]:
    """What find-your-team says of each neighbourhood: "You are in Bellenden, looked after by ..."."""
    return [words(said).replace(" ,", ",") for said in re.findall(r"<p[^>]*>(You are in .*?)</p>", response.text)]


def just_outside(page) -> list[str]:
    """The postcodes nearest the outline of a neighbourhood that are not in it, nearest first
    (a postcode inside the outline but left out of the area is nearest of all)."""
    outline = shape(page.outline)
    west, south, east, north = outline.bounds
    around = list(
        Postcode.objects.filter(
            latitude__range=(south - 0.005, north + 0.005), longitude__range=(west - 0.008, east + 0.008)
        )
        .exclude(postcode__in=page.postcode_set)
        .values_list("postcode", "latitude", "longitude")
    )
    distances = shapely.distance(outline, shapely.points([(lng, lat) for _, lat, lng in around]))
    return [postcode for _, (postcode, _, _) in sorted(zip(distances, around, strict=True))][:JUST_OUTSIDE]


def test_every_postcode_of_every_demo_neighbourhood_names_it_in_the_api(client, neighbourhoods):
    for page in neighbourhoods.values():
        expected = {"slug": page.slug, "name": page.title, "url": f"http://testserver{page.url}"}
        wrong = {}
        for postcode in sorted(page.postcode_set):
            answer = get(client, LOOKUP, {"q": postcode}).json()
            if answer["postcode"] != postcode or answer["neighbourhoods"] != [expected]:
                wrong[postcode] = answer
        assert not wrong, (page.slug, len(wrong), next(iter(wrong.items())))
        assert client.get(expected["url"]).status_code == 200


def test_every_postcode_of_every_demo_neighbourhood_names_it_on_find_your_team(client, neighbourhoods):
    for page in neighbourhoods.values():
        start = f"You are in {page.title}, looked after by "
        wrong = {}
        for postcode in sorted(page.postcode_set):
            response = get(client, FIND, {"postcode": postcode.replace(" ", "").lower()})  # as people type it
            said = you_are_in(response)
            if response.status_code != 200 or len(said) != 1 or not said[0].startswith(start):
                wrong[postcode] = (response.status_code, said)
                continue
            # "PC A of the Rye Lane team and PC B of the Peckham team", each officer named with their team
            looked_after = said[0].removeprefix(start)
            teams = {officer.ward_page.title for officer in page.officer_list}
            if not all(officer.name in looked_after for officer in page.officer_list) or not all(
                f"of the {team} team" in looked_after for team in teams
            ):
                wrong[postcode] = looked_after
            elif f'<a href="{page.url}">{html.escape(page.title)}</a>' not in response.text:
                wrong[postcode] = "no link to its page"
        assert not wrong, (page.slug, len(wrong), next(iter(wrong.items())))


def test_a_postcode_just_outside_a_demo_neighbourhood_does_not_name_it(client, neighbourhoods):
    for page in neighbourhoods.values():
        outside = just_outside(page)
        assert len(outside) == JUST_OUTSIDE, page.slug
        for postcode in outside:
            answer = get(client, LOOKUP, {"q": postcode}).json()
            assert answer["postcode"] == postcode and answer["wards"]
            assert page.slug not in {place["slug"] for place in answer["neighbourhoods"]}, (page.slug, postcode)
            response = get(client, FIND, {"postcode": postcode})
            assert response.status_code in (200, 302), postcode  # the ward's page, or the answer
            assert not any(page.title in said for said in you_are_in(response)), (page.slug, postcode)


def test_a_position_inside_a_demo_neighbourhood_names_it(client, neighbourhoods):
    for page in neighbourhoods.values():
        centre = shape(page.outline).centroid
        inside = (
            Postcode.objects.filter(postcode__in=page.postcode_set)
            .values_list("postcode", "latitude", "longitude")
            .order_by()
        )
        postcode, lat, lng = min(inside, key=lambda row: (row[1] - centre.y) ** 2 + (row[2] - centre.x) ** 2)

        answer = get(client, LOOKUP, {"lat": lat, "lng": lng}).json()
        assert answer["kind"] == "position" and answer["postcode"] in page.postcode_set, postcode
        assert [place["slug"] for place in answer["neighbourhoods"]] == [page.slug]
        said = you_are_in(get(client, FIND, {"lat": lat, "lng": lng}))
        assert len(said) == 1 and said[0].startswith(f"You are in {page.title}, looked after by ")


def test_a_sector_names_no_neighbourhood(client, neighbourhoods):
    sector = "N17 6"  # every postcode of it is in Broadwater Farm
    assert all(postcode.startswith(sector) for postcode in neighbourhoods["broadwater-farm"].postcode_set)

    answer = get(client, LOOKUP, {"q": sector}).json()

    assert answer["kind"] == "sector" and answer["wards"] and answer["neighbourhoods"] == []
    response = get(client, FIND, {"postcode": sector})
    assert response.status_code == 200 and "Wards in N17 6" in words(response.text) and not you_are_in(response)


def test_an_unpublished_or_private_neighbourhood_is_not_named_and_the_lookup_forgets_at_once(
    client, neighbourhoods, django_capture_on_commit_callbacks
):
    page = neighbourhoods["bellenden"]
    postcode = min(page.postcode_set)
    assert named(client, page.slug, q=postcode)  # and now the answer is cached

    with django_capture_on_commit_callbacks(execute=True):
        page.unpublish()
    assert not named(client, page.slug, q=postcode)
    assert not you_are_in(get(client, FIND, {"postcode": postcode}))

    with django_capture_on_commit_callbacks(execute=True):
        page.get_latest_revision().publish()
    assert named(client, page.slug, q=postcode)

    with django_capture_on_commit_callbacks(execute=True):
        restriction = PageViewRestriction.objects.create(
            page=page, restriction_type=PageViewRestriction.PASSWORD, password="a-private-password"
        )
    assert not named(client, page.slug, q=postcode)
    assert not you_are_in(get(client, FIND, {"postcode": postcode}))

    with django_capture_on_commit_callbacks(execute=True):
        restriction.delete()
    assert named(client, page.slug, q=postcode)
