import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geography.services import geography_import
from home.services import page_tree_build
from priorities.models import BoroughPage, WardPage
from tests.geography.codepoint_sample import ROWS, WARDS, write_borough_outlines, write_codepoint

URL = "/api/v1/lookup/"


@pytest.fixture
def lettered_districts(db, tmp_path):
    """The sample release with real rows in SE1 and its lettered sub-district SE1P (where SW1 is
    all SW1A and SW1E): a district asked for by itself covers its lettered sub-districts."""
    rows = {
        **ROWS,
        "se": ROWS["se"]
        + [
            ("SE1 0AB", 532281, 180064, "E09000028", "E05011095"),
            ("SE1P 4AA", 533378, 178838, "E09000028", "E05011104"),
        ],
    }
    wards = {**WARDS, "E05011095": "Borough & Bankside Ward", "E05011104": "London Bridge & West Bermondsey Ward"}
    folder = write_codepoint(tmp_path / "codepoint", rows=rows, wards=wards)
    (folder / "lad").mkdir()
    write_borough_outlines(folder / "lad" / "local_authority_districts.geojson")
    geography_import(source=folder)
    page_tree_build()


def lookup(client, **params):
    return client.get(URL, params)


@pytest.mark.parametrize("typed", ["SW1A 1AA", "sw1a1aa", "  sW1a 1Aa  "])
def test_a_full_postcode_in_any_format_finds_its_ward(client, sample_london, typed):
    response = lookup(client, q=typed)

    assert response.status_code == 200
    body = response.json()
    assert body["postcode"] == "SW1A 1AA"
    assert body["latitude"] == pytest.approx(51.50101, abs=0.0001)
    assert body["longitude"] == pytest.approx(-0.14156, abs=0.0001)
    assert body["wards"] == [
        {
            "code": "E05013806",
            "name": "St. James's",
            "url": "http://testserver/westminster/st-jamess/",
            "borough": {"code": "E09000033", "name": "Westminster"},
            "policed_by": "metropolitan",
        }
    ]


def test_a_district_lists_every_ward_it_touches(client, sample_london):
    body = lookup(client, q="se15").json()

    assert [w["name"] for w in body["wards"]] == ["Peckham", "Rye Lane"]
    assert body["kind"] == "outward"
    assert body["postcode"] is None
    assert all(w["url"].startswith("http://testserver/southwark/") for w in body["wards"])


@pytest.mark.parametrize(
    ("district", "wards"),
    [
        ("SW1", ["Pimlico North", "St. James's", "Vincent Square"]),  # all of it in SW1A and SW1E
        ("sw1", ["Pimlico North", "St. James's", "Vincent Square"]),
        ("SE1", ["Borough & Bankside", "London Bridge & West Bermondsey"]),  # SE1 and SE1P, never SE15
        ("SE1P", ["London Bridge & West Bermondsey"]),  # a sub-district is only itself
        ("SE15", ["Peckham", "Rye Lane"]),
        ("EC2", ["Bassishaw", "Cheap"]),  # EC2V
    ],
)
def test_a_district_lists_the_wards_of_its_lettered_sub_districts(client, lettered_districts, district, wards):
    response = lookup(client, q=district)

    assert response.status_code == 200, response.json()
    assert response.json()["kind"] == "outward"
    assert [w["name"] for w in response.json()["wards"]] == wards


@pytest.mark.parametrize("district", ["SW1", "SE1", "SE1P", "SE15"])
def test_find_your_team_offers_a_district_the_same_wards(client, lettered_districts, district, links_in):
    wards = lookup(client, q=district).json()["wards"]

    response = client.get("/find-your-team/", {"postcode": district})

    assert response.status_code == 200
    offered = [href for href in links_in(response) if href.startswith(("/southwark/", "/westminster/"))]
    assert offered == [ward["url"].removeprefix("http://testserver") for ward in wards]


def test_a_sector_lists_only_its_own_wards(client, sample_london):
    body = lookup(client, q="SW1E 5").json()

    assert body["kind"] == "sector"
    assert {w["name"] for w in body["wards"]} == {"St. James's", "Vincent Square", "Pimlico North"}


def test_a_city_of_london_postcode_says_who_polices_it(client, sample_london):
    ward = lookup(client, q="EC2V 7HH").json()["wards"][0]

    assert ward["policed_by"] == "city-of-london"
    assert ward["borough"]["name"] == "City of London"
    assert ward["url"] == "https://www.cityoflondon.police.uk/"


