import http.server
import threading
from io import StringIO

import pytest
import shapely
from django.core.management import CommandError, call_command
from shapely.geometry import shape

from geography.codepoint import CodePointError
from geography.models import Borough, PoliceForce, Postcode, Ward
from geography.services import geography_import
from tests.geography.codepoint_sample import (
    LONDON_POSTCODES,
    ROWS,
    WARDS,
    write_borough_outlines,
    write_codepoint,
    zip_codepoint,
)


def test_it_loads_the_london_boroughs_wards_and_postcodes(db, codepoint_folder):
    report = geography_import(source=codepoint_folder)

    assert report.postcodes == LONDON_POSTCODES
    assert Postcode.objects.count() == LONDON_POSTCODES
    assert not Postcode.objects.filter(postcode="CM0 7AA").exists()
    assert dict(Borough.objects.values_list("code", "name")) == {
        "E09000001": "City of London",
        "E09000028": "Southwark",
        "E09000033": "Westminster",
    }
    assert Ward.objects.get(code="E05013806").name == "St. James's"
    assert Ward.objects.get(code="E05013806").borough_id == "E09000033"
    assert Ward.objects.get(code="E05013806").slug == "st-jamess"


def test_the_city_of_london_is_recorded_as_policed_by_its_own_force(db, codepoint_folder):
    geography_import(source=codepoint_folder)

    forces = dict(Borough.objects.values_list("code", "police_force"))
    assert forces["E09000001"] == PoliceForce.CITY_OF_LONDON
    assert forces["E09000033"] == PoliceForce.METROPOLITAN


def test_grid_references_become_latitude_and_longitude_within_a_few_metres(db, codepoint_folder):
    geography_import(source=codepoint_folder)

    # SW1A 1AA, Buckingham Palace, is published by postcodes.io (OSTN15) at 51.501009, -0.141588.
    palace = Postcode.objects.get(postcode="SW1A 1AA")
    assert palace.latitude == pytest.approx(51.501009, abs=0.00005)  # about 5 m
    assert palace.longitude == pytest.approx(-0.141588, abs=0.00008)
    assert (palace.outward, palace.sector) == ("SW1A", "SW1A 1")


def test_padded_postcodes_are_stored_formatted(db, tmp_path):
    rows = {"e": [("E1  6AN", 533416, 181746, "E09000001", "E05009292")]}
    geography_import(source=write_codepoint(tmp_path, rows=rows))

    assert list(Postcode.objects.values_list("postcode", flat=True)) == ["E1 6AN"]


def test_the_official_zip_imports_like_the_folder(db, codepoint_folder, tmp_path):
    archive = zip_codepoint(codepoint_folder, tmp_path / "codepo_gb.zip")

    report = geography_import(source=archive)

    assert report.postcodes == LONDON_POSTCODES
    assert Postcode.objects.count() == LONDON_POSTCODES


def test_running_it_again_changes_nothing_and_duplicates_nothing(db, codepoint_folder):
    geography_import(source=codepoint_folder)
    before = list(Postcode.objects.order_by("pk").values_list())

    again = geography_import(source=codepoint_folder)

    assert (again.postcodes_added, again.postcodes_updated, again.postcodes_removed) == (0, 0, 0)
    assert list(Postcode.objects.order_by("pk").values_list()) == before
    assert Ward.objects.count() == 8
    assert Borough.objects.count() == 3


def test_a_new_release_updates_adds_and_removes_postcodes(db, tmp_path):
    geography_import(source=write_codepoint(tmp_path / "old"))
    rows = {area: list(area_rows) for area, area_rows in ROWS.items()}
    rows["sw"] = [r for r in rows["sw"] if r[0] != "SW1A 2AA"]  # no longer published
    rows["sw"][0] = ("SW1A 0AA", 530268, 179545, "E09000033", "E05013807")  # moved ward
    rows["se"].append(("SE15 5ZZ", 534100, 176400, "E09000028", "E05011113"))  # new

    report = geography_import(source=write_codepoint(tmp_path / "new", rows=rows))

    assert (report.postcodes_added, report.postcodes_updated, report.postcodes_removed) == (1, 1, 1)
    assert not Postcode.objects.filter(postcode="SW1A 2AA").exists()
    assert Postcode.objects.get(postcode="SW1A 0AA").ward_id == "E05013807"
    assert Postcode.objects.filter(postcode="SE15 5ZZ").exists()
    assert Postcode.objects.count() == LONDON_POSTCODES


