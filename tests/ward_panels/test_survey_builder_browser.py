"""An officer builds a survey in a real browser (headless Chromium): with JavaScript only the
settings that fit each kind of question show, questions move up and down, and the preview panel
shows unsaved edits as the survey's own page; without JavaScript every setting shows."""

import re
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from playwright.sync_api import expect

# Committed data, so that the live server's thread sees it.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SETTINGS = ("choices", "max_choices", "scale_min", "scale_max", "max_length")


@pytest.fixture
def survey_to_edit(live_server, sample_london_committed, make_survey):
    User.objects.create_user("pc.builder", password="a-long-test-password")
    call_command("add_officer", "pc.builder", "--borough", "E09000028", stdout=StringIO())
    return make_survey(audience="open")  # Rye Lane: single, rating, local issues, ranking, free text


def signed_in(browser, site, javascript=True):
    page = browser.new_context(java_script_enabled=javascript, viewport={"width": 1400, "height": 1000}).new_page()
    page.goto(site + "/admin/login/")
    page.get_by_label("Username").fill("pc.builder")
    page.get_by_label("Password").fill("a-long-test-password")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(site + "/admin/")
    return page


def shown(page, index: int) -> set[str]:
    return {name for name in SETTINGS if page.locator(f"[name='questions-{index}-{name}']").is_visible()}


def test_only_the_settings_that_fit_the_kind_show_and_the_preview_follows_edits(browser, live_server, survey_to_edit):
    page = signed_in(browser, live_server.url)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # Wagtail takes its first snapshot of the form 2 s after the page loads and counts (and
    # previews) only changes made after it; an edit made sooner becomes part of the snapshot.
    page.add_init_script(
        "document.addEventListener('w-unsaved:watch-edits', () => document.documentElement.dataset.watchingEdits = '')"
    )
    page.goto(f"{live_server.url}/admin/snippets/ward_panels/survey/edit/{survey_to_edit.pk}/")
    page.wait_for_selector("html[data-watching-edits]", state="attached")

    assert [shown(page, n) for n in range(5)] == [
        {"choices"},
        {"scale_min", "scale_max"},
        {"max_choices"},
        {"choices"},
        {"max_length"},
    ]
    page.select_option("[name='questions-0-kind']", "multiple")
    assert shown(page, 0) == {"choices", "max_choices"}
    page.select_option("[name='questions-0-kind']", "text")
    assert shown(page, 0) == {"max_length"}
    assert page.locator("[name='questions-0-choices']").is_disabled()  # hidden, so not sent
    page.select_option("[name='questions-0-kind']", "single")
    assert page.locator("[name='questions-0-choices']").input_value() == "Yes\nNo"  # kept while hidden

    page.get_by_role("button", name="Toggle preview").click()
    preview = page.frame_locator("iframe").first
    expect(preview.get_by_text("Preview — answers are not saved.")).to_be_visible(timeout=10000)
    page.fill("[name='questions-0-choices']", "Always\nSometimes\nNever")
    expect(preview.get_by_label("Sometimes")).to_be_visible(timeout=10000)  # not saved yet
    assert preview.get_by_role("button", name="Send my answers").is_disabled()
    page.get_by_role("button", name="Add question").click()
    assert shown(page, 5) == set()  # until a kind is chosen
    page.select_option("[name='questions-5-kind']", "ranking")
    assert shown(page, 5) == {"choices"}

    assert errors == []


def test_moving_a_question_down_changes_the_order_people_see(browser, live_server, survey_to_edit):
    page = signed_in(browser, live_server.url)
    page.goto(f"{live_server.url}/admin/snippets/ward_panels/survey/edit/{survey_to_edit.pk}/")
    page.wait_for_load_state("networkidle")

    page.locator("#inline_child_questions-0").get_by_role("button", name="Move down").click()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{live_server.url}/admin/snippets/ward_panels/survey/")

    page.goto(f"{live_server.url}/surveys/{survey_to_edit.pk}/")
    legends = [re.sub(r"\s+", " ", text).strip() for text in page.locator("legend").all_inner_texts()]
    assert legends[:2] == ["How visible is your team?", "Do you feel safe?"]


def test_without_javascript_every_setting_shows_with_what_it_is_for(browser, live_server, survey_to_edit):
    page = signed_in(browser, live_server.url, javascript=False)
    page.goto(f"{live_server.url}/admin/snippets/ward_panels/survey/edit/{survey_to_edit.pk}/")

    assert shown(page, 0) == set(SETTINGS)
    assert page.get_by_text("For rating scale questions only.").first.is_visible()
