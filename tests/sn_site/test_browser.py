"""A resident's first steps in a real browser (headless Chromium), checked with axe-core."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import Group

from home.demo import demo_content_load
from priorities.models import Priority, WardPage
from ward_panels.demo import demo_surveys_ensure
from ward_panels.models import Answer, Survey, respondent_key

# Committed data, so that the live server's thread sees it.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PAGES = [
    "/",
    "/boroughs/",
    "/westminster/",
    "/southwark/?category=1",
    "/westminster/st-jamess/",
    "/southwark/rye-lane/",
    "/southwark/rye-lane/past-priorities/",
    "/search/?q=rye",
    "/our-promises/",
    "/my-area/?ward=E05011113",
    "/find-your-team/?postcode=SE15",
    "/find-your-team/?postcode=SE15+5DB",  # in the demo's Bellenden
    "/southwark/bellenden/",
    "/find-your-team/?postcode=not+a+postcode",
    "/find-your-team/?postcode=",
    "/find-your-team/?postcode=XX1+1XX",
    "/find-your-team/?postcode=EC2V+7HH",
    "/find-your-team/?postcode=M1+1AE",
    "/find-your-team/?postcode=SE15+9ZZ",
    "/find-your-team/?lat=53.48&lng=-2.24",
    "/surveys/{survey}/",
    "/ward-panels/E05011113/join/",
]


@pytest.fixture
def site(live_server, sample_london_committed):
    """The sample of London with its demo content, committed so that the live server's thread sees it."""
    demo_content_load()
    rye_lane = WardPage.objects.get(ward__code="E05011113")
    closed = rye_lane.priorities.first()
    closed.status, closed.outcome = Priority.Status.RESOLVED, "Fewer reports since the summer."
    closed.save()
    demo_surveys_ensure()  # one for each borough
    return live_server.url


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_a_resident_goes_from_the_postcode_box_to_their_team(browser, site, javascript):
    page = browser.new_context(java_script_enabled=javascript).new_page()
    page.goto(site + "/")

    page.get_by_label("Enter your postcode").fill("sw1a 1aa")
    page.get_by_role("button", name="Find your team").click()

    page.wait_for_url(f"{site}/westminster/st-jamess/")
    assert "St. James's" in page.get_by_role("heading", level=1).inner_text()


def test_an_error_summary_takes_focus_so_it_is_announced(browser, site):
    page = browser.new_page()
    page.goto(site + "/find-your-team/?postcode=nonsense")

    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    page.get_by_role("link", name="Check the postcode and try again").click()
    assert page.evaluate("document.activeElement.id") == "postcode"


@pytest.mark.parametrize("width", [320, 1280])
def test_pages_have_no_serious_accessibility_problems_and_fit_the_screen(browser, site, width):
    page = browser.new_page(viewport={"width": width, "height": 900})
    survey = Survey.objects.get(borough="E09000028")  # Southwark's demo survey
    for path in PAGES:
        page.goto(site + path.format(survey=survey.pk))
        results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_AA}})
        serious = [
            (v["id"], v["impact"]) for v in results.response["violations"] if v["impact"] in {"serious", "critical"}
        ]
        assert serious == [], (path, width, results.generate_report())
        assert page.evaluate("document.documentElement.scrollWidth") <= width, (path, width)


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_a_resident_answers_a_survey_on_a_phone(browser, site, javascript):
    survey = Survey.objects.get(borough="E09000028")  # Southwark's demo survey
    phone = browser.new_context(java_script_enabled=javascript, viewport={"width": 320, "height": 640}, is_mobile=True)
    page = phone.new_page()
    page.goto(f"{site}/surveys/{survey.pk}/")

    page.get_by_role("button", name="Send my answers").click()  # nothing filled in
    assert "There is a problem" in page.get_by_role("alert").inner_text()
    if javascript:
        assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")

    page.get_by_label("Speeding").check()
    page.get_by_label("Unsafe").check()
    page.get_by_role("group", name="How well does the team keep you informed?").get_by_label("4").check()
    for rank, option in enumerate(["Evenings", "Mornings", "Afternoons"], start=1):
        page.get_by_label(option).select_option(str(rank))
    page.get_by_label("Your email address").fill(f"phone-{javascript}@example.org")
    page.get_by_role("button", name="Send my answers").click()

    assert "Thank you: your answers are saved" in page.get_by_role("heading", level=1).inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    key = respondent_key(survey, f"phone-{javascript}@example.org")
    ranking = Answer.objects.get(question__kind="ranking", response__respondent_key=key)
    assert ranking.value == ["Evenings", "Mornings", "Afternoons"]


