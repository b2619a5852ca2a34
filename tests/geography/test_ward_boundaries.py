"""The official ONS ward boundaries: loaded from GeoJSON or a shapefile, in place of the outlines
derived from postcodes, and used by the pages, the position lookup and the APIs."""

import json
import zipfile
from io import StringIO

import pytest
import shapefile
import shapely
from django.core.management import CommandError, call_command

from geography.models import Ward
from geography.outlines import geojson_to_osgb, osgb_to_wgs84
from geography.selectors import nearest_postcode
from geography.services import geography_import, ward_boundaries_import
from tests.geography.codepoint_sample import write_borough_outlines

ST_JAMESS, VINCENT_SQUARE, PIMLICO_NORTH = "E05013806", "E05013807", "E05013802"
PRODUCT = "Wards (May 2024) Boundaries UK BGC"
GEOJSON_NAME = "Wards_May_2024_Boundaries_UK_BGC_-2052357263270616986.geojson"

# Official outlines in British National Grid metres (west, south, east, north), edge to edge.
# Pimlico North meets St James's only at a corner here, so they are not neighbours.
BOXES = {
    ST_JAMESS: (529050, 179180, 530500, 180200),
    VINCENT_SQUARE: (529050, 178500, 530500, 179180),
    PIMLICO_NORTH: (528000, 178500, 529050, 179180),
    "E05013999": (525000, 180000, 526000, 181000),  # in Westminster, but not one of the site's wards
    "E05004202": (595000, 199000, 596000, 200000),  # Maldon, Essex
    "W05001000": (318000, 176000, 319000, 177000),  # Cardiff
}
# Inside Pimlico North's official outline, and nearest SW1E 5NA, a Vincent Square postcode.
IN_PIMLICO_NORTH = (529045, 179150)
BRITISH_NATIONAL_GRID = (
    'PROJCS["British_National_Grid",GEOGCS["GCS_OSGB_1936",DATUM["D_OSGB_1936",SPHEROID["Airy_1849",'
    '6377563.396,299.3249646]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],'
    'PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",400000.0],PARAMETER["False_Northing",'
    '-100000.0],PARAMETER["Central_Meridian",-2.0],PARAMETER["Scale_Factor",0.9996012717],'
    'PARAMETER["Latitude_Of_Origin",49.0],UNIT["Meter",1.0]]'
)


def ring(box, degrees=False):
    west, south, east, north = box
    corners = [(west, south), (east, south), (east, north), (west, north), (west, south)]
    if degrees:
        lng, lat = osgb_to_wgs84(*zip(*corners, strict=True))
        corners = list(zip(lng.tolist(), lat.tolist(), strict=True))
    return [list(corner) for corner in corners]


def write_geojson(path, crs="named", boxes=BOXES):
    """The boundaries as the Open Geography Portal gives them: in metres with the crs named, in
    metres with none, or in WGS84 degrees."""
    collection = {"type": "FeatureCollection", "name": "WD_MAY_2024_UK_BGC"}
    if crs == "named":
        collection["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}}
    collection["features"] = [
        {
            "type": "Feature",
            "properties": {"FID": n, "WD24CD": code, "WD24NM": f"Ward {code}", "WD24NMW": " "},
            "geometry": {"type": "Polygon", "coordinates": [ring(box, degrees=crs == "degrees")]},
        }
        for n, (code, box) in enumerate(boxes.items(), start=1)
    ]
    path.write_text(json.dumps(collection, indent=1))
    return path


def write_shapefile(folder, prj=True):
    """The boundaries as an ESRI shapefile in British National Grid, as the portal's zip holds it."""
    folder.mkdir(parents=True, exist_ok=True)
    with shapefile.Writer(str(folder / "WD_MAY_2024_UK_BGC"), shapeType=shapefile.POLYGON) as writer:
        writer.field("WD24CD", "C", size=9)
        writer.field("WD24NM", "C", size=60)
        for code, box in BOXES.items():
            writer.poly([list(reversed(ring(box)))])  # a shapefile's outer rings run clockwise
            writer.record(code, f"Ward {code}")
    if prj:
        (folder / "WD_MAY_2024_UK_BGC.prj").write_text(BRITISH_NATIONAL_GRID)
    return folder


def zip_folder(folder, target):
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, f"WD_MAY_2024_UK_BGC/{path.name}")
    return target