@pytest.mark.parametrize("typed", ["hello", "12345", "SW1A-1AA", "x" * 10000, "' OR 1=1 --"])
def test_text_that_is_not_a_postcode_gets_a_400_with_a_message(client, sample_london, typed):
    response = lookup(client, q=typed)

    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid_postcode",
        "message": "Check the postcode and try again, for example SW1A 1AA, or the first part such as SE15.",
    }


def test_a_nul_in_the_query_gets_a_400_saying_so(client, sample_london):
    response = lookup(client, q="SE15\x00")

    assert response.status_code == 400 and response.json()["code"] == "bad_request"
    assert "holds a character that cannot be in one" in response.json()["message"]


@pytest.mark.parametrize(
    ("typed", "said"),
    [("M1 1AE", "M1 1AE"), ("b11aa", "B1 1AA"), ("CF10 1AA", "CF10 1AA"), ("M1", "M1"), ("CF10 1", "CF10 1")],
)
def test_a_postcode_outside_londons_postcode_areas_is_sent_to_police_uk(client, sample_london, typed, said):
    response = lookup(client, q=typed)

    assert response.status_code == 404
    assert response.json() == {
        "code": "not_in_london",
        "message": f"{said} is outside London. This site covers London's Metropolitan Police area: "
        "find your local police team on police.uk.",
    }


@pytest.mark.parametrize("typed", ["", "  "])
def test_an_empty_q_asks_for_a_postcode(client, sample_london, typed):
    response = lookup(client, q=typed)

    assert response.status_code == 400
    assert response.json() == {"code": "missing_query", "message": "Enter your postcode."}


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("XX1 1XX", "We could not find XX1 1XX. Check the postcode and try again."),  # no such postcode area
        ("QA1", "We could not find any postcodes starting QA1. Check the postcode and try again."),
        ("SE15 9ZZ", "We could not find SE15 9ZZ. Check the postcode and try again."),
        ("CM0 7AA", "We could not find CM0 7AA. Check the postcode and try again."),  # CM is partly London's
        ("SE99", "We could not find any postcodes starting SE99. Check the postcode and try again."),
        ("SE15 9", "We could not find any postcodes starting SE15 9. Check the postcode and try again."),
    ],
)
def test_a_postcode_that_is_not_found_asks_to_check_it(client, sample_london, typed, message):
    response = lookup(client, q=typed)

    assert response.status_code == 404
    assert response.json() == {"code": "postcode_not_found", "message": message}


def test_no_query_at_all_gets_a_400_naming_the_field(client, db):
    response = client.get(URL)

    assert response.status_code == 400
    assert response.json()["code"] == "missing_query"
    assert "q" in response.json()["errors"]


def test_a_position_finds_the_ward_of_the_nearest_postcode(client, sample_london):
    # A few metres from SW1A 1AA (Buckingham Palace).
    body = lookup(client, lat="51.50105", lng="-0.14150").json()

    assert body["postcode"] == "SW1A 1AA"
    assert body["kind"] == "position"
    assert body["wards"][0]["code"] == "E05013806"


def test_a_position_outside_london_is_not_found(client, sample_london):
    response = lookup(client, lat="52.4862", lng="-1.8904")  # Birmingham

    assert response.status_code == 404
    assert response.json()["code"] == "not_in_london"


@pytest.mark.parametrize(
    ("lat", "lng"), [("abc", "-0.1"), ("51.5", ""), ("nan", "0"), ("inf", "0"), ("91", "0"), ("51.5", "181")]
)
def test_a_position_that_is_not_one_gets_a_400(client, sample_london, lat, lng):
    response = lookup(client, lat=lat, lng=lng)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_position"


@pytest.mark.parametrize(
    "params", [{"q": "SW1A 1AA"}, {"q": "SE15"}, {"q": "SW1"}, {"q": "SW1E 5"}, {"lat": "51.501", "lng": "-0.1415"}]
)
def test_each_lookup_is_one_query_and_a_repeat_is_none(client, sample_london, params):
    # The first lookups in a process load the ward table and London's outline, once.
    lookup(client, q="SW1A 2AA")
    lookup(client, lat="51.47", lng="-0.07")
    with CaptureQueriesContext(connection) as first:
        response = lookup(client, **params)
    with CaptureQueriesContext(connection) as repeat:
        again = lookup(client, **params)

    assert response.status_code == 200
    assert len(first) == 1, [q["sql"] for q in first]
    assert again.json() == response.json()
    if "q" in params:
        assert len(repeat) == 0, [q["sql"] for q in repeat]


