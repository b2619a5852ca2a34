"""Natural neighbourhoods in the page editor: made through the admin's add view with postcodes
listed and an area drawn, published with its postcodes; what is wrong with the area said on the
field, never a 500; officers offered from its borough's teams; the ways people hear kept; the
drawing's map with the wards beneath it and the published area said; the import command."""

import json
import re
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from wagtail.models import Page
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from priorities.models import BoroughPage, NeighbourhoodPage, NeighbourhoodPostcode, WardPage

# Around SE15 5DB and SE15 5DD (Rye Lane ward) but not SE15 5DQ, as the map's clicks write it.
DRAWN = {
    "type": "Polygon",
    "coordinates": [[[-0.0735, 51.469], [-0.0705, 51.469], [-0.0705, 51.4715], [-0.0735, 51.4715], [-0.0735, 51.469]]],
}
RYE_LANE, PECKHAM = "E05011113", "E05011110"


@pytest.fixture
def southwark(sample_london):
    return BoroughPage.objects.get(borough__code="E09000028")


@pytest.fixture
def officer(client, officers):
    southwark_officer, _ = officers
    client.force_login(southwark_officer)
    return southwark_officer


def add_url(parent) -> str:
    return f"/admin/pages/add/priorities/neighbourhoodpage/{parent.pk}/"


def neighbourhood_form(
    title="Bellenden", slug="bellenden", listed="", drawing=None, officers=(), hear_by=(), action="publish"
):
    return nested_form_data(
        {
            "title": title,
            "slug": slug,
            "introduction": rich_text("<p>The streets between Rye Lane and Bellenden Road.</p>"),
            "email": "",
            "area_postcodes": listed,
            "area_drawing": json.dumps(drawing) if isinstance(drawing, dict) else (drawing or ""),
            "updates": inline_formset([]),
            "events": inline_formset([]),
            "comments": inline_formset([]),
            f"action-{action}": action,
        }
    ) | {"officers": [str(pk) for pk in officers], "hear_by": list(hear_by)}


def field_errors(response) -> dict:
    form = response.context["form"]
    return {name: " ".join(errors) for name, errors in form.errors.items()}


def test_an_officer_adds_a_neighbourhood_with_postcodes_listed_and_drawn_and_its_area_is_published(
    client, officer, southwark, add_member, django_capture_on_commit_callbacks
):
    pc = add_member(WardPage.objects.get(ward_id=RYE_LANE), 1, photo=False)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            add_url(southwark),
            neighbourhood_form(listed="SE15 5RS", drawing=DRAWN, officers=[pc.pk], hear_by=["newsletter", "panel"]),
        )

    assert response.status_code == 302, field_errors(response)
    page = NeighbourhoodPage.objects.get(slug="bellenden")
    assert page.live and page.get_parent().pk == southwark.pk
    assert sorted(NeighbourhoodPostcode.objects.filter(page=page).values_list("postcode_id", flat=True)) == [
        "SE15 5DB",
        "SE15 5DD",
        "SE15 5RS",
    ]
    assert sorted(page.wards.values_list("code", flat=True)) == [PECKHAM, RYE_LANE]
    assert page.outline["type"] in ("Polygon", "MultiPolygon")
    assert list(page.officers.all()) == [pc]
    assert page.hear_by == ["newsletter", "panel"]