@pytest.fixture
def load(django_capture_on_commit_callbacks):
    """load(path): import the boundaries as the command does, its transaction committed."""

    def run(path, **options):
        with django_capture_on_commit_callbacks(execute=True):
            return ward_boundaries_import(source=path, **options)

    return run


def wards_as_stored():
    return list(Ward.objects.order_by("code").values_list("code", "outline", "outline_source", "latitude", "longitude"))


def point(eastings, northings):
    lng, lat = osgb_to_wgs84([eastings], [northings])
    return float(lat[0]), float(lng[0])


def assert_is_box(outline, box):
    assert shapely.hausdorff_distance(geojson_to_osgb(outline), shapely.box(*box)) < 0.5  # metres


def test_official_outlines_replace_the_derived_ones_and_say_where_they_came_from(sample_london, tmp_path, load):
    derived_peckham = Ward.objects.get(code="E05011110").outline

    report = load(write_geojson(tmp_path / GEOJSON_NAME))

    for code in (ST_JAMESS, VINCENT_SQUARE, PIMLICO_NORTH):
        ward = Ward.objects.get(code=code)
        assert_is_box(ward.outline, BOXES[code])
        assert (ward.outline_source, ward.outline_is_official) == (PRODUCT, True)
        centre = geojson_to_osgb({"type": "Point", "coordinates": [ward.longitude, ward.latitude]})
        assert shapely.box(*BOXES[code]).contains(centre)
    peckham = Ward.objects.get(code="E05011110")  # not in the file: keeps its derived outline
    assert (peckham.outline, peckham.outline_source) == (derived_peckham, "")
    assert (report.source_name, report.boundaries, report.matched, report.changed) == (PRODUCT, 6, 3, 3)
    assert report.missing == ["E05009290", "E05009292", "E05009298", "E05011110", "E05011113"]
    assert report.unknown_in_london == ["E05013999"]


@pytest.mark.parametrize("crs", ["named", "metres", "degrees"])
def test_geojson_in_metres_or_degrees_is_understood(sample_london, tmp_path, load, crs):
    load(write_geojson(tmp_path / GEOJSON_NAME, crs=crs))

    assert_is_box(Ward.objects.get(code=PIMLICO_NORTH).outline, BOXES[PIMLICO_NORTH])


@pytest.mark.parametrize("given", ["shp", "folder", "zip", "no prj"])
def test_a_shapefile_loads_as_its_shp_its_folder_or_its_zip(sample_london, tmp_path, load, given):
    folder = write_shapefile(tmp_path / "shapefile", prj=given != "no prj")
    path = {
        "shp": folder / "WD_MAY_2024_UK_BGC.shp",
        "folder": folder,
        "zip": zip_folder(folder, tmp_path / "Wards_May_2024_Boundaries_UK_BGC_8498175397534686318.zip"),
        "no prj": folder / "WD_MAY_2024_UK_BGC.shp",
    }[given]

    report = load(path)

    assert (report.matched, report.unknown_in_london) == (3, ["E05013999"])
    for code in (ST_JAMESS, VINCENT_SQUARE, PIMLICO_NORTH):
        ward = Ward.objects.get(code=code)
        assert_is_box(ward.outline, BOXES[code])
        assert ward.outline_source == PRODUCT