def test_derived_ward_outlines_hold_their_own_postcodes_and_stay_in_their_borough(db, codepoint_folder):
    geography_import(source=codepoint_folder)

    for ward in Ward.objects.all():
        outline = shape(ward.outline)
        assert outline.is_valid and not outline.is_empty
        for postcode in ward.postcodes.all():
            assert outline.buffer(0.0002).contains(shapely.Point(postcode.longitude, postcode.latitude))
        assert shape(ward.borough.outline).buffer(1e-5).contains(outline)  # within a metre
        assert outline.contains(shapely.Point(ward.longitude, ward.latitude))
    # Neighbouring wards share edges but do not overlap.
    st_james, vincent = (shape(Ward.objects.get(code=c).outline) for c in ("E05013806", "E05013807"))
    assert st_james.intersection(vincent).area < 1e-9


def test_an_official_ward_boundary_file_is_used_when_given(db, codepoint_folder, tmp_path):
    square = [[-0.15, 51.49], [-0.13, 51.49], [-0.13, 51.51], [-0.15, 51.51], [-0.15, 51.49]]
    wards = tmp_path / "wards.geojson"
    wards.write_text(
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"WD24CD":"E05013806"},'
        f'"geometry":{{"type":"Polygon","coordinates":[{square}]}}}}]}}'
    )

    geography_import(source=codepoint_folder, ward_outlines_file=wards)

    outline = shape(Ward.objects.get(code="E05013806").outline)
    assert outline.symmetric_difference(shape({"type": "Polygon", "coordinates": [square]})).area < 1e-9


def test_what_is_not_code_point_open_is_refused_and_nothing_changes(db, codepoint_folder, tmp_path):
    geography_import(source=codepoint_folder)
    (tmp_path / "empty").mkdir()

    with pytest.raises(CodePointError):
        geography_import(source=tmp_path / "empty")

    assert Postcode.objects.count() == LONDON_POSTCODES