def test_the_content_security_policy_blocks_nothing_the_site_and_admin_use(browser, site):
    """A real browser enforces the policies: any script, style or frame they block on the public
    pages, the API docs or the editor's screens is reported, and would be a broken feature. (It
    found the admin calling Gravatar and Wagtail's release check, both now switched off.)"""
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_superuser("csp-admin", "csp@example.org", "a-long-test-password")
    survey = Survey.objects.get(borough="E09000028")  # Southwark's demo survey
    rye_lane = WardPage.objects.get(ward__code="E05011113")
    context = browser.new_context()
    page = context.new_page()
    blocked = []
    page.on("console", lambda message: "Content Security Policy" in message.text and blocked.append(message.text))
    page.on("pageerror", lambda error: blocked.append(f"script error: {error}"))

    for path in [*PAGES, "/api/v1/docs/"]:
        page.goto(site + path.format(survey=survey.pk))
        page.wait_for_load_state("networkidle")
    # Redoc lays the docs out under its policy after fetching the schema, which can outlast
    # "network idle" on a busy machine: wait for its heading rather than count at once.
    page.locator("#redoc-container h1").first.wait_for(state="attached", timeout=30_000)

    page.goto(site + "/admin/login/")
    page.get_by_label("Username").fill("csp-admin")
    page.get_by_label("Password").fill("a-long-test-password")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(site + "/admin/")
    for path in [
        f"/admin/pages/{rye_lane.pk}/edit/",  # rich text, inline panels (priorities, team), choosers
        f"/admin/snippets/ward_panels/survey/edit/{survey.pk}/",  # questions as an inline panel
        "/admin/snippets/ward_panels/survey/add/",
        "/admin/reports/site-history/",
        "/admin/two-factor/setup/",
    ]:
        page.goto(site + path)
        page.wait_for_load_state("networkidle")
    page.goto(site + f"/admin/pages/{rye_lane.pk}/edit/")
    rows = page.locator("[data-inline-panel-child]:visible").count()
    page.locator("button[id$='-ADD']").first.click()  # an inline panel's own script adds a row
    page.wait_for_timeout(300)
    assert page.locator("[data-inline-panel-child]:visible").count() == rows + 1

    # Refused on purpose: Redoc's footer logo from its CDN (the docs fetch nothing from other sites,
    # and Redoc hides the logo when it cannot load).
    blocked = [message for message in blocked if "https://cdn.redoc.ly/" not in message]
    assert blocked == [], "\n".join(blocked)


def test_an_officer_gives_their_code_by_keyboard_and_their_account_page_logs_no_errors(browser, site):
    """Before the code was given, Wagtail's icons came back as the code page, which its script put
    into the page: a hidden second code form, first in the tab order, after whose right code the
    officer landed on the raw icons. The Account page logged an error for each time zone Chromium
    does not know (Wagtail offered every name on the server, "localtime" among them)."""
    from django.contrib.auth import get_user_model
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    officer = get_user_model().objects.create_user("keyboard-pc", password="a-long-test-password")
    officer.groups.add(Group.objects.get(name="Southwark officers"))
    device = TOTPDevice.objects.create(user=officer, name="phone", confirmed=True)
    page = browser.new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(f"script error: {error}"))
    page.goto(site + "/admin/login/")
    page.get_by_label("Username").fill("keyboard-pc")
    page.get_by_label("Password").fill("a-long-test-password")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(site + "/admin/two-factor/?next=/admin/")
    page.wait_for_load_state("networkidle")

    assert page.locator("[data-sprite] symbol#icon-mail").count() == 1  # the icons, not a copy of the page
    page.keyboard.type(f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}")
    page.keyboard.press("Enter")  # into the one code field, which has the focus
    page.wait_for_url(site + "/admin/")
    page.goto(site + "/admin/account/")
    page.wait_for_load_state("networkidle")

    assert page.get_by_label("First Name").is_visible()
    assert errors == []