def test_a_name_given_is_recorded_instead_of_the_files(sample_london, tmp_path, load):
    load(write_geojson(tmp_path / "wards.geojson"), source_name="Wards (December 2024) Boundaries UK BFC")

    assert Ward.objects.get(code=ST_JAMESS).outline_source == "Wards (December 2024) Boundaries UK BFC"


def test_a_file_named_otherwise_is_named_from_its_code_property(sample_london, tmp_path, load):
    load(write_geojson(tmp_path / "wards.geojson"))

    assert Ward.objects.get(code=ST_JAMESS).outline_source == "ONS ward boundaries 2024"


def test_the_ward_page_names_the_official_source_instead_of_the_caveat(client, sample_london, tmp_path, load, settings):
    settings.SN_PAGE_CACHE_SECONDS = 300  # the cached page is not served once the outlines change
    assert "so approximate at the edges" in client.get("/westminster/st-jamess/").content.decode()

    load(write_geojson(tmp_path / GEOJSON_NAME))

    html = client.get("/westminster/st-jamess/").content.decode()
    assert "approximate at the edges" not in html
    assert f"The boundary of St. James&#x27;s ward (shaded), from the {PRODUCT}." in html
    assert (
        "Source: Office for National Statistics licensed under the Open Government Licence v3.0. "
        "Contains OS data © Crown copyright and database right 2024." in html
    )
    assert "so approximate at the edges" in client.get("/southwark/peckham/").content.decode()  # still derived


def test_a_point_inside_an_official_outline_is_in_that_ward_whatever_postcode_is_nearest(
    client, sample_london, tmp_path, load
):
    latitude, longitude = point(*IN_PIMLICO_NORTH)
    before = nearest_postcode(latitude, longitude)
    assert (before.postcode, before.ward_codes) == ("SW1E 5NA", (VINCENT_SQUARE,))

    load(write_geojson(tmp_path / GEOJSON_NAME))

    after = nearest_postcode(latitude, longitude)
    assert (after.postcode, after.ward_codes) == ("SW1E 5NA", (PIMLICO_NORTH,))
    located = client.get("/api/police-uk/locate-neighbourhood", {"q": f"{latitude},{longitude}"}).json()
    assert located == {"force": "metropolitan", "neighbourhood": PIMLICO_NORTH}
    found = client.get("/api/v1/lookup/", {"lat": latitude, "lng": longitude}).json()
    assert [ward["code"] for ward in found["wards"]] == [PIMLICO_NORTH]
    # Where no official outline is loaded, the nearest postcode still answers.
    assert nearest_postcode(*point(534181, 176750)).ward_codes == ("E05011110",)  # by SE15 5RS, Peckham


def test_the_v1_outline_and_the_police_uk_boundary_are_the_official_shape(
    client, sample_london, tmp_path, load, settings
):
    settings.SN_API_CACHE_SECONDS = 300  # cached answers are not served once the outlines change
    assert client.get(f"/api/v1/wards/{ST_JAMESS}/").json()["outline_source"] is None  # derived
    client.get(f"/api/police-uk/metropolitan/{ST_JAMESS}/boundary")

    load(write_geojson(tmp_path / GEOJSON_NAME))

    ward = client.get(f"/api/v1/wards/{ST_JAMESS}/").json()
    assert_is_box(ward["outline"], BOXES[ST_JAMESS])
    assert ward["outline_source"] == "Wards (May 2024) Boundaries UK BGC"
    points = client.get(f"/api/police-uk/metropolitan/{ST_JAMESS}/boundary").json()
    boundary = shapely.Polygon([(float(p["longitude"]), float(p["latitude"])) for p in points])
    assert_is_box(shapely.geometry.mapping(boundary), BOXES[ST_JAMESS])


