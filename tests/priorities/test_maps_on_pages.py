"""The maps residents see: a ward's, with its neighbours each a link and its team's places numbered;
a borough's wards, shaded by recorded crime with a key and the figures as a table; London's
boroughs on the index. All drawn on the server, so they work with nothing configured."""

import re

import pytest
from wagtail.models import PageViewRestriction

from figures.services import crime_import
from geography.models import Ward
from geography.services import _geography_changed
from priorities.models import BoroughIndexPage, BoroughPage, WardPage
from tests.figures.crime_sample import expected_from_files, write_both

RYE_LANE, PECKHAM = "E05011113", "E05011110"


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def map_of(html: str, map_id: str) -> str:
    start = html.index('<svg class="site-map" viewBox=')
    start = html.index(f'id="{map_id}-title"', start) - 400
    return html[html.index("<svg", start) : html.index("</svg>", start)]


@pytest.fixture
def rye_lane(sample_london, add_event):
    page = WardPage.objects.get(ward__code=RYE_LANE)
    page.base_address = "Peckham police station (not open to the public)\n177 Peckham High St, SE15 5DB"
    page.save_revision().publish()
    add_event(page, 3, title="Meet the team").__class__.objects.filter(ward_page=page).update(
        place="Peckham Library, se15 5rs"
    )
    add_event(page, 4, title="Street briefing")  # the factory's place has no postcode held here
    add_event(page, 5, title="Surgery").__class__.objects.filter(title="Surgery").update(
        place="Peckham police station front office, SE15 5DB"  # at the base: the same point
    )
    return page


def test_the_ward_map_names_its_neighbours_and_numbers_the_teams_places(client, rye_lane):
    html = client.get(rye_lane.url).content.decode()
    drawing = map_of(html, "ward-map")

    assert '<title id="ward-map-title">Map of Rye Lane ward</title>' in drawing
    description = re.search(r'<desc id="ward-map-desc">([^<]+)</desc>', drawing).group(1)
    assert "Rye Lane ward, shaded, next to Peckham." in description
    assert (
        "1, Team base: Peckham police station (not open to the public); Peckham police station front office, "
        "SE15 5DB; 2, Peckham Library, se15 5rs" in description
    )
    # The neighbour is a link, in the text and (for pointers) on the map.
    assert 'Next to <a href="/southwark/peckham/">Peckham</a>.' in html
    assert '<a href="/southwark/peckham/" tabindex="-1">' in drawing
    # Two numbered points, in the drawing and in its key.
    assert len(re.findall(r'<g class="map-point" aria-hidden="true">', drawing)) == 2
    assert '<li value="2">Peckham Library, se15 5rs</li>' in html
    assert "approximate at the edges" in text_of(html)


def test_a_changed_base_address_moves_the_point_once_published(client, rye_lane):
    client.get(rye_lane.url)
    rye_lane.base_address = "Walworth police station, SE15 5DQ"
    rye_lane.save_revision().publish()

    html = client.get(rye_lane.url).content.decode()

    assert '<li value="1">Team base: Walworth police station, SE15 5DQ</li>' in html


def test_a_private_neighbour_is_named_but_not_linked(client, rye_lane, django_capture_on_commit_callbacks):
    assert 'href="/southwark/peckham/"' in client.get(rye_lane.url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(
            page=WardPage.objects.get(ward__code=PECKHAM), restriction_type=PageViewRestriction.LOGIN
        )

    html = client.get(rye_lane.url).content.decode()

    assert "Next to Peckham." in text_of(html) and 'href="/southwark/peckham/"' not in html


def test_an_import_of_the_geography_starts_the_maps_afresh(
    client, rye_lane, settings, django_capture_on_commit_callbacks
):
    settings.SN_PAGE_CACHE_SECONDS = 60  # whole pages kept too, as deployed
    assert "Next to Peckham ." in text_of(client.get(rye_lane.url).content.decode())  # a link
    assert client.get(rye_lane.url)["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        Ward.objects.filter(code=PECKHAM).update(name="Peckham Town")  # as a new release might
        _geography_changed()  # what every import sends once committed

    assert "Next to Peckham Town ." in text_of(client.get(rye_lane.url).content.decode())


def test_the_borough_map_links_every_ward_and_is_plain_without_figures(client, sample_london):
    html = client.get(BoroughPage.objects.get(borough="E09000028").url).content.decode()
    drawing = map_of(html, "borough-map")

    assert '<a href="/southwark/peckham/" tabindex="-1">' in drawing
    assert '<a href="/southwark/rye-lane/" tabindex="-1">' in drawing
    assert "map-shade-" not in drawing and "map-legend" not in html
    assert "The 2 wards of Southwark." in drawing


def test_the_borough_map_shades_wards_by_recorded_crime_with_a_key_and_a_table(
    client, sample_london, tmp_path, django_capture_on_commit_callbacks
):
    paths = write_both(tmp_path)
    with django_capture_on_commit_callbacks(execute=True):
        crime_import(sources=paths)
    figures = expected_from_files(paths)
    months = sorted({month for ward in figures.values() for month in ward})[-12:]
    last_12 = {code: sum(sum(figures[code].get(m, {}).values()) for m in months) for code in (RYE_LANE, PECKHAM)}
    most, least = sorted(last_12, key=last_12.get, reverse=True)

    html = client.get(BoroughPage.objects.get(borough="E09000028").url).content.decode()
    drawing = map_of(html, "borough-map")

    shade_of = dict(
        re.findall(r'<a href="/southwark/([a-z-]+)/" tabindex="-1"><path class="map-area map-shade-(\d)"', drawing)
    )
    slug = {RYE_LANE: "rye-lane", PECKHAM: "peckham"}
    assert int(shade_of[slug[most]]) > int(shade_of[slug[least]])
    legend = text_of(
        html[html.index('<ul class="map-legend"') : html.index("</ul>", html.index('<ul class="map-legend"'))]
    )
    assert f"{last_12[least]:,} crimes" in legend and f"{last_12[most]:,} crimes" in legend
    table = text_of(html[html.index("The map's figures as a table") : html.index("</table>")])
    name = {RYE_LANE: "Rye Lane", PECKHAM: "Peckham"}
    assert f"{name[most]} {last_12[most]:,} {name[least]} {last_12[least]:,}" in table  # most first


def test_the_borough_index_shows_london_with_each_borough_a_link(client, sample_london):
    html = client.get(BoroughIndexPage.objects.get().url).content.decode()
    drawing = map_of(html, "london-map")

    assert '<a href="/southwark/" tabindex="-1">' in drawing and '<a href="/westminster/" tabindex="-1">' in drawing
    # The City of London has its own police force: its shape leads to its website.
    assert '<a href="https://www.cityoflondon.police.uk/" tabindex="-1">' in drawing
    assert ">Southwark</title>" in drawing
