import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from priorities.demo import content_pages_ensure
from priorities.models import WardPage
from tests.priorities.test_priorities import add_priority


@pytest.fixture
def published_priority(sample_london):
    page = WardPage.objects.get(ward__code="E05011113")
    add_priority(page, title="Nuisance mopeds", updates=[(4, "Seized two mopeds near the station.")])
    page.save_revision().publish()  # publishing indexes the page with its priorities
    return page


def test_search_finds_a_ward_by_its_priorities_and_updates(client, published_priority):
    for words in ("mopeds", "seized"):
        html = client.get("/search/", {"q": words}).content.decode()
        assert 'href="/southwark/rye-lane/"' in html, words


def test_search_finds_wards_by_name(client, sample_london):
    html = client.get("/search/", {"q": "Pimlico"}).content.decode()

    assert 'href="/westminster/pimlico-north/"' in html


def test_search_without_words_shows_just_the_box(client, sample_london):
    html = client.get("/search/").content.decode()

    assert 'name="q"' in html and "result" not in html


@pytest.mark.parametrize("params", [{"q": "x" * 5000}, {"q": "ward", "page": "999"}, {"q": "ward", "page": "abc"}])
def test_strange_searches_get_a_page_not_an_error(client, sample_london, params):
    assert client.get("/search/", params).status_code == 200


def test_a_search_costs_a_bounded_number_of_queries(client, sample_london):
    client.get("/search/", {"q": "a"})
    with CaptureQueriesContext(connection) as queries:
        client.get("/search/", {"q": "ward"})

    assert len(queries) <= 12, "\n".join(q["sql"][:100] for q in queries)


def test_the_promises_and_accessibility_pages_exist_in_plain_words(client, sample_london):
    assert content_pages_ensure() == 2  # the privacy notice is a page of its own (sn_site.views.privacy)
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
    for known_problem in ("Ward maps", "PDFs", "Redoc"):
        assert known_problem in text
    assert "We will reply within 5 working days" in text
    assert "Equality and Human Rights Commission (EHRC)" in text
    assert "Equality Advisory and Support Service" in text
    assert "prepared on 5 January 2026. It was last reviewed on 5 January 2026" in text
    assert "axe-core" in text and "Demo content" in text
