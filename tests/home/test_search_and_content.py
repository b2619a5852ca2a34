import datetime
import html
import re
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from home.demo import content_pages_ensure
from priorities.models import PriorityCategory, WardPage
from tests.factories import ward_page_form


@pytest.fixture
def published_priority(sample_london, add_priority):
    page = WardPage.objects.get(ward__code="E05011113")
    add_priority(page, title="Nuisance mopeds", updates=[(4, "Seized two mopeds near the station.")])
    page.save_revision().publish()  # publishing indexes the page with its priorities
    return page


def test_search_finds_a_ward_by_its_priorities_and_updates(client, published_priority):
    for words in ("mopeds", "seized"):
        html = client.get("/search/", {"q": words}).content.decode()
        assert 'href="/southwark/rye-lane/"' in html, words


def results_for(client, words) -> str:
    return client.get("/search/", {"q": words}).content.decode()


def publish_from_the_admin(client, page, priorities):
    """Publish a ward page from the admin as an officer does: every priority it should have, each a
    dict (title, you_said, category by name, updates as [(date, we_did)], and the id of one that is
    already there)."""
    categories = dict(PriorityCategory.objects.values_list("name", "pk"))
    existing = [p for p in priorities if "id" in p]
    rows = [
        {
            "id": priority.get("id", ""),
            "title": priority["title"],
            "category": categories[priority.get("category", "Knife crime")],
            "you_said": priority.get("you_said", "Residents told us."),
            "agreed_on": "2026-09-01",
            "review_by": "",
            "status": "active",
            "outcome": "",
            "DELETE": "1" if priority.get("delete") else "",
            "updates": [{"date": day, "we_did": text} for day, text in priority.get("updates", [])],
        }
        for priority in existing + [p for p in priorities if "id" not in p]
    ]
    data = ward_page_form(page, priorities=rows, existing=len(existing))
    response = client.post(f"/admin/pages/{page.pk}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:2000]


@pytest.fixture
def officer_client(client, officers):
    client.force_login(officers[0])  # a Southwark officer, who looks after Rye Lane
    return client


def test_a_new_priority_and_its_update_are_found_as_soon_as_they_are_published(officer_client):
    rye_lane = WardPage.objects.get(ward__code="E05011113")
    publish_from_the_admin(
        officer_client,
        rye_lane,
        [
            {
                "title": "Knife crime near the station",
                "you_said": "Young people feel unsafe walking home.",
                "updates": [("2026-10-03", "Weapons sweep of the estate with the council.")],
            }
        ],
    )

    for words in ("knife crime", "walking home", "weapons sweep"):
        html = results_for(officer_client, words)
        assert "1 result for" in html and 'href="/southwark/rye-lane/"' in html, words


def test_changed_and_removed_priorities_are_searched_as_published(officer_client, published_priority):
    moped = published_priority.priorities.get()
    publish_from_the_admin(
        officer_client,
        published_priority,
        [
            {"id": moped.pk, "title": "Burglary on Choumert Road", "you_said": "Sheds broken into at night."},
            {"title": "Drug dealing in the park"},
        ],
    )
    assert 'href="/southwark/rye-lane/"' in results_for(officer_client, "burglary")
    assert "0 results for “nuisance”" in results_for(officer_client, "nuisance")  # its old title

    drugs = published_priority.priorities.get(title="Drug dealing in the park")
    publish_from_the_admin(
        officer_client,
        published_priority,
        [
            {"id": moped.pk, "title": "Burglary on Choumert Road"},
            {"id": drugs.pk, "title": drugs.title, "delete": True},
        ],
    )
    assert "0 results for “drug dealing”" in results_for(officer_client, "drug dealing")
    assert 'href="/southwark/rye-lane/"' in results_for(officer_client, "burglary")


@pytest.fixture
def sheds_broken_into(sample_london, add_priority):
    """Rye Lane's priority in the category "Residential burglary", published, its words not saying so."""
    rye_lane = WardPage.objects.get(ward__code="E05011113")
    sheds = add_priority(rye_lane, title="Sheds broken into")
    sheds.category = PriorityCategory.objects.get(name="Residential burglary")
    sheds.save()
    rye_lane.save_revision().publish()
    return sheds


def test_the_search_boxs_own_example_finds_the_wards_working_on_it(client, sheds_broken_into):
    """The hint under the box suggests "burglary": a ward is found by the kind of each priority
    (its category), not only by the words its officers wrote."""
    html = results_for(client, "burglary")

    assert "For example a ward or a problem such as burglary" in html
    assert "1 result for “burglary”" in html and 'href="/southwark/rye-lane/"' in html


def test_a_priority_given_another_kind_is_found_by_its_new_kind_once_published(officer_client):
    rye_lane = WardPage.objects.get(ward__code="E05011113")
    publish_from_the_admin(officer_client, rye_lane, [{"title": "Trouble by the station", "category": "Knife crime"}])
    assert 'href="/southwark/rye-lane/"' in results_for(officer_client, "knife")

    trouble = rye_lane.priorities.get()
    publish_from_the_admin(
        officer_client, rye_lane, [{"id": trouble.pk, "title": trouble.title, "category": "Residential burglary"}]
    )

    assert 'href="/southwark/rye-lane/"' in results_for(officer_client, "burglary")
    assert "0 results for “knife”" in results_for(officer_client, "knife")


def test_a_renamed_kind_of_priority_is_searched_by_its_new_name(client, sheds_broken_into):
    category = sheds_broken_into.category
    category.name = "Break-ins at homes"
    category.save()  # as an administrator does, in the priority categories' list

    assert 'href="/southwark/rye-lane/"' in results_for(client, "homes")
    assert "0 results for “burglary”" in results_for(client, "burglary")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite's full-text search matches whole words only")
def test_on_postgresql_a_word_is_found_in_its_other_forms(client, sheds_broken_into):
    """PostgreSQL reduces words to their stems in English (SEARCH_CONFIG), so "burglaries" finds "burglary"."""
    assert 'href="/southwark/rye-lane/"' in results_for(client, "burglaries")


def test_an_unpublished_ward_page_is_no_longer_found(client, published_priority):
    published_priority.unpublish()

    assert "0 results for “mopeds”" in results_for(client, "mopeds")


@pytest.mark.parametrize("typed", ["SE15 5DB", "sw1a1aa", "SE15", "SW1E 5", "se1 5", "M1 1AE"])
def test_a_postcode_in_the_search_box_goes_to_the_postcode_lookup(client, sample_london, typed):
    response = client.get("/search/", {"q": typed})

    assert response.status_code == 302
    assert response["Location"] == "/find-your-team/?" + urlencode({"postcode": typed})


def test_a_resident_who_searches_for_their_postcode_lands_on_their_team(client, sample_london):
    response = client.get("/search/", {"q": " se15 5db "}, follow=True)

    assert response.redirect_chain[-1][0] == "/southwark/rye-lane/"
    assert "<h1>Rye Lane" in response.content.decode()


@pytest.mark.parametrize("road", ["A2", "A406", "M25"])
def test_a_road_that_looks_like_part_of_a_postcode_is_searched_for_as_words(client, sample_london, road, add_priority):
    rye_lane = WardPage.objects.get(ward__code="E05011113")
    add_priority(rye_lane, title=f"Speeding on the {road}")
    rye_lane.save_revision().publish()

    html = results_for(client, road)

    assert "1 result for" in html and 'href="/southwark/rye-lane/"' in html


def test_search_finds_wards_by_name(client, sample_london):
    html = client.get("/search/", {"q": "Pimlico"}).content.decode()

    assert 'href="/westminster/pimlico-north/"' in html


def result_links(response) -> list[tuple[str, str]]:
    """(address, words) of each result's link, as a resident reads them."""
    results = re.search(r'<ol class="results".*?</ol>', response.content.decode(), re.S).group()
    return [(href, html.unescape(words)) for href, words in re.findall(r'<a href="([^"]+)">([^<]+)</a>', results)]


def test_wards_of_the_same_name_are_told_apart_by_their_borough(client, sample_london):
    for code in ("E05011110", "E05013806"):  # Peckham in Southwark, St. James's in Westminster
        page = WardPage.objects.get(ward__code=code)
        page.title = "Abbey"
        page.save_revision().publish()

    response = client.get("/search/", {"q": "abbey"})

    assert sorted(result_links(response)) == [
        ("/southwark/peckham/", "Abbey, Southwark"),
        ("/westminster/st-jamess/", "Abbey, Westminster"),
    ]
    what_it_is = (
        "The Abbey Safer Neighbourhoods Team: who they are, what they are working on because residents asked, "
        "and when to meet them."
    )
    assert html.unescape(response.content.decode()).count(f"<p>{what_it_is}</p>") == 2


def test_a_page_of_ward_results_names_each_borough_for_the_same_queries_as_one_result(
    client, sample_london, add_priority
):
    met_wards = WardPage.objects.filter(ward__borough__police_force="metropolitan").select_related("ward__borough")
    for page in met_wards:
        add_priority(page, title="Nuisance mopeds")
        if page.ward_id == "E05011113":
            add_priority(page, title="Graffiti on the railway bridge")
        page.save_revision().publish()
    client.get("/search/", {"q": "graffiti"})  # the first search of a process looks up the site once

    with CaptureQueriesContext(connection) as one:
        single = client.get("/search/", {"q": "graffiti"})
    with CaptureQueriesContext(connection) as five:
        several = client.get("/search/", {"q": "mopeds"})

    assert result_links(single) == [("/southwark/rye-lane/", "Rye Lane, Southwark")]
    assert sorted(result_links(several)) == sorted(
        (page.url, f"{page.title}, {page.ward.borough.name}") for page in met_wards
    )
    assert len(met_wards) == 5
    assert len(five) == len(one), "\n".join(q["sql"][:120] for q in five)


def test_search_without_words_shows_just_the_box(client, sample_london):
    response = client.get("/search/")

    assert response.status_code == 200 and response.context["results"] is None  # nothing was searched
    assert re.search(r'<input id="q" name="q" type="search" value=""', response.content.decode())


@pytest.mark.parametrize("params", [{"q": "x" * 5000}, {"q": "ward", "page": "999"}, {"q": "ward", "page": "abc"}])
def test_strange_searches_get_a_page_not_an_error(client, sample_london, params):
    assert client.get("/search/", params).status_code == 200


def test_a_search_costs_a_bounded_number_of_queries(client, sample_london):
    client.get("/search/", {"q": "a"})
    with CaptureQueriesContext(connection) as queries:
        client.get("/search/", {"q": "ward"})

    assert len(queries) <= 12, "\n".join(q["sql"][:100] for q in queries)


def test_the_promises_and_accessibility_pages_exist_in_plain_words(client, sample_london):
    assert content_pages_ensure() == 2  # the privacy notice is a page of its own (home.views.privacy)
    assert content_pages_ensure() == 0

    promises = client.get("/our-promises/").content.decode()
    statement = client.get("/accessibility/").content.decode()

    assert "We will tell you what we did" in promises and "Demo content" in promises
    assert "Web Content Accessibility Guidelines (WCAG) version 2.2" in statement
    assert "Reading this site sets no cookies" in client.get("/privacy/").content.decode()


def test_the_accessibility_statement_says_what_the_regulations_ask(client, sample_london):
    """The Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations
    2018: compliance status, what is not accessible and why, how to report a problem or ask for
    another format (and how soon we reply), the enforcement procedure, and when the statement was
    prepared and reviewed and how the site was tested."""
    content_pages_ensure(today=datetime.date(2026, 1, 5))

    html = client.get("/accessibility/").content.decode()
    headings = re.findall(r"<h2[^>]*>(.*?)</h2>", html)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))

    for heading in (
        "How accessible this site is",
        "What is not accessible, and why",
        "Reporting a problem, or asking for another format",
        "Enforcement procedure",
        "How we tested this site",
        "Preparation of this accessibility statement",
    ):
        assert heading in headings
    assert "partially compliant with the Web Content Accessibility Guidelines (WCAG) version 2.2 at level AA" in text
    for known_problem in ("Maps are drawings", "PDFs", "Redoc"):
        assert known_problem in text
    assert "We will reply within 5 working days" in text
    assert "Equality and Human Rights Commission (EHRC)" in text
    assert "Equality Advisory and Support Service" in text
    assert "prepared on 5 January 2026. It was last reviewed on 5 January 2026" in text
    assert "axe-core" in text and "Demo content" in text


@pytest.mark.parametrize("typed", ['"', 'knife"', '"knife', 'mopeds "station'])
def test_a_lone_double_quote_is_searched_for_as_words_not_a_server_error(client, published_priority, typed):
    """Found by the form fuzzer on SQLite, whose full-text search could not read it (a 503)."""
    response = client.get("/search/", {"q": typed})

    assert response.status_code == 200 and "results for" in response.content.decode()
    if "mopeds" in typed:
        assert 'href="/southwark/rye-lane/"' in response.content.decode()
