"""A resident proposes a natural neighbourhood from their borough's page, in a real browser (headless
Chromium) on a phone-sized screen, with and without JavaScript: the form and its mistakes pass axe's
WCAG 2.2 AA checks, and each mistake in the summary takes them to its field."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from priorities.models import NeighbourhoodProposal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture
def site(live_server, sample_london_committed):
    return live_server.url


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_a_resident_proposes_a_neighbourhood_on_a_phone(browser, site, javascript):
    context = browser.new_context(viewport={"width": 320, "height": 900}, java_script_enabled=javascript)
    page = context.new_page()

    def assert_accessible():
        results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_AA}}) if javascript else None
        if results is not None:
            serious = [v["id"] for v in results.response["violations"] if v["impact"] in {"serious", "critical"}]
            assert serious == [], (page.url, results.generate_report())
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, page.url

    page.goto(site + "/southwark/")
    page.get_by_role("link", name="Propose a natural neighbourhood").click()
    assert page.get_by_label("Borough").input_value() != ""  # Southwark, chosen
    assert_accessible()
    page.get_by_label("Which streets, estate or places does it cover?").fill("Bellenden Road and around")
    page.get_by_label("Your postcode (optional)").fill("SE15")
    page.get_by_role("button", name="Send the proposal").click()

    assert_accessible()
    page.get_by_role("link", name="Enter what you call where you live").click()
    assert page.evaluate("document.activeElement.id") == "id_name"
    assert page.get_by_label("Which streets, estate or places does it cover?").input_value() == (
        "Bellenden Road and around"
    )
    page.get_by_label("What do you call where you live?").fill("Bellenden")
    page.get_by_label("Why is it one place?").fill("The same shops and school.")
    page.get_by_label("Your postcode (optional)").fill("SE15 5DB")
    page.get_by_role("button", name="Send the proposal").click()

    assert page.get_by_role("heading", level=1).inner_text() == "Thank you for your proposal"
    assert_accessible()
    assert NeighbourhoodProposal.objects.get().postcode == "SE15 5DB"
    context.close()
