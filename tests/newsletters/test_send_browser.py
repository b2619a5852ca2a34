"""Testing and sending a newsletter in a real browser (headless Chromium), as an officer whose
sergeant approves and as that sergeant, with and without JavaScript, checked with axe-core."""

from io import StringIO

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import Group, User
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from newsletters.models import Delivery, NewsletterPage
from priorities.models import BoroughPage, WardPage

# Committed data, so that the live server's thread sees it.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PASSWORD = "a-long-test-password"  # noqa: S105


@pytest.fixture
def site(live_server, sample_london_committed, add_subscribers, settings):
    """Southwark with sergeant approval, an officer and a sergeant, and a published Rye Lane issue
    with two subscribers."""
    settings.SN_NEWSLETTER_RATE = 0
    User.objects.create_user("pc.smith", email="pc.smith@example.org", password=PASSWORD)
    call_command("add_officer", "pc.smith", "--borough", "E09000028", stdout=StringIO())
    sergeant = User.objects.create_user("sgt.jones", email="sgt.jones@example.org", password=PASSWORD)
    sergeant.groups.add(Group.objects.get(name="Southwark sergeants"))
    southwark = BoroughPage.objects.get(borough_id="E09000028")
    southwark.sergeant_approval = True
    southwark.save_revision().publish()
    issue = NewsletterPage(title="December newsletter", summary="Speeding, and a new PCSO.")
    WardPage.objects.get(ward_id="E05011113").add_child(instance=issue)
    issue.save_revision().publish()
    add_subscribers(2, ward_id="E05011113")
    return live_server.url, issue


def signed_in(browser, site: str, username: str, javascript: bool):
    page = browser.new_context(java_script_enabled=javascript).new_page()
    page.goto(site + "/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(site + "/admin/")
    return page


def no_accessibility_problems(page) -> None:
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_AA}})
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_the_officer_tests_then_the_sergeant_sends_once(browser, site, javascript):
    url, issue = site
    officer = signed_in(browser, url, "pc.smith", javascript)
    if javascript:  # Wagtail's edit form itself needs JavaScript; the send page does not
        officer.goto(f"{url}/admin/pages/{issue.pk}/edit/")
        officer.get_by_role("link", name="Send yourself a test").click()
    else:
        officer.goto(f"{url}/admin/newsletters/{issue.pk}/send/")
    assert officer.get_by_role("button", name="Send to 2 subscribers").count() == 0  # the sergeant's
    officer.get_by_role("button", name="Send me a test").click()

    expect(officer.get_by_text("A test copy is on its way to pc.smith@example.org.")).to_be_visible()
    assert [m.to for m in mail.outbox] == [["pc.smith@example.org"]]

    sergeant = signed_in(browser, url, "sgt.jones", javascript)
    sergeant.goto(f"{url}/admin/newsletters/{issue.pk}/send/")
    assert "Confirmed subscribers to the Rye Lane newsletter" in sergeant.inner_text("main")
    if javascript:
        no_accessibility_problems(sergeant)
    sergeant.get_by_role("button", name="Send to 2 subscribers").click()
    expect(sergeant.locator("main")).to_contain_text("2 of 2 sent (100%).")
    expect(sergeant.locator("main")).to_contain_text("Sending to 2 people.")

    sergeant.goto(f"{url}/admin/newsletters/{issue.pk}/send/")
    assert "it cannot be sent to everyone again" in sergeant.inner_text("main")
    assert sergeant.get_by_role("button", name="Send to 2 subscribers").count() == 0
    assert sorted(Delivery.objects.values_list("email", flat=True)) == ["s0@example.org", "s1@example.org"]