def test_a_renamed_ward_page_is_found_at_its_new_address_at_once(
    client, sample_london, django_capture_on_commit_callbacks
):
    assert lookup(client, q="SW1A 1AA").json()["wards"][0]["url"].endswith("/westminster/st-jamess/")
    page = WardPage.objects.get(ward__code="E05013806")
    page.slug = "st-james"
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()

    assert lookup(client, q="SW1A 1AA").json()["wards"][0]["url"] == "http://testserver/westminster/st-james/"

    with django_capture_on_commit_callbacks(execute=True):
        page.unpublish()
    assert lookup(client, q="SW1A 1AA").json()["wards"][0]["url"] is None


def test_a_renamed_borough_page_moves_its_wards_addresses(client, sample_london, django_capture_on_commit_callbacks):
    assert lookup(client, q="SE15 5DQ").json()["wards"][0]["url"].endswith("/southwark/rye-lane/")
    borough = BoroughPage.objects.get(borough__code="E09000028")
    borough.slug = "southwark-borough"
    with django_capture_on_commit_callbacks(execute=True):
        borough.save_revision().publish()

    assert lookup(client, q="SE15 5DQ").json()["wards"][0]["url"].endswith("/southwark-borough/rye-lane/")


def test_a_moved_ward_page_is_found_at_its_new_address(client, sample_london, django_capture_on_commit_callbacks):
    lookup(client, q="SE15 5DQ")
    page = WardPage.objects.get(ward__code="E05011113")
    with django_capture_on_commit_callbacks(execute=True):
        page.move(BoroughPage.objects.get(borough__code="E09000033"), pos="last-child")

    assert lookup(client, q="SE15 5DQ").json()["wards"][0]["url"].endswith("/westminster/rye-lane/")


def test_a_deleted_ward_page_is_no_longer_offered(client, sample_london, django_capture_on_commit_callbacks):
    lookup(client, q="SE15 5DQ")
    with django_capture_on_commit_callbacks(execute=True):
        WardPage.objects.get(ward__code="E05011113").delete()

    assert lookup(client, q="SE15 5DQ").json()["wards"][0]["url"] is None


def test_a_new_import_is_seen_by_lookups_at_once(client, sample_london, tmp_path, django_capture_on_commit_callbacks):
    assert lookup(client, q="SW1A 2AA").status_code == 200
    rows = {"sw": [("SW1A 1AA", 529090, 179645, "E09000033", "E05013806")]}

    with django_capture_on_commit_callbacks(execute=True):
        geography_import(source=write_codepoint(tmp_path / "next", rows=rows))

    assert lookup(client, q="SW1A 2AA").status_code == 404


@pytest.mark.parametrize("typed", ["SW1A 1AA", "SW1", "SE15"])
def test_a_postcode_lookup_uses_an_index(client, sample_london, typed):
    if connection.vendor != "postgresql":
        pytest.skip("the query plan is checked on PostgreSQL")
    with CaptureQueriesContext(connection) as queries:
        assert lookup(client, q=typed).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        sql = next(q["sql"] for q in queries if 'FROM "geography_postcode"' in q["sql"])
        cursor.execute("EXPLAIN " + sql.replace("%", "%%"))
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Seq Scan on geography_postcode" not in plan
    assert re.search(r"Index (Only )?Scan (using \S+ )?on geography_postcode", plan), plan


postcode_shaped = st.from_regex(r"\A\s?[A-Za-z]{1,2}[0-9][A-Za-z0-9]?\s?([0-9]([A-Za-z]{2})?)?\s?\Z")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=st.one_of(st.text(max_size=200), postcode_shaped), lat=st.text(max_size=30), lng=st.text(max_size=30))
def test_no_input_ever_causes_a_server_error(client, sample_london, q, lat, lng):
    for params in ({"q": q}, {"lat": lat, "lng": lng}):
        response = lookup(client, **params)
        assert response.status_code in {200, 400, 404}
        assert "message" in response.json() or "wards" in response.json()
    for params in ({"postcode": q}, {"lat": lat, "lng": lng}):
        assert client.get("/find-your-team/", params).status_code in {200, 302, 400, 404}


@pytest.mark.parametrize("url", [URL, "/find-your-team/"])
def test_a_flood_of_parameters_gets_a_400_not_a_500(client, sample_london, url):
    flood = "&".join(f"x{i}=1" for i in range(1500))

    response = client.get(f"{url}?{flood}&q=SW1A1AA&postcode=SW1A1AA")

    assert response.status_code == 400
    assert "could not read that request" in response.content.decode()
