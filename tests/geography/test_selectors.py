import json

import pytest

from geography.postcodes import parse_postcode_query
from geography.selectors import (
    InvalidPosition,
    NotInLondon,
    london_contains,
    nearest_postcode,
    postcode_query,
    postcode_wards,
)
from geography.services import geography_import
from tests.geography.codepoint_sample import SAMPLE_BOROUGH_OUTLINES

WEST_OF_WESTMINSTER = (51.5, -0.3)  # Ealing: beyond the sample's outlines


def test_a_postcode_a_sector_and_a_district_cover_ward_codes(sample_london):
    full = postcode_wards(postcode_query("sw1a1aa"))
    assert (full.postcode, full.ward_codes) == ("SW1A 1AA", ("E05013806",))
    assert full.latitude is not None and full.longitude is not None

    district = postcode_wards(postcode_query("SE15"))
    assert district.postcode is None and district.latitude is None
    assert district.ward_codes == ("E05011110", "E05011113")  # Peckham, Rye Lane: each once

    assert postcode_wards(parse_postcode_query("SW1A 9ZZ")).ward_codes == ()  # nobody knows it


def test_the_nearest_postcode_to_a_point_and_its_ward(sample_london):
    found = nearest_postcode("51.50105", "-0.14150")  # a few metres from Buckingham Palace

    assert (found.postcode, found.ward_codes) == ("SW1A 1AA", ("E05013806",))
    with pytest.raises(NotInLondon):
        nearest_postcode(*WEST_OF_WESTMINSTER)
    with pytest.raises(InvalidPosition):
        nearest_postcode("51.5", "west")


def test_londons_outline_is_the_new_one_once_an_import_commits(
    db, codepoint_folder, tmp_path, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        geography_import(source=codepoint_folder)
    assert london_contains(51.5, -0.15) and not london_contains(*WEST_OF_WESTMINSTER)

    _west, south, east, north = SAMPLE_BOROUGH_OUTLINES["E09000033"]
    wider = {"type": "Polygon", "coordinates": [[[-0.35, south], [east, south], [east, north], [-0.35, north]]]}
    outlines = tmp_path / "wider_westminster.geojson"
    outlines.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [{"type": "Feature", "properties": {"LAD24CD": "E09000033"}, "geometry": wider}],
            }
        )
    )
    with django_capture_on_commit_callbacks(execute=True):
        geography_import(source=codepoint_folder, borough_outlines=outlines)

    assert london_contains(*WEST_OF_WESTMINSTER)
