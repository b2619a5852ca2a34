"""An officer draws a natural neighbourhood's area on the map in the page editor, in a real browser
(headless Chromium), and publishes it: the postcodes inside it become its area. GeoJSON pasted into
the field is drawn, and does the same."""

import json

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import Group, User
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from geography.selectors import area_of
from priorities.models import BoroughPage, NeighbourhoodPage, NeighbourhoodPostcode

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SOUTHWARK_SAMPLE = ["SE15 5DB", "SE15 5DD", "SE15 5DQ", "SE15 5RP", "SE15 5RS"]


@pytest.fixture
def site(live_server, sample_london_committed, settings):
    # Wagtail 8's autosave of a new page can race the Publish button's own save of it (two creates
    # of one slug, one failing): these tests publish at once, as officers mostly do.
    settings.WAGTAIL_AUTOSAVE_INTERVAL = 0
    return live_server.url


def sign_in(page, site) -> None:
    """A Southwark officer signs in with a password and an authenticator app's code."""
    officer = User.objects.create_user("pc.southwark", password="a-long-test-password")
    officer.groups.add(Group.objects.get(name="Southwark officers"))
    device = TOTPDevice.objects.create(user=officer, name="phone", confirmed=True)
    page.goto(site + "/admin/login/")
    page.get_by_label("Username").fill("pc.southwark")
    page.get_by_label("Password").fill("a-long-test-password")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(site + "/admin/two-factor/?next=/admin/")
    page.get_by_label("Code").fill(f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}")
    page.get_by_label("Code").press("Enter")
    page.wait_for_url(site + "/admin/")


def add_neighbourhood(page, site):
    southwark = BoroughPage.objects.get(borough__code="E09000028")
    page.goto(f"{site}/admin/pages/add/priorities/neighbourhoodpage/{southwark.pk}/")
    page.locator("#id_title").fill("Bellenden")


def publish(page):
    page.wait_for_load_state("networkidle")  # the editor's own requests (its preview's checks) done
    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Publish").click()
    page.wait_for_url("**/admin/pages/*/")


def test_an_officer_draws_the_area_by_clicking_on_the_map_and_publishes_it(browser, site):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    problems = []
    page.on("console", lambda message: "Content Security Policy" in message.text and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    sign_in(page, site)
    add_neighbourhood(page, site)

    area_map = page.get_by_role("region", name="Map to draw the area on")
    area_map.scroll_into_view_if_needed()
    assert area_map.locator("path.area-drawing__ward").count() == 2  # Peckham and Rye Lane, to find the way
    assert area_map.get_by_text("Rye Lane").is_visible()
    page.get_by_role("button", name="Zoom out").click()  # the wards in the middle, room round them
    page.wait_for_timeout(400)
    box = area_map.bounding_box()
    corners = [(0.15, 0.15), (0.85, 0.15), (0.85, 0.85), (0.5, 0.5), (0.15, 0.85)]
    for x, y in corners:
        area_map.click(position={"x": box["width"] * x, "y": box["height"] * y})
    status = page.locator("[data-drawing-status]")
    assert status.inner_text() == "5 corners drawn."
    page.get_by_role("button", name="Undo the last corner").click()
    page.get_by_role("button", name="Undo the last corner").click()  # the one in the middle too
    area_map.click(position={"x": box["width"] * 0.15, "y": box["height"] * 0.85})
    assert status.inner_text() == "4 corners drawn."
    drawing = json.loads(page.locator("textarea[name=area_drawing]").input_value())
    assert drawing["type"] == "Polygon" and len(drawing["coordinates"][0]) == 5  # closed: the first again
    assert area_map.locator("path.area-drawing__shape").count() == 1
    results = Axe().run(page, context=".area-drawing", options={"runOnly": {"type": "tag", "values": WCAG_AA}})
    assert [v["id"] for v in results.response["violations"] if v["impact"] in {"serious", "critical"}] == []

    publish(page)

    neighbourhood = NeighbourhoodPage.objects.get(slug="bellenden")
    assert neighbourhood.live and neighbourhood.area_drawing == drawing
    taken = sorted(NeighbourhoodPostcode.objects.filter(page=neighbourhood).values_list("postcode_id", flat=True))
    assert taken == list(area_of(drawing=drawing, outline=False).postcodes)  # every postcode inside it
    assert set(SOUTHWARK_SAMPLE) <= set(taken)  # the wards drawn round
    page.goto(f"{site}/admin/pages/{neighbourhood.pk}/edit/")
    assert page.get_by_text(f"Published area: {len(taken)} postcodes in ").is_visible()
    assert page.locator("path.area-drawing__published-outline").count() == 1
    assert page.locator("[data-drawing-status]").inner_text() == "4 corners drawn."  # the drawing again, to change
    assert problems == []


def test_geojson_pasted_into_the_field_is_drawn_and_published(browser, site):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    sign_in(page, site)
    add_neighbourhood(page, site)
    two_parts = {
        "type": "MultiPolygon",
        "coordinates": [
            [[[-0.0735, 51.469], [-0.0705, 51.469], [-0.0705, 51.4715], [-0.0735, 51.469]]],
            [[[-0.07, 51.4735], [-0.069, 51.4735], [-0.069, 51.4745], [-0.07, 51.4735]]],
        ],
    }

    page.locator("textarea[name=area_drawing]").fill(json.dumps(two_parts))

    assert (
        page.locator("[data-drawing-status]").inner_text() == "The area pasted is shown. Clear it to draw one instead."
    )
    assert page.locator("path.area-drawing__shape").count() == 2  # the empty drawing's, and the pasted one's
    publish(page)
    neighbourhood = NeighbourhoodPage.objects.get(slug="bellenden")
    taken = sorted(NeighbourhoodPostcode.objects.filter(page=neighbourhood).values_list("postcode_id", flat=True))
    assert taken == ["SE15 5DB", "SE15 5RS"]  # inside one part or the other