def test_neighbours_are_worked_out_again_from_the_official_outlines(sample_london, tmp_path, load):
    load(write_geojson(tmp_path / GEOJSON_NAME))

    def neighbours(code):
        return set(Ward.objects.get(code=code).neighbours.values_list("code", flat=True))

    assert neighbours(PIMLICO_NORTH) == {VINCENT_SQUARE}  # St James's only touches it at a corner
    assert neighbours(VINCENT_SQUARE) == {PIMLICO_NORTH, ST_JAMESS}
    assert PIMLICO_NORTH not in neighbours(ST_JAMESS)


def test_running_it_again_changes_nothing(sample_london, tmp_path, load):
    path = write_geojson(tmp_path / GEOJSON_NAME)
    load(path)
    before = wards_as_stored()

    again = load(path)

    assert (again.matched, again.changed) == (3, 0)
    assert wards_as_stored() == before


def test_a_geography_reimport_keeps_the_official_outlines(sample_london, codepoint_folder, tmp_path, load):
    load(write_geojson(tmp_path / GEOJSON_NAME))
    official = [row for row in wards_as_stored() if row[2]]

    report = geography_import(source=codepoint_folder)

    assert [row for row in wards_as_stored() if row[2]] == official
    assert len(official) == 3
    assert not Ward.objects.filter(outline=None).exists()
    assert report.ward_outline_source == f"derived from postcodes for 5, {PRODUCT} for 3"


def test_a_geography_import_with_a_ward_file_loads_it_the_same_way(db, codepoint_folder, tmp_path, load):
    path = write_geojson(tmp_path / GEOJSON_NAME)
    geography_import(source=codepoint_folder, ward_outlines_file=path)
    with_the_geography = wards_as_stored()
    Ward.objects.update(outline_source="", outline=None)

    load(path)

    official = [row for row in with_the_geography if row[2]]
    assert [row for row in wards_as_stored() if row[2]] == official
    assert [row[0] for row in official] == [PIMLICO_NORTH, ST_JAMESS, VINCENT_SQUARE]


def test_the_command_reports_what_it_matched_and_what_it_did_not(sample_london, tmp_path):
    out = StringIO()

    call_command("import_ward_boundaries", str(write_geojson(tmp_path / GEOJSON_NAME)), stdout=out)

    assert f"{PRODUCT}: 6 wards in the file, 3 of the site's wards found (3 changed)" in out.getvalue()
    assert "Not in the file, keeping the outline they had: 5 wards (E05009290, " in out.getvalue()
    assert "In London's boroughs but not among the site's wards" in out.getvalue()
    assert "1 (E05013999)" in out.getvalue()


def _truncated(tmp_path):
    whole = write_geojson(tmp_path / "whole.geojson").read_text()
    path = tmp_path / GEOJSON_NAME
    path.write_text(whole[: len(whole) * 2 // 3])
    return path


def _empty_zip(tmp_path):
    path = tmp_path / "Wards_May_2024_Boundaries_UK_BGC.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("README.txt", "nothing here")
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda tmp: write_borough_outlines(tmp / "lad.geojson"),
            "not an ONS ward boundary file: its features have no WDyyCD",
        ),
        (_truncated, "ends too soon"),
        (lambda tmp: tmp / "missing.geojson", "does not exist"),
        (
            lambda tmp: (tmp / "wards.csv").write_text("WD24CD\nE05013806\n") and tmp / "wards.csv",
            "not a boundary file",
        ),
        (lambda tmp: (tmp / "wards.geojson").write_text("<html>") and tmp / "wards.geojson", "not a GeoJSON"),
        (_empty_zip, "holds no shapefile"),
    ],
    ids=["borough file", "cut short", "missing", "csv", "not json", "zip without a shapefile"],
)
def test_a_file_that_is_not_ward_boundaries_is_refused_and_nothing_changes(sample_london, tmp_path, make, message):
    before = wards_as_stored()

    with pytest.raises(CommandError, match=message) as refused:
        call_command("import_ward_boundaries", str(make(tmp_path)), stdout=StringIO())

    assert "Nothing was changed." in str(refused.value)
    assert wards_as_stored() == before