def test_the_editor_shows_the_published_area_and_the_ticked_ways_again(
    client, officer, southwark, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(add_url(southwark), neighbourhood_form(listed="SE15 5RS", drawing=DRAWN, hear_by=["noticeboard"]))
    page = NeighbourhoodPage.objects.get(slug="bellenden")

    html = client.get(f"/admin/pages/{page.pk}/edit/").content.decode()

    assert "Published area: 3 postcodes in Peckham and Rye Lane wards." in html
    assert re.search(r'<input[^>]*value="noticeboard"[^>]*checked', html)
    assert not re.search(r'<input[^>]*value="newsletter"[^>]*checked', html)
    assert "-0.0735" in html  # the drawing, in its textarea for the map to draw again
    published = json.loads(re.search(r'<script id="id_area_drawing-published"[^>]*>(.*?)</script>', html).group(1))
    assert published == page.outline


def test_the_map_beneath_the_drawing_shows_the_boroughs_wards_and_its_scripts_are_the_sites_own(
    client, officer, southwark
):
    response = client.get(add_url(southwark))
    html = response.content.decode()

    wards = json.loads(re.search(r'<script id="id_area_drawing-wards"[^>]*>(.*?)</script>', html).group(1))
    assert {feature["properties"]["name"] for feature in wards["features"]} == {"Peckham", "Rye Lane"}
    assert "Not published yet" in html
    assert 'src="/static/js_lib_leaflet/leaflet.js"' in html
    assert 'src="/static/priorities/js/area_drawing.js"' in html
    scripts = re.findall(r'<script[^>]+src="([^"]+)"', html)
    assert scripts and not [src for src in scripts if not src.startswith("/")], scripts  # nothing from elsewhere
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_officers_are_offered_from_the_boroughs_teams_only(client, officer, southwark, add_member):
    ours = add_member(WardPage.objects.get(ward_id=RYE_LANE), 1, photo=False)
    theirs = add_member(WardPage.objects.get(ward_id="E05013806"), 2, photo=False)  # St James's, Westminster

    html = client.get(add_url(southwark)).content.decode()
    refused = client.post(add_url(southwark), neighbourhood_form(listed="SE15 5RS", officers=[theirs.pk]))

    assert f"{ours.name} (Rye Lane team)" in html and theirs.name not in html
    assert refused.status_code == 200 and "officers" in field_errors(refused)
    assert not NeighbourhoodPage.objects.exists()


@pytest.mark.parametrize(
    ("listed", "drawing", "field", "says"),
    [
        ("SE15 5DB, not a postcode", None, "area_postcodes", "not full postcodes or postcode sectors"),
        ("SE15", None, "area_postcodes", "a whole district"),
        ("SE15 5ZZ", None, "area_postcodes", "We could not find these in London: SE15 5ZZ"),
        ("", "{not json", "area_drawing", "Enter a valid JSON"),
        ("", '"a string"', "area_drawing", "must be GeoJSON"),
        ("", {"type": "Point", "coordinates": [-0.07, 51.47]}, "area_drawing", "holds no shape"),
        (
            "",
            {
                "type": "Polygon",
                "coordinates": [[[51.469, -0.0735], [51.469, -0.07], [51.47, -0.07], [51.469, -0.0735]]],
            },
            "area_drawing",
            "longitude first",
        ),
        ("", {"type": "Polygon", "coordinates": "nonsense"}, "area_drawing", "could not be read"),
    ],
)
def test_a_bad_postcode_or_drawing_is_said_on_its_field_and_nothing_is_saved(
    client, officer, southwark, listed, drawing, field, says
):
    response = client.post(add_url(southwark), neighbourhood_form(listed=listed, drawing=drawing))

    assert response.status_code == 200
    assert says in field_errors(response).get(field, ""), field_errors(response)
    assert not NeighbourhoodPage.objects.exists()


def test_a_second_neighbourhood_may_not_take_anothers_address_even_in_another_borough(
    client, sample_london, django_capture_on_commit_callbacks
):
    client.force_login(User.objects.create_superuser("admin", "admin@example.org", "a-long-test-password"))
    westminster = BoroughPage.objects.get(borough__code="E09000033")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(add_url(BoroughPage.objects.get(borough__code="E09000028")), neighbourhood_form(listed="SE15 5RS"))

    response = client.post(add_url(westminster), neighbourhood_form(title="Bellenden too", listed="SW1A 1AA"))

    assert response.status_code == 200
    assert "Another natural neighbourhood has this address" in field_errors(response)["slug"]
    assert NeighbourhoodPage.objects.count() == 1


def test_editing_keeps_the_officers_of_the_wards_it_reaches_and_publishes_the_new_area(
    client, officer, southwark, add_member, django_capture_on_commit_callbacks
):
    pc = add_member(WardPage.objects.get(ward_id=PECKHAM), 1, photo=False)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(add_url(southwark), neighbourhood_form(listed="SE15 5RS", officers=[pc.pk]))
    page = NeighbourhoodPage.objects.get(slug="bellenden")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/pages/{page.pk}/edit/",
            neighbourhood_form(listed="SE15 5RS\nSE15 5DQ", drawing=DRAWN, officers=[pc.pk], hear_by=["panel"]),
        )

    assert response.status_code == 302, field_errors(response)
    page.refresh_from_db()
    assert NeighbourhoodPostcode.objects.filter(page=page).count() == 4
    assert page.hear_by == ["panel"] and list(page.officers.all()) == [pc]
    html = client.get(f"/admin/pages/{page.pk}/edit/").content.decode()
    assert "Published area: 4 postcodes in Peckham and Rye Lane wards." in html