def test_mistakes_on_the_sign_up_form_and_the_survey_are_shown_again_accessibly(browser, site):
    page = browser.new_page(viewport={"width": 320, "height": 900})

    def assert_accessible():
        results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_AA}})
        serious = [v["id"] for v in results.response["violations"] if v["impact"] in {"serious", "critical"}]
        assert serious == [], (page.url, results.generate_report())
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, page.url

    page.goto(site + "/southwark/rye-lane/")
    page.get_by_label("Your email address").fill("ann@example")
    page.get_by_role("button", name="Subscribe").click()
    assert_accessible()
    page.get_by_role("link", name="Enter an email address like name@example.com").click()
    assert page.evaluate("document.activeElement.id") == "subscribe-email"
    page.get_by_label("Your email address").fill("ann@example.org")  # what was ticked is still ticked
    page.get_by_role("button", name="Subscribe").click()
    assert "Check your email" in page.get_by_role("heading", level=1).inner_text()

    survey = Survey.objects.get(borough="E09000028")  # Southwark's demo survey
    page.goto(f"{site}/surveys/{survey.pk}/")
    page.get_by_role("button", name="Send my answers").click()
    assert_accessible()
    page.get_by_role("link", name="Answer 'How safe do you feel walking here after dark?'").click()
    assert page.evaluate("document.activeElement.id") == page.get_by_label("Safe", exact=True).get_attribute("id")


def test_an_officer_uploads_a_team_photo_from_the_team_members_photo_chooser(browser, site, tmp_path):
    """The photo chooser offers an upload (into the officer's own collections, with a description),
    and the published page shows the photo with its description as alt text."""
    from django.contrib.auth import get_user_model
    from wagtail.images.models import Image
    from wagtail.images.tests.utils import get_test_image_file

    officer = get_user_model().objects.create_user("photo-pc", password="a-long-test-password")
    officer.groups.add(Group.objects.get(name="Southwark officers"))
    photo = tmp_path / "pc-khan.png"
    photo.write_bytes(get_test_image_file().file.getvalue())
    rye_lane = WardPage.objects.get(ward__code="E05011113")
    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(f"script error: {error}"))
    page.goto(site + "/admin/login/")
    page.get_by_label("Username").fill("photo-pc")
    page.get_by_label("Password").fill("a-long-test-password")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(site + "/admin/")

    page.goto(site + f"/admin/pages/{rye_lane.pk}/edit/")
    page.locator("#id_team_members-ADD").click()
    member = page.locator("[data-inline-panel-child]:visible").filter(has=page.locator("input[id$='-name']")).last
    member.locator("input[id$='-name']").fill("PC Amira Khan")
    member.locator("select[id$='-role']").select_option("pc")
    member.get_by_role("button", name="Choose an image").click()
    page.get_by_role("tab", name="Upload").click()
    page.locator("#id_image-chooser-upload-title").fill("PC Amira Khan")
    page.locator("#id_image-chooser-upload-file").set_input_files(photo)
    page.locator("#id_image-chooser-upload-description").fill("PC Amira Khan in uniform, smiling")
    collections = page.locator("#id_image-chooser-upload-collection option").all_inner_texts()
    page.locator("form[action*='/images/chooser/create/'] button[type=submit]").click()
    member.locator("[data-chooser-title]").filter(has_text="PC Amira Khan").wait_for()
    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Publish").click()
    page.wait_for_url(f"**/admin/pages/{rye_lane.get_parent().pk}/")

    assert [name.replace("\xa0", "").removeprefix("\u21b3 ") for name in collections] == [
        "Southwark",  # the borough's own, and its wards' teams': no other borough's
        "Peckham",
        "Rye Lane",
    ]
    assert Image.objects.get(title="PC Amira Khan").collection.name == "Southwark"
    page.goto(site + "/southwark/rye-lane/")
    assert page.get_by_role("img", name="PC Amira Khan in uniform, smiling").count() == 1
    assert errors == []