def test_a_failed_import_leaves_the_previous_data(db, codepoint_folder, tmp_path, monkeypatch):
    geography_import(source=codepoint_folder)
    rows = {"sw": [("SW1A 1AA", 529090, 179645, "E09000033", "E05013807")]}

    def fail(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(Postcode.objects, "bulk_create", fail)
    with pytest.raises(RuntimeError):
        geography_import(source=write_codepoint(tmp_path / "next", rows=rows))

    assert Postcode.objects.count() == LONDON_POSTCODES
    assert Postcode.objects.get(postcode="SW1A 1AA").ward_id == "E05013806"


def test_the_command_reports_progress_and_counts(db, codepoint_folder):
    out, detailed = StringIO(), StringIO()

    call_command("import_geography", str(codepoint_folder), stdout=out)
    call_command("import_geography", str(codepoint_folder), stdout=detailed, verbosity=2)

    # Not a terminal (a log, a pipe): a line as each stage ends, never one per file or batch.
    assert out.getvalue().splitlines()[:4] == [
        "Geography: reading postcode files: 5 of 5",
        "Geography: deriving ward outlines: 1 of 1",
        "Geography: comparing postcodes: 1 of 1",
        f"Geography: saving new or changed postcodes: {LONDON_POSTCODES} of {LONDON_POSTCODES}",
    ]
    assert f"Imported 3 boroughs, 8 wards and {LONDON_POSTCODES} postcodes" in out.getvalue()
    assert "sw.csv: 8 London postcodes" in detailed.getvalue() and "sw.csv" not in out.getvalue()


def test_the_command_turns_a_bad_path_into_a_clear_error(db, tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        call_command("import_geography", str(tmp_path / "missing"), stdout=StringIO())


def test_without_a_path_it_downloads_the_official_zip(db, codepoint_folder, tmp_path, settings):
    (tmp_path / "served").mkdir()
    archive = zip_codepoint(codepoint_folder, tmp_path / "served" / "codepo_gb.zip")
    handler = lambda *args: http.server.SimpleHTTPRequestHandler(*args, directory=str(archive.parent))  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.SN_DATA_DIR = ""
    settings.SN_CODEPOINT_DOWNLOAD_URL = f"http://127.0.0.1:{server.server_port}/codepo_gb.zip"
    try:
        call_command("import_geography", stdout=StringIO())
    finally:
        server.shutdown()

    assert Postcode.objects.count() == LONDON_POSTCODES


def test_a_ward_that_comes_back_under_a_new_code_keeps_its_name_and_address(db, tmp_path):
    geography_import(source=write_codepoint(tmp_path / "old"))
    # A boundary review: Rye Lane is republished as E05099999, its postcodes with it.
    rows = {
        area: [r[:4] + (("E05099999",) if r[4] == "E05011113" else (r[4],)) for r in area_rows]
        for area, area_rows in ROWS.items()
    }
    wards = {("E05099999" if code == "E05011113" else code): name for code, name in WARDS.items()}

    report = geography_import(source=write_codepoint(tmp_path / "new", rows=rows, wards=wards))

    renamed = Ward.objects.get(code="E05099999")
    assert (renamed.name, renamed.slug) == ("Rye Lane", "rye-lane")
    assert Postcode.objects.get(postcode="SE15 5DQ").ward_id == "E05099999"
    assert Ward.objects.get(code="E05011113").slug == "e05011113"  # retired, kept for its page
    assert report.wards == len(wards)


def test_importing_the_zip_keeps_the_borough_outlines_already_loaded(db, codepoint_folder, tmp_path):
    geography_import(source=codepoint_folder)
    outlines = dict(Borough.objects.values_list("code", "outline"))
    archive = zip_codepoint(codepoint_folder, tmp_path / "codepo_gb.zip")  # the zip has no boundaries

    geography_import(source=archive)

    assert dict(Borough.objects.values_list("code", "outline")) == outlines
    assert all(outlines.values())


def test_boundaries_beside_the_release_folder_are_found(db, tmp_path):
    release = write_codepoint(tmp_path / "data" / "codepoint-open")
    (tmp_path / "data" / "lad").mkdir()
    write_borough_outlines(tmp_path / "data" / "lad" / "local_authority_districts.geojson")

    geography_import(source=release)

    assert Borough.objects.exclude(outline=None).count() == 3


def test_a_folder_holding_two_releases_is_refused(db, tmp_path):
    write_codepoint(tmp_path / "2025.3")
    write_codepoint(tmp_path / "2025.4")

    with pytest.raises(CodePointError, match="exactly one"):
        geography_import(source=tmp_path)

    assert not Postcode.objects.exists()


def test_a_postcode_listed_twice_is_stored_once(db, tmp_path):
    rows = {"sw": [ROWS["sw"][2], ROWS["sw"][2]]}

    report = geography_import(source=write_codepoint(tmp_path, rows=rows))

    assert report.postcodes == 1
    assert Postcode.objects.count() == 1


def test_downloads_must_be_https(db, settings):
    settings.SN_DATA_DIR = ""
    settings.SN_CODEPOINT_DOWNLOAD_URL = "http://downloads.example/codepo_gb.zip"

    with pytest.raises(CommandError, match="HTTPS"):
        call_command("import_geography", stdout=StringIO())


def test_neighbouring_wards_are_worked_out_from_the_outlines_both_ways(sample_london):
    rye_lane, peckham = Ward.objects.get(code="E05011113"), Ward.objects.get(code="E05011110")

    assert list(rye_lane.neighbours.values_list("code", flat=True)) == ["E05011110"]
    assert rye_lane in peckham.neighbours.all()
    # Westminster's three sample wards, far from Southwark, are next to none of its wards.
    assert not rye_lane.neighbours.filter(borough="E09000033").exists()
    assert all(ward in other.neighbours.all() for ward in Ward.objects.all() for other in ward.neighbours.all())
