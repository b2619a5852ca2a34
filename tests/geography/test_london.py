"""The whole of London from the real OS Code-Point Open release in SN_DATA_DIR (CI sets it)."""

import csv
import os
import random
import re
from collections import defaultdict
from pathlib import Path

import pytest
import shapely
from django.core.cache import cache
from django.db import transaction
from shapely.geometry import shape

from geography.codepoint import CITY_OF_LONDON
from geography.maps import borough_map, london_map, ward_map
from geography.models import Borough, Postcode, Ward
from geography.outlines import NEIGHBOUR_TOLERANCE_METRES
from geography.postcodes import LONDON_POSTCODE_AREAS, UK_POSTCODE_AREAS
from geography.services import geography_import
from home.services import page_tree_build

pytestmark = pytest.mark.london

DATA_DIR = os.environ.get("SN_DATA_DIR", "")
if not DATA_DIR or not any(Path(DATA_DIR).rglob("Codelist.xlsx")):
    pytest.skip("SN_DATA_DIR does not hold OS Code-Point Open", allow_module_level=True)

SEED = int(os.environ.get("SN_TEST_SEED") or int.from_bytes(os.urandom(4), "big"))


@pytest.fixture(scope="module")
def london(django_db_setup, django_db_blocker):
    """Import all of London and build its pages once for this module, and roll it all back after."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            report = geography_import(source=Path(DATA_DIR))
            pages = page_tree_build()
            yield report, pages
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            cache.clear()


@pytest.fixture(scope="module")
def codepoint_rows():
    """Every London row of the release, read straight from the CSV files, not through the importer."""
    rows = []
    for path in sorted(Path(DATA_DIR).rglob("Data/CSV/*.csv")):
        with path.open(newline="") as handle:
            for postcode, _, _, _, _, _, _, _, district, ward in csv.reader(handle):
                if district.startswith("E09"):
                    rows.append((" ".join(postcode.split()), district, ward))
    return rows


@pytest.fixture
def sample(codepoint_rows):
    return random.Random(SEED).sample(codepoint_rows, 300)


def test_the_counts_match_the_official_release(london, db):
    report, pages = london

    assert Borough.objects.count() == 33
    assert Ward.objects.count() == 704
    assert Ward.objects.filter(borough_id=CITY_OF_LONDON).count() == 25
    assert Postcode.objects.count() == 180_792 == report.postcodes
    assert (pages.borough_pages_created, pages.ward_pages_created) == (32, 679)
    assert report.wards_without_postcodes == []


def test_names_are_the_everyday_ones(london, db):
    names = set(Borough.objects.values_list("name", flat=True))

    assert {"Westminster", "City of London", "Kingston upon Thames", "Barking and Dagenham"} <= names
    assert not any(n.endswith(("London Boro", "Ward")) for n in names)
    assert not Ward.objects.filter(name__endswith=" Ward").exists()


def test_random_real_postcodes_resolve_to_their_code_point_ward(london, db, client, sample):
    for postcode, district, ward in sample:
        response = client.get("/api/v1/lookup/", {"q": postcode.lower().replace(" ", "")})
        assert response.status_code == 200, (SEED, postcode)
        found = response.json()["wards"]
        assert [w["code"] for w in found] == [ward], (SEED, postcode)
        expected_force = "city-of-london" if district == CITY_OF_LONDON else "metropolitan"
        assert found[0]["policed_by"] == expected_force, (SEED, postcode)


def test_random_real_postcodes_land_on_their_ward_page(london, db, client, sample):
    for postcode, district, ward in sample[:60]:
        response = client.get("/find-your-team/", {"postcode": postcode})
        if district == CITY_OF_LONDON:
            assert "City of London Police" in response.content.decode(), (SEED, postcode)
            continue
        assert response.status_code == 302, (SEED, postcode)
        page = client.get(response["Location"])
        assert page.status_code == 200
        assert page.context["page"].specific.ward_id == ward, (SEED, postcode)


def test_st_jamess_has_a_readable_address(london, db, client):
    response = client.get("/westminster/st-jamess/")

    assert response.status_code == 200
    assert response.context["page"].specific.ward.code == "E05013806"


def test_positions_resolve_to_the_ward_around_them(london, db, client, sample):
    postcodes = Postcode.objects.in_bulk([p for p, _, _ in sample[:100]])
    agree = 0
    for code, _, ward in sample[:100]:
        point = postcodes[code]
        body = client.get("/api/v1/lookup/", {"lat": point.latitude, "lng": point.longitude}).json()
        agree += body.get("wards", [{}])[0].get("code") == ward
    # Several postcodes can share a grid reference across a ward boundary; almost all agree.
    assert agree >= 98, (SEED, agree)


def test_ward_outlines_cover_their_postcodes(london, db):
    outlines = {w.code: shape(w.outline) for w in Ward.objects.all()}
    assert all(o.is_valid and not o.is_empty for o in outlines.values())
    postcodes = list(Postcode.objects.values_list("ward_id", "longitude", "latitude"))

    def outside(margin: float) -> float:
        grown = {code: outline.buffer(margin) for code, outline in outlines.items()}
        for outline in grown.values():
            shapely.prepare(outline)
        return sum(not grown[w].contains(shapely.Point(x, y)) for w, x, y in postcodes) / len(postcodes)

    # Outlines are clipped to generalised borough outlines and simplified, so a few postcodes on
    # borough edges sit just outside their ward: under 1% beyond 30 m, almost none beyond 200 m.
    assert outside(0.0003) < 0.01
    assert outside(0.002) < 0.0005


def test_a_point_in_the_thames_estuary_beyond_london_is_not_found(london, db, client):
    assert client.get("/api/v1/lookup/", {"lat": "51.45", "lng": "0.5"}).status_code == 404


def test_londons_postcode_areas_are_those_holding_its_postcodes(codepoint_rows):
    assert {re.match("[A-Z]+", postcode).group() for postcode, _, _ in codepoint_rows} == LONDON_POSTCODE_AREAS


def test_every_postcode_area_of_great_britain_is_a_uk_postcode_area():
    """The release's metadata lists every area of Great Britain with its count of postcodes, London's or not."""
    metadata = next(Path(DATA_DIR).rglob("Doc/metadata.txt")).read_text()
    areas = set(re.findall(r"^\s*([A-Z]{1,2})\t\d+$", metadata, re.M))

    assert len(areas) == 120 and areas < UK_POSTCODE_AREAS


def test_a_district_lists_the_wards_of_its_lettered_sub_districts(london, db, client, codepoint_rows):
    wards_in = defaultdict(set)
    for postcode, _, ward in codepoint_rows:
        wards_in[postcode.split()[0]].add(ward)
    # Where central London's districts are split (SW1A ... SW1Y; E1W beside E1), from the data itself.
    lettered = defaultdict(set)
    for outward in wards_in:
        if re.fullmatch("[A-Z]{1,2}[0-9][A-Z]", outward):
            lettered[outward[:-1]].add(outward)
    assert {"SW1", "W1", "WC1", "WC2", "EC1", "EC2", "EC3", "EC4", "E1", "N1", "NW1", "SE1"} == set(lettered)

    for district, parts in lettered.items():
        expected = set().union(*(wards_in[outward] for outward in parts | {district}))
        found = client.get("/api/v1/lookup/", {"q": district}).json()["wards"]
        assert {ward["code"] for ward in found} == expected, district
        for part in parts:
            found = client.get("/api/v1/lookup/", {"q": part}).json()["wards"]
            assert {ward["code"] for ward in found} == wards_in[part], part


def test_every_wards_neighbours_are_symmetric_and_really_next_to_it(london, db):
    pairs = set(Ward.neighbours.through.objects.values_list("from_ward_id", "to_ward_id"))

    assert pairs and all((b, a) in pairs for a, b in pairs)  # if A is next to B, B is next to A
    assert not [code for code in Ward.objects.values_list("code", flat=True) if not any(a == code for a, _ in pairs)]
    rye_lane = set(Ward.objects.get(code="E05011113").neighbours.values_list("name", flat=True))
    assert {"Peckham", "Nunhead & Queen's Road", "Peckham Rye"} <= rye_lane
    # Neighbours' outlines meet (within the tolerance the outlines are compared with).
    outlines = {code: shape(outline) for code, outline in Ward.objects.values_list("code", "outline")}
    for a, b in random.Random(SEED).sample(sorted(pairs), 200):
        metres = shapely.distance(outlines[a], outlines[b]) * 111_320  # at most: a degree east is shorter
        assert metres < 2 * NEIGHBOUR_TOLERANCE_METRES, (a, b, SEED)
    # Across the Thames no ward is next to one on the other bank.
    assert not {"E09000001", "E09000028"} & set(
        Ward.objects.get(name="Borough & Bankside").neighbours.values_list("borough", flat=True).distinct()
    ) - {"E09000028"}


def test_a_neighbour_in_another_borough_is_drawn_with_its_boroughs_name(london, db):
    st_jamess = {shape.name: shape.borough for shape in ward_map("E05013806").shapes}

    assert st_jamess["West End"] == ""  # Westminster's own
    assert st_jamess["Farringdon Without"] == "City of London"


def test_a_ward_map_fills_its_frame_with_the_wards_around_naming_only_the_neighbours(london, db):
    drawn = ward_map("E05011113")  # Rye Lane
    neighbours = set(Ward.objects.get(code="E05011113").neighbours.values_list("code", flat=True))

    assert {shape.code for shape in drawn.shapes if shape.neighbour} == neighbours
    others = [shape for shape in drawn.shapes if not shape.neighbour]
    assert others and not any(shape.label_lines for shape in others)  # drawn pale, unnamed


def test_every_borough_and_london_is_drawn_whole(london, db):
    assert {shape.code for shape in london_map().shapes} == set(Borough.objects.values_list("code", flat=True))
    for borough in Borough.objects.all():
        drawn = {shape.code for shape in borough_map(borough.code).shapes}
        assert drawn == set(borough.wards.values_list("code", flat=True)), borough.name
