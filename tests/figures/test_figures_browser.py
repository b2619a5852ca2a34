"""The crime and survey figures in a real browser (headless Chromium), as residents read them: on
a phone and a desktop, with and without JavaScript, checked with axe-core."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from figures.services import confidence_import, crime_import
from home.demo import demo_content_load
from tests.figures.confidence_sample import write_confidence_csv
from tests.figures.crime_sample import write_both

# Committed data, so that the live server's thread sees it.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PAGES = ["/southwark/rye-lane/", "/southwark/rye-lane/crime/", "/southwark/crime/", "/southwark/"]


@pytest.fixture
def site(live_server, sample_london_committed, tmp_path):
    demo_content_load()
    crime_import(sources=write_both(tmp_path))
    confidence_import(source=write_confidence_csv(tmp_path / "PAS_Dashboard_Borough.csv"))
    return live_server.url


@pytest.mark.parametrize("width", [320, 1280])
def test_the_figures_pages_have_no_serious_accessibility_problems_and_fit_the_screen(browser, site, width):
    page = browser.new_page(viewport={"width": width, "height": 900})
    for path in PAGES:
        page.goto(site + path)
        page.locator("details").evaluate_all("all => all.forEach(d => d.open = true)")  # the tables too
        results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_AA}})
        serious = [
            (v["id"], v["impact"]) for v in results.response["violations"] if v["impact"] in {"serious", "critical"}
        ]
        assert serious == [], (path, width, results.generate_report())
        assert page.evaluate("document.documentElement.scrollWidth") <= width, (path, width)
        cut_off = page.evaluate(
            """() => [...document.querySelectorAll("svg.chart")].flatMap(svg => {
                const box = svg.getBoundingClientRect();
                return [...svg.querySelectorAll("text")].filter(text => {
                    const edge = text.getBoundingClientRect();
                    return edge.left < box.left - 1 || edge.right > box.right + 1;
                }).map(text => text.textContent);
            })"""
        )
        assert cut_off == [], (path, width)  # every label of every chart is drawn whole


def test_without_javascript_the_chart_is_drawn_and_its_table_opens(browser, site):
    page = browser.new_context(java_script_enabled=False, viewport={"width": 320, "height": 700}).new_page()
    page.goto(site + "/southwark/rye-lane/")
    crime = page.locator("section", has=page.get_by_role("heading", name="Crime in Rye Lane"))
    chart = crime.get_by_role("img", name="Crimes recorded in Rye Lane each month")
    assert chart.is_visible() and chart.bounding_box()["width"] <= 320
    table = crime.get_by_role("table", name="Crimes recorded in Rye Lane each month")
    assert not table.is_visible()
    crime.get_by_text("The figures month by month").click()
    assert table.is_visible() and table.get_by_role("row").count() == 29  # a heading row and 28 months

    page.get_by_role("link", name="What residents say about policing in Southwark").click()
    assert page.url.endswith("/southwark/#confidence")
    assert page.get_by_role("heading", name="What residents say about policing in Southwark").is_visible()


def test_a_resident_picks_a_ward_on_the_shaded_borough_map(browser, site):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(site + "/southwark/")
    borough_map = page.get_by_role("group", name="Map of the wards of Southwark")
    assert borough_map.get_attribute("aria-describedby") == "borough-map-desc"
    described = page.locator("#borough-map-desc").text_content()
    assert "The 2 wards of Southwark, shaded by the crimes recorded" in described
    assert page.locator(".map-legend li").count() == 2  # two wards: a shade each

    borough_map.locator('a[href="/southwark/peckham/"] path').click()

    page.wait_for_url(site + "/southwark/peckham/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Peckham")
