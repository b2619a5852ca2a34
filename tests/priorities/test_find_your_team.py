import html
import re

import pytest

from geography.models import Postcode

URL = "/find-your-team/"


def test_the_home_page_leads_with_the_postcode_box(client, sample_london):
    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<form class="postcode-form" action="/find-your-team/" method="get"' in html
    assert '<label for="postcode">Enter your postcode</label>' in html
    assert html.index('id="postcode"') < html.index("browse-heading")
    assert "Contains OS data © Crown copyright" in html  # the licence's attribution, in the footer


def test_use_my_location_is_an_enhancement_hidden_without_javascript(client, sample_london):
    html = client.get("/").content.decode()

    assert '<p class="use-location" data-use-location hidden>' in html
    assert "/static/js/site.js" in html


@pytest.mark.parametrize("typed", ["SW1A 1AA", "sw1a1aa", " SW1A1AA "])
def test_a_full_postcode_goes_straight_to_the_ward_page(client, sample_london, typed):
    response = client.get(URL, {"postcode": typed})

    assert response.status_code == 302
    assert response["Location"] == "/westminster/st-jamess/"
    ward_page = client.get(response["Location"])
    assert ward_page.status_code == 200
    assert "St. James&#x27;s" in ward_page.content.decode()


def test_a_district_offers_a_choice_of_its_wards(client, sample_london, links_in):
    response = client.get(URL, {"postcode": "SE15"})

    assert response.status_code == 200
    assert "/southwark/peckham/" in links_in(response)
    assert "/southwark/rye-lane/" in links_in(response)
    assert "SE15 covers more than one ward" in response.content.decode()


def words(response) -> str:
    """The page as a person reads it: no tags, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def test_a_district_in_the_city_names_its_city_wards(client, sample_london):
    page = words(client.get(URL, {"postcode": "EC2"}))

    assert "EC2 is in the City of London" in page  # every postcode of EC2 in the sample is the City's
    assert "The City of London Police look after its wards in EC2: Bassishaw and Cheap." in page


def test_a_district_partly_in_the_city_names_its_city_wards_and_offers_the_others(client, sample_london, links_in):
    Postcode.objects.create(
        postcode="EC2Y 9ZZ", outward="EC2Y", sector="EC2Y 9", latitude=51.52, longitude=-0.09, ward_id="E05011113"
    )  # made up: a Met ward in EC2 beside the City's

    response = client.get(URL, {"postcode": "EC2"})

    assert "Part of EC2 is in the City of London" in words(response)
    assert "The City of London Police look after its wards in EC2: Bassishaw and Cheap." in words(response)
    assert "/southwark/rye-lane/" in links_in(response)


def test_no_postcode_shows_the_empty_form(client, db):
    response = client.get(URL)

    assert response.status_code == 200
    assert 'name="postcode"' in response.content.decode()
    assert "There is a problem" not in response.content.decode()


@pytest.mark.parametrize("typed", ["not a postcode", "x" * 3000, "<script>alert(1)</script>"])
def test_bad_input_shows_the_form_again_with_the_error(client, sample_london, typed):
    response = client.get(URL, {"postcode": typed})

    html = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="postcode-hint postcode-error"' in html
    assert "<script>alert" not in html
    assert (
        '<a href="#postcode">Check the postcode and try again, for example SW1A 1AA, '
        "or the first part such as SE15.</a>" in html
    )


@pytest.mark.parametrize("typed", ["", "   "])
def test_an_empty_postcode_box_asks_for_the_postcode(client, sample_london, typed):
    response = client.get(URL, {"postcode": typed})

    html = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in html
    assert '<a href="#postcode">Enter your postcode.</a>' in html
    assert 'aria-describedby="postcode-hint postcode-error"' in html and 'aria-invalid="true"' in html


@pytest.mark.parametrize(
    ("typed", "said"),
    [("XX1 1XX", "We could not find XX1 1XX."), ("qa1", "We could not find any postcodes starting QA1.")],
)
def test_a_postcode_in_no_uk_postcode_area_is_not_found_rather_than_outside_london(client, sample_london, typed, said):
    response = client.get(URL, {"postcode": typed})

    html = response.content.decode()
    assert response.status_code == 404
    assert "We could not find that postcode" in html
    assert f'<a href="#postcode">{said} Check the postcode and try again.</a>' in html
    assert 'aria-invalid="true"' in html


@pytest.mark.parametrize(("typed", "said"), [("M1 1AE", "M1 1AE"), ("cf101aa", "CF10 1AA"), ("B1", "B1")])
def test_a_postcode_outside_london_says_so_and_points_to_police_uk(client, sample_london, typed, said, links_in):
    response = client.get(URL, {"postcode": typed})

    html = response.content.decode()
    assert response.status_code == 404
    assert "That postcode is outside London" in html
    assert (
        f"{said} is outside London. This site covers London&#x27;s Metropolitan Police area: "
        "find your local police team on police.uk." in html
    )
    assert "https://www.police.uk/pu/your-area/" in links_in(response)
    assert 'aria-describedby="postcode-hint"' in html  # the box is not marked wrong: the postcode is fine


def test_a_london_postcode_that_is_not_found_asks_to_check_it(client, sample_london):
    response = client.get(URL, {"postcode": "SE15 9ZZ"})

    html = response.content.decode()
    assert response.status_code == 404
    assert "We could not find that postcode" in html
    assert '<a href="#postcode">We could not find SE15 9ZZ. Check the postcode and try again.</a>' in html
    assert 'aria-invalid="true"' in html


def test_a_city_of_london_postcode_names_its_ward_and_sends_to_the_city_police(client, sample_london, links_in):
    response = client.get(URL, {"postcode": "ec2v 7hh"})

    assert response.status_code == 200
    assert "<title>Bassishaw ward, City of London | Find your team" in response.content.decode()
    page = words(response)
    assert "EC2V 7HH is in the City of London's Bassishaw ward" in page
    assert "Bassishaw is policed by the City of London Police, the City's own police force" in page
    assert "https://www.cityoflondon.police.uk/" in links_in(response)


def test_my_location_in_the_city_names_its_ward(client, sample_london):
    here = Postcode.objects.get(postcode="EC2V 7HH")

    response = client.get(URL, {"lat": here.latitude, "lng": here.longitude})

    assert "<title>Bassishaw ward, City of London | Find your team" in response.content.decode()
    assert "EC2V 7HH is in the City of London's Bassishaw ward" in words(response)


def test_my_location_goes_to_the_nearest_postcodes_ward(client, sample_london):
    response = client.get(URL, {"lat": "51.50105", "lng": "-0.14150"})

    assert response.status_code == 302
    assert response["Location"] == "/westminster/st-jamess/"


def test_a_location_outside_london_says_so_without_blaming_the_postcode_box(client, sample_london):
    response = client.get(URL, {"lat": "53.48", "lng": "-2.24"})

    html = response.content.decode()
    assert response.status_code == 404
    assert "We could not use your location" in html
    assert "That position is outside London. Please enter your postcode instead." in html
    assert 'aria-invalid="true"' not in html


def test_pages_say_what_they_show_in_their_title(client, sample_london):
    assert "<title>Wards in SE15 | Find your team" in client.get(URL, {"postcode": "SE15"}).content.decode()
    assert "<title>Error: Find your team" in client.get(URL, {"postcode": "nope"}).content.decode()


def test_a_missing_page_offers_the_postcode_box(client, sample_london):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert 'name="postcode"' in response.content.decode()
