"""The street map on a ward page, as the server writes it: only where a tile server is configured,
with everything the script needs in the page and nothing it runs inline."""

import json
import re

import pytest

from priorities.models import WardPage


@pytest.fixture
def rye_lane(sample_london):
    return WardPage.objects.get(ward__code="E05011113")


def test_with_no_tile_server_the_page_has_only_its_own_drawn_outline(client, rye_lane):
    html = client.get(rye_lane.url).content.decode()

    assert 'aria-labelledby="ward-map-title"' in html  # the outline the site draws
    assert "data-slippy-map" not in html and "leaflet" not in html and "slippy-map-outline" not in html


def test_with_a_tile_server_the_page_carries_the_street_map_for_its_script(client, rye_lane, map_tiles):
    map_tiles("https://{s}.tiles.example.org/{z}/{x}/{y}.png?key=abc", attribution="© Example <Maps> & Co")

    html = client.get(rye_lane.url).content.decode()

    assert 'aria-label="Street map of Rye Lane ward"' in html
    assert "tab to it and use the arrow keys; zoom in and out with + and -" in html
    assert 'data-tiles-url="https://{s}.tiles.example.org/{z}/{x}/{y}.png?key=abc"' in html
    assert 'data-attribution="© Example &lt;Maps&gt; &amp; Co"' in html  # text, escaped
    assert re.search(r'<script src="/static/js_lib_leaflet/leaflet\.js" defer>', html)
    assert re.search(r'<script src="/static/js/slippy_map\.js" defer>', html)
    assert 'aria-labelledby="ward-map-title"' in html  # the drawn outline and its text stay for everyone
    # The outline is data the script reads, not code the browser runs.
    data = re.search(r'<script id="slippy-map-outline" type="application/json">(.*?)</script>', html, re.S)
    assert json.loads(data.group(1)) == rye_lane.ward.outline


def test_the_street_map_adds_no_queries_to_the_ward_page(client, rye_lane, map_tiles, django_assert_max_num_queries):
    client.get(rye_lane.url)
    with django_assert_max_num_queries(100) as without:
        client.get(rye_lane.url)
    map_tiles("https://tiles.example.org/{z}/{x}/{y}.png")
    with django_assert_max_num_queries(len(without.captured_queries)):
        client.get(rye_lane.url)
