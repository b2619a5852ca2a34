"""The open data API's natural neighbourhoods (/api/v1/neighbourhoods/): what each one's page shows,
the list's filters and pages, privacy, the cost of a list, caching and the schema."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from priorities.models import BoroughPage, NeighbourhoodPage, WardPage

URL = "/api/v1/neighbourhoods/"
SOUTHWARK, WESTMINSTER = "E09000028", "E09000033"
RYE_LANE, PECKHAM, ST_JAMESS = "E05011113", "E05011110", "E05013806"


@pytest.fixture
def add_neighbourhood(django_capture_on_commit_callbacks):
    """add_neighbourhood(title, postcodes, borough="Southwark", officers=(), publish=True, **fields): a
    natural neighbourhood under a borough's page, published through Wagtail as an officer's would be
    (its area worked out on publishing), or left a draft."""

    def add(title, postcodes, borough="Southwark", officers=(), publish=True, **fields) -> NeighbourhoodPage:
        page = NeighbourhoodPage(
            title=title, area_postcodes="\n".join(postcodes), live=False, **{"hear_by": [], **fields}
        )
        page.officers = list(officers)
        BoroughPage.objects.get(borough__name=borough).add_child(instance=page)
        with django_capture_on_commit_callbacks(execute=True):
            revision = page.save_revision()
            if publish:
                revision.publish()
        page.refresh_from_db()
        return page

    return add


@pytest.fixture
def bellenden(sample_london, add_neighbourhood, add_member):
    """Across Rye Lane and Peckham, looked after by an officer of each team."""
    rye_lane, peckham = (WardPage.objects.get(ward_id=code) for code in (RYE_LANE, PECKHAM))
    return add_neighbourhood(
        "Bellenden",
        ["SE15 5DB", "SE15 5DD", "SE15 5RP"],
        officers=[add_member(rye_lane, 1), add_member(peckham, 2, photo=False)],
        introduction="<p>The shops on <b>Choumert Road</b> &amp; the school gates.</p><p>The alleys.</p>",
        hear_by=["street_meeting", "newsletter"],
    )


def test_a_neighbourhood_says_what_its_page_shows(client, bellenden):
    response = client.get(f"{URL}bellenden/")

    place = response.json()
    assert (place["slug"], place["name"]) == ("bellenden", "Bellenden")
    assert place["url"] == "http://testserver/southwark/bellenden/"
    assert client.get("/southwark/bellenden/").status_code == 200
    assert place["description"] == "The shops on Choumert Road & the school gates. The alleys."
    assert place["borough"] == {"code": SOUTHWARK, "name": "Southwark"}
    assert [(o["name"], o["role"], o["team"]) for o in place["officers"]] == [
        ("PC Officer 2", "pc", {"code": PECKHAM, "name": "Peckham"}),
        ("PC Officer 1", "pc", {"code": RYE_LANE, "name": "Rye Lane"}),
    ]
    assert place["officers"][1]["photo"]["alt"] == "Officer 1 smiling" and place["officers"][0]["photo"] is None
    assert place["hear_by"] == [  # in the order the page lists them, whatever order they were ticked in
        {"value": "newsletter", "label": "Newsletter by email"},
        {"value": "street_meeting", "label": "Street meetings"},
    ]
    assert [(w["code"], w["borough"]["name"], w["url"]) for w in place["wards"]] == [
        (PECKHAM, "Southwark", "http://testserver/southwark/peckham/"),
        (RYE_LANE, "Southwark", "http://testserver/southwark/rye-lane/"),
    ]
    assert place["postcode_count"] == 3
    assert place["outline"]["type"] in {"Polygon", "MultiPolygon"} and place["outline"] == bellenden.outline
    published = datetime.datetime.fromisoformat(place["updated_at"])
    assert published == bellenden.last_published_at
    assert response["Last-Modified"]


def test_the_list_is_every_neighbourhood_without_outlines(client, bellenden, add_neighbourhood):
    add_neighbourhood("Whitehall", ["SW1A 2AA"], borough="Westminster")

    listed = client.get(URL).json()

    assert listed["count"] == 2
    assert [place["slug"] for place in listed["results"]] == ["bellenden", "whitehall"]
    assert "outline" not in listed["results"][0]
    detail = client.get(f"{URL}bellenden/").json()
    assert listed["results"][0] == {name: value for name, value in detail.items() if name != "outline"}


def test_the_list_filters_by_borough_ward_and_postcode(client, bellenden, add_neighbourhood):
    add_neighbourhood("Whitehall", ["SW1A 2AA"], borough="Westminster")
    # Kept by Westminster's officers, but its one postcode is in Southwark.
    add_neighbourhood("Over the river", ["SE15 5DQ"], borough="Westminster")

    def slugs(**filters):
        return [place["slug"] for place in client.get(URL, filters).json()["results"]]

    assert slugs(borough=SOUTHWARK) == ["bellenden", "over-the-river"]  # belongs to it or reaches into it
    assert slugs(borough=WESTMINSTER) == ["over-the-river", "whitehall"]
    assert slugs(ward=PECKHAM) == ["bellenden"]
    assert slugs(ward=RYE_LANE) == ["bellenden", "over-the-river"]
    assert slugs(postcode="se155rp") == ["bellenden"]  # however it is typed
    assert slugs(postcode="SE15 5DQ") == ["over-the-river"]
    assert slugs(postcode="SE15 5RS") == []  # in Peckham, but in no neighbourhood
    assert slugs(postcode="SE15 5RP", borough=WESTMINSTER) == []  # filters combine
    assert slugs(borough="E09000001") == []


@pytest.mark.parametrize(
    ("filters", "wrong"),
    [
        ({"postcode": "not a postcode"}, {"postcode"}),
        ({"postcode": "SE15"}, {"postcode"}),  # a district
        ({"postcode": "SE15 5"}, {"postcode"}),  # a sector
        ({"postcode": "S" * 500}, {"postcode"}),
        ({"borough": "Southwark", "ward": "Rye Lane", "postcode": "SW1A"}, {"borough", "ward", "postcode"}),
    ],
)
def test_bad_filters_get_a_400_naming_each_field(client, bellenden, filters, wrong):
    response = client.get(URL, filters)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and set(body["errors"]) == wrong
    if "postcode" in wrong:
        assert body["errors"]["postcode"] == ["Enter a full postcode, such as SE15 4NB."]


def test_drafts_unpublished_and_private_neighbourhoods_show_nowhere(client, bellenden, add_neighbourhood):
    add_neighbourhood("Still a draft", ["SE15 5DQ"], publish=False)
    private = add_neighbourhood("Private place", ["SE15 5DQ"])
    PageViewRestriction.objects.create(
        page=private, restriction_type=PageViewRestriction.PASSWORD, password="a-private-password"
    )
    withdrawn = add_neighbourhood("Withdrawn", ["SE15 5DQ"])
    withdrawn.unpublish()

    for slug in ("still-a-draft", "private-place", "withdrawn", "nowhere"):
        response = client.get(f"{URL}{slug}/")
        assert response.status_code == 404 and response.json()["code"] == "not_found", slug
    assert [p["slug"] for p in client.get(URL).json()["results"]] == ["bellenden"]
    assert client.get(URL, {"postcode": "SE15 5DQ"}).json()["results"] == []


def test_a_neighbourhood_under_a_private_borough_page_shows_nowhere(client, bellenden):
    PageViewRestriction.objects.create(
        page=BoroughPage.objects.get(borough_id=SOUTHWARK),
        restriction_type=PageViewRestriction.PASSWORD,
        password="a-private-password",
    )

    assert client.get(f"{URL}bellenden/").status_code == 404
    assert client.get(URL).json()["count"] == 0


def test_the_list_comes_in_pages(client, bellenden, add_neighbourhood):
    for n in range(3):
        add_neighbourhood(f"Place {n}", ["SW1A 1AA"], borough="Westminster")

    first = client.get(URL, {"page_size": 2}).json()
    second = client.get(first["next"]).json()

    assert first["count"] == 4
    assert [p["slug"] for p in first["results"] + second["results"]] == ["bellenden", "place-0", "place-1", "place-2"]
    assert client.get(URL, {"page": 9}).status_code == 404


def test_the_list_costs_the_same_queries_however_long_it_is(client, bellenden, add_neighbourhood, add_member):
    st_jamess = WardPage.objects.get(ward_id=ST_JAMESS)
    for n in range(6):
        officers = [add_member(st_jamess, 10 + 2 * n), add_member(st_jamess, 11 + 2 * n, photo=False)]
        add_neighbourhood(f"Place {n}", ["SW1A 1AA", "SW1E 5BP"], borough="Westminster", officers=officers)
    client.get(URL, {"page_size": 50})  # Wagtail learns the site's root paths; the photos' thumbnails are made

    with CaptureQueriesContext(connection) as short:
        assert len(client.get(URL, {"page_size": 1}).json()["results"]) == 1
    with CaptureQueriesContext(connection) as long:
        places = client.get(URL, {"page_size": 50}).json()["results"]
    assert len(places) == 7 and all(len(place["officers"]) == 2 for place in places)
    assert len(long) == len(short) <= 6


def test_answers_are_cached_until_a_neighbourhood_is_published(
    client, bellenden, settings, add_member, django_capture_on_commit_callbacks
):
    settings.SN_API_CACHE_SECONDS = 300
    first = client.get(f"{URL}bellenden/").json()
    listed = client.get(URL).json()

    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"{URL}bellenden/").json() == first
        assert client.get(URL).json() == listed
    assert len(queries) == 0

    bellenden.area_postcodes += "\nSE15 5RS"
    with django_capture_on_commit_callbacks(execute=True):
        bellenden.save_revision().publish()
    assert client.get(f"{URL}bellenden/").json()["postcode_count"] == 4
    assert client.get(URL, {"postcode": "SE15 5RS"}).json()["count"] == 1

    with django_capture_on_commit_callbacks(execute=True):
        bellenden.unpublish()
    assert client.get(f"{URL}bellenden/").status_code == 404
    assert client.get(URL).json()["count"] == 0


def test_the_schema_documents_the_neighbourhoods(client, sample_london):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    listing = schema["paths"]["/api/v1/neighbourhoods/"]["get"]
    assert {parameter["name"] for parameter in listing["parameters"]} >= {"borough", "ward", "postcode", "page"}
    assert set(listing["responses"]) == {"200", "400"}
    assert set(schema["paths"]["/api/v1/neighbourhoods/{slug}/"]["get"]["responses"]) == {"200", "404"}
    fields = schema["components"]["schemas"]["NeighbourhoodDetail"]["properties"]
    assert {"slug", "name", "url", "description", "borough", "officers", "hear_by", "wards"} <= set(fields)
    assert {"postcode_count", "outline", "updated_at"} <= set(fields)
