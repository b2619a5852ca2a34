"""An officer's after-meeting update in a real browser (headless Chromium): signed in with their
two-factor code, they record a "we did" update, retire a priority and add another, all saved together
by one Save, in fewer than ten clicks, and residents see it; where the borough has sergeant approval on,
it waits for a sergeant."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import Group, User
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from home.demo import demo_content_load
from priorities.models import BoroughPage, Priority, PriorityUpdate, WardPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture
def site(live_server, sample_london_committed):
    """The sample of London with its demo content (three active priorities a ward, each page with a
    published revision), committed so that the live server's thread sees it."""
    demo_content_load()
    return live_server.url


class Clicks:
    """Counts what the officer does with the mouse: clicks, and choices from a drop-down."""

    def __init__(self):
        self.count = 0

    def click(self, locator):
        self.count += 1
        locator.click()

    def choose(self, locator, value=None, **which):
        self.count += 1
        locator.select_option(value, **which)


def sign_in(page, site, username, group) -> None:
    """Sign in with a password and an authenticator app's code, as officers do."""
    officer = User.objects.create_user(username, password="a-long-test-password")
    officer.groups.add(Group.objects.get(name=group))
    device = TOTPDevice.objects.create(user=officer, name="phone", confirmed=True)
    page.goto(site + "/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("a-long-test-password")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(site + "/admin/two-factor/?next=/admin/")
    page.get_by_label("Code").fill(f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}")
    page.get_by_label("Code").press("Enter")
    page.wait_for_url(site + "/admin/")


def priority_section(page, title):
    return page.get_by_role("region", name=title)


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_an_officer_does_the_after_meeting_update_in_fewer_than_ten_clicks(browser, site, javascript):
    rye_lane = WardPage.objects.get(ward__code="E05011113")
    first, second, _ = Priority.objects.filter(ward_page=rye_lane, status="active").order_by("sort_order", "pk")
    revisions = rye_lane.revisions.count()
    page = browser.new_context(java_script_enabled=javascript, viewport={"width": 320, "height": 800}).new_page()
    sign_in(page, site, "pc.southwark", "Southwark officers")
    assert page.get_by_role("heading", level=1).inner_text().strip() == "Safer Neighbourhoods"
    you = Clicks()

    you.click(page.get_by_role("link", name="Update Rye Lane"))
    page.wait_for_url(f"{site}/admin/wards/*/update/")  # the click only starts the navigation
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    if javascript:  # axe-core is a script
        results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_AA}})
        serious = [v["id"] for v in results.response["violations"] if v["impact"] in {"serious", "critical"}]
        assert serious == [], results.generate_report()

    # Everything typed in any section is saved together, by the one Save at the bottom.
    priority_section(page, first.title).get_by_label("We did").fill(
        "Speed checks on three mornings; 14 drivers warned."
    )
    section = priority_section(page, second.title)
    you.choose(section.get_by_label("Status"), "resolved")
    section.get_by_label("Outcome").fill("Reports halved since the summer.")
    form = page.get_by_role("region", name="Add a priority")
    form.get_by_label("Title").fill("Bikes stolen at the station")
    you.choose(form.get_by_label("Kind of problem"), label="Vehicle crime")
    form.get_by_label("You said").fill("Bikes go from the racks outside Peckham Rye station.")
    form.get_by_label("Date agreed").fill("05/11/2026")
    you.click(page.get_by_role("button", name="Save", exact=True))
    expect(
        page.get_by_text(
            f"“{first.title}” updated, “{second.title}” updated, priority “Bikes stolen at the station” added. "
            "Live on the ward page."
        )
    ).to_be_visible()
    assert rye_lane.revisions.count() == revisions + 1  # one save, one revision

    you.click(page.get_by_role("link", name="View the public ward page"))
    page.wait_for_url(site + "/southwark/rye-lane/")
    public = page.locator("main").inner_text()
    assert "Speed checks on three mornings; 14 drivers warned." in public
    assert "Bikes stolen at the station" in public
    assert second.title not in public  # retired: on the past priorities page now
    assert you.count < 10, you.count


def test_with_sergeant_approval_the_update_waits_and_the_public_page_is_unchanged(browser, site):
    westminster = BoroughPage.objects.get(borough__code="E09000033")
    westminster.sergeant_approval = True
    westminster.save_revision().publish()  # the borough's workflow, and officers lose publishing
    st_jamess = WardPage.objects.get(ward__code="E05013806")
    first = Priority.objects.filter(ward_page=st_jamess, status="active").order_by("sort_order", "pk").first()
    page = browser.new_page(viewport={"width": 320, "height": 800})
    sign_in(page, site, "pc.westminster", "Westminster officers")
    you = Clicks()

    you.click(page.get_by_role("link", name="Update St. James's"))
    page.wait_for_url(f"{site}/admin/wards/*/update/")
    send = page.get_by_role("button", name="Save and send to a sergeant for approval")
    box = send.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 320, box  # its long label wraps on a phone
    priority_section(page, first.title).get_by_label("We did").fill("Patrols at closing time on Fridays.")
    you.click(send)

    expect(page.get_by_text(f"“{first.title}” updated. Sent to a sergeant for approval.")).to_be_visible()
    expect(page.get_by_text("awaiting a sergeant's approval")).to_be_visible()
    you.click(page.get_by_role("link", name="View the public ward page"))
    page.wait_for_url(site + "/westminster/st-jamess/")
    assert "Patrols at closing time on Fridays." not in page.locator("main").inner_text()
    assert you.count < 10


def test_mistakes_are_listed_at_the_top_and_linked_to_their_fields(browser, site):
    page = browser.new_page(viewport={"width": 320, "height": 800})
    sign_in(page, site, "pc.southwark", "Southwark officers")
    page.get_by_role("link", name="Update Rye Lane").click()
    form = page.get_by_role("region", name="Add a priority")
    form.get_by_label("Date agreed").fill("31/02/2026")
    first = Priority.objects.filter(ward_page__ward__code="E05011113", status="active").order_by("sort_order").first()
    priority_section(page, first.title).get_by_label("We did").fill("Typed before the mistake.")
    page.get_by_role("button", name="Save", exact=True).click()

    summary = page.get_by_role("alert").filter(has_text="There is a problem: nothing was saved")
    expect(summary).to_be_visible()
    assert (
        "Enter the title." in summary.inner_text() and "Enter the date agreed as day/month/year" in summary.inner_text()
    )
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_AA}})
    serious = [v["id"] for v in results.response["violations"] if v["impact"] in {"serious", "critical"}]
    assert serious == [], results.generate_report()
    summary.get_by_role("link", name="Enter the title.").click()
    assert page.evaluate("document.activeElement.id") == "id_new-priority-title"
    assert page.get_by_label("Date agreed").input_value() == "31/02/2026"  # what was typed is kept,
    assert priority_section(page, first.title).get_by_label("We did").input_value() == "Typed before the mistake."


def test_a_long_unbroken_we_did_wraps_on_the_public_page_at_320px(browser, site):
    rye_lane = WardPage.objects.get(ward__code="E05011113")
    first = Priority.objects.filter(ward_page=rye_lane, status="active").order_by("sort_order", "pk").first()
    PriorityUpdate.objects.create(priority=first, we_did="https://example.org/" + "x" * 900)
    page = browser.new_page(viewport={"width": 320, "height": 800})

    page.goto(site + "/southwark/rye-lane/")

    assert "x" * 900 in page.locator("main").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
