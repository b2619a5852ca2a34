"""Officers build, preview and send surveys, import members and read results in the admin, for
their own area only."""

import datetime

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from ward_panels.models import Invitation, PanelMember, Survey, WardPanel

RYE_LANE = "E05011113"
NOW = timezone.now()

ST_JAMESS = "E05013806"


@pytest.fixture
def southwark_officer(officers, client):
    client.force_login(officers[0])
    return officers[0]


@pytest.fixture
def surveys(sample_london, make_survey):
    return make_survey(ward=RYE_LANE), make_survey(ward=ST_JAMESS)


def test_an_officer_sees_and_edits_only_their_own_areas_surveys(client, southwark_officer, surveys):
    ours, theirs = surveys

    listing = client.get("/admin/snippets/ward_panels/survey/")
    assert listing.status_code == 200
    html = listing.content.decode()
    assert f"/admin/snippets/ward_panels/survey/edit/{ours.pk}/" in html
    assert f"/admin/snippets/ward_panels/survey/edit/{theirs.pk}/" not in html
    assert client.get(f"/admin/snippets/ward_panels/survey/edit/{ours.pk}/").status_code == 200
    # Wagtail's admin answers "permission denied" by sending the officer back to the dashboard.
    for address in (
        f"/admin/snippets/ward_panels/survey/edit/{theirs.pk}/",
        f"/admin/snippets/ward_panels/survey/delete/{theirs.pk}/",
        f"/admin/ward-panels/surveys/{theirs.pk}/results/",
        f"/admin/ward-panels/surveys/{theirs.pk}/preview/",
        f"/admin/ward-panels/surveys/{theirs.pk}/send/",
    ):
        response = client.get(address)
        assert (response.status_code, response.get("Location")) in ((302, "/admin/"), (403, None)), address
        assert theirs.title.encode() not in response.content


def test_an_officer_builds_a_survey_in_the_admin(client, southwark_officer, sample_london):
    form = nested_form_data(
        {
            "title": "Evenings on Rye Lane",
            "introduction": "Two questions.",
            "ward": RYE_LANE,
            "borough": "",
            "audience": "open",
            "opens_at": (NOW - datetime.timedelta(hours=1)).strftime("%Y-%m-%d %H:%M"),
            "closes_at": (NOW + datetime.timedelta(days=14)).strftime("%Y-%m-%d %H:%M"),
            "reminder_after_days": 7,
            "questions": inline_formset(
                [
                    {"kind": "single", "text": "Do you feel safe?", "choices": '["Yes", "No"]', "required": "on"}
                    | {"max_length": 1000, "scale_min": 1, "scale_max": 5, "max_choices": 3},
                    {"kind": "local_issues", "text": "What matters most?", "choices": "[]", "required": "on"}
                    | {"max_length": 1000, "scale_min": 1, "scale_max": 5, "max_choices": 3},
                ]
            ),
            "summary": "",
            "informed_priority": "",
        }
    )

    response = client.post("/admin/snippets/ward_panels/survey/add/", form)

    assert response.status_code == 302, response.content.decode()[:3000]
    survey = Survey.objects.get(title="Evenings on Rye Lane")
    assert [q.text for q in survey.questions.all()] == ["Do you feel safe?", "What matters most?"]
    preview = client.get(f"/admin/ward-panels/surveys/{survey.pk}/preview/").content.decode()
    assert "Preview." in preview and "Do you feel safe?" in preview and "Speeding" in preview
    assert client.get(f"/surveys/{survey.pk}/").status_code == 200  # open to anyone


def test_an_officer_cannot_make_a_survey_for_another_borough(client, southwark_officer, sample_london):
    response = client.post(
        "/admin/snippets/ward_panels/survey/add/",
        nested_form_data(
            {
                "title": "Not ours",
                "introduction": "x",
                "ward": ST_JAMESS,
                "audience": "open",
                "opens_at": "2026-12-01 09:00",
                "closes_at": "2026-12-08 09:00",
                "reminder_after_days": 7,
                "questions": inline_formset([]),
            }
        ),
    )

    assert response.status_code == 200  # the form again, with the error
    assert not Survey.objects.filter(title="Not ours").exists()


def test_sending_invitations_from_the_admin(client, southwark_officer, surveys, django_capture_on_commit_callbacks):
    panel = WardPanel.objects.create(ward_id=RYE_LANE)
    PanelMember.objects.create(panel=panel, name="A", email="a@example.org", confirmed_at=NOW, consent_given_at=NOW)
    survey = surveys[0]

    page = client.get(f"/admin/ward-panels/surveys/{survey.pk}/send/").content.decode()
    assert "1 active member" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/ward-panels/surveys/{survey.pk}/send/")

    assert [m.to for m in mail.outbox] == [["a@example.org"]]
    listing = client.get("/admin/snippets/ward_panels/survey/").content.decode()
    assert Invitation.objects.filter(survey=survey).count() == 1
    assert "Invited" in listing and "Responded" in listing


def test_results_page_draws_bars_with_a_table_for_each(client, southwark_officer, surveys):
    page = client.get(f"/admin/ward-panels/surveys/{surveys[0].pk}/results/")

    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('class="bar-chart"') == 4 and html.count('<table class="results-table">') >= 4
    assert "Fewer than 10 answers" in html and "Download as CSV" in html


def test_importing_members_in_the_admin(client, southwark_officer, sample_london):
    panel = WardPanel.objects.create(ward_id=RYE_LANE)
    upload = SimpleUploadedFile("members.csv", b"name,email\nBola Ade,bola@example.org\nNo Email,\n", "text/csv")

    page = client.post(f"/admin/ward-panels/panels/{panel.pk}/import/", {"file": upload}).content.decode()

    assert "1 added, 0 updated" in page and "Row 3: no email is not an email address." in page
    assert PanelMember.objects.filter(panel=panel).count() == 1


def test_officers_are_given_ward_panel_permissions_with_their_group(southwark_officer):
    assert southwark_officer.has_perm("ward_panels.add_survey")
    assert southwark_officer.has_perm("ward_panels.delete_panelmember")
    assert not southwark_officer.has_perm("ward_panels.delete_survey")
