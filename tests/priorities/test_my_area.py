import pytest
from django.test import Client

from priorities.models import WardPage
from priorities.my_area import COOKIE


@pytest.fixture
def rye_lane(sample_london, add_priority):
    page = WardPage.objects.get(ward__code="E05011113")
    add_priority(page, updates=[(3, "Speed checks on three mornings."), (20, "14 drivers warned.")])
    return page


def test_a_visitor_who_asks_has_the_home_page_lead_with_their_team(client, rye_lane):
    response = client.post("/my-area/", {"ward": "E05011113"})

    assert response.status_code == 302 and response["Location"] == "/southwark/rye-lane/"
    cookie = response.cookies[COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and int(cookie["max-age"]) > 300 * 24 * 3600
    html = client.get("/").content.decode()
    assert 'Your team: <a href="/southwark/rye-lane/">Rye Lane</a>' in html
    assert "14 drivers warned." in html and "Speed checks" not in html  # the latest update only
    assert "Rye Lane is your area" in client.get("/my-area/", {"ward": "E05011113"}).content.decode()


def test_forgetting_the_area_removes_the_cookie(client, rye_lane):
    client.post("/my-area/", {"ward": "E05011113"})

    response = client.post("/my-area/", {"ward": "E05011113", "forget": "1"})

    assert response.cookies[COOKIE].value == ""
    assert "Your team:" not in client.get("/").content.decode()


def test_nothing_is_remembered_unless_asked(client, rye_lane):
    for url in ("/", rye_lane.url, "/find-your-team/?postcode=SE15"):
        assert not client.get(url).cookies, url


def test_a_tampered_or_unknown_area_is_ignored(client, rye_lane):
    client.cookies[COOKIE] = "E05011113"  # not signed by us
    assert "Your team:" not in client.get("/").content.decode()

    response = client.post("/my-area/", {"ward": "E05999999"})
    assert response["Location"] == "/" and response.cookies[COOKIE].value == ""


def test_the_ward_page_links_to_a_page_that_explains_the_cookie_first(client, rye_lane):
    assert 'href="/my-area/?ward=E05011113"' in client.get(rye_lane.url).content.decode()

    page = client.get("/my-area/", {"ward": "E05011113"}).content.decode()

    assert "Remember Rye Lane as your area?" in page and "one small cookie" in page


def test_remembering_needs_a_post_with_a_csrf_token(rye_lane):
    strict = Client(enforce_csrf_checks=True)

    assert strict.post("/my-area/", {"ward": "E05011113"}).status_code == 403
    assert Client().put("/my-area/").status_code == 405