# The import command ------------------------------------------------------------------------------


@pytest.fixture
def bellenden(southwark, django_capture_on_commit_callbacks):
    page = NeighbourhoodPage(title="Bellenden", slug="bellenden", area_postcodes="SE15 5RS")
    southwark.add_child(instance=page)
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    return page


def import_area(*args) -> str:
    out = StringIO()
    call_command("import_neighbourhood_area", *map(str, args), stdout=out)
    return out.getvalue()


def test_importing_a_polygon_saves_a_draft_and_publish_publishes_it(
    bellenden, tmp_path, django_capture_on_commit_callbacks
):
    geojson = tmp_path / "bellenden.geojson"
    geojson.write_text(json.dumps({"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": DRAWN}]}))

    said = import_area("bellenden", geojson)

    assert "The drawing takes 2 postcodes" in said and "holds 3, in 2 wards" in said and "draft" in said
    assert NeighbourhoodPostcode.objects.filter(page=bellenden).count() == 1  # not published yet
    assert Page.objects.get(pk=bellenden.pk).has_unpublished_changes
    assert NeighbourhoodPage.objects.get(pk=bellenden.pk).get_latest_revision_as_object().area_drawing["type"] == (
        "FeatureCollection"
    )

    with django_capture_on_commit_callbacks(execute=True):
        said = import_area("bellenden", geojson, "--publish")

    assert "Published: /southwark/bellenden/" in said
    assert NeighbourhoodPostcode.objects.filter(page=bellenden).count() == 3
    assert not Page.objects.get(pk=bellenden.pk).has_unpublished_changes


@pytest.mark.parametrize(
    ("slug", "content", "says"),
    [
        ("nowhere", None, "No natural neighbourhood has the address 'nowhere'. Those there are: bellenden."),
        ("bellenden", "missing", "There is no file"),
        ("bellenden", "{ nope", "is not GeoJSON: Expecting property name"),
        ("bellenden", json.dumps({"type": "Point", "coordinates": [0, 0]}), "holds no shape"),
        (
            "bellenden",
            json.dumps({"type": "Polygon", "coordinates": [[[51.4, -0.1], [51.5, -0.1], [51.5, 0], [51.4, -0.1]]]}),
            "longitude first",
        ),
        (
            "bellenden",
            json.dumps(
                {"type": "Polygon", "coordinates": [[[-0.3, 51.6], [-0.29, 51.6], [-0.29, 51.61], [-0.3, 51.6]]]}
            ),
            "holds no postcode London has",
        ),
    ],
)
def test_import_says_what_is_wrong_and_changes_nothing(bellenden, tmp_path, slug, content, says):
    geojson = tmp_path / "area.geojson"
    if content not in (None, "missing"):
        geojson.write_text(content)
    elif content is None:
        geojson.write_text(json.dumps(DRAWN))
    revisions = bellenden.revisions.count()

    with pytest.raises(CommandError, match=re.escape(says)):
        import_area(slug, geojson)

    assert bellenden.revisions.count() == revisions
