"""Officers build, preview and send surveys, import members and read results in the admin, for
their own area only."""

import datetime
import html
import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from priorities.models import Priority, WardPage
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
                    {"kind": "single", "text": "Do you feel safe?", "choices": "Yes\nNo", "required": "on"}
                    | {"max_length": 1000, "scale_min": 1, "scale_max": 5, "max_choices": 3},
                    {"kind": "local_issues", "text": "What matters most?", "choices": "", "required": "on"}
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
    assert "Preview — answers are not saved." in preview and "Do you feel safe?" in preview and "Speeding" in preview
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


PECKHAM, SOUTHWARK = "E05011110", "E09000028"


def field_errors(response, name: str) -> list[str]:
    form = response.context["form"]
    return form.errors.get(name, [])


def test_a_survey_informs_only_a_priority_of_its_own_area(client, southwark_officer, add_priority, survey_admin_form):
    rye_lane = add_priority(WardPage.objects.get(ward_id=RYE_LANE), title="Speeding on Rye Lane")
    peckham = add_priority(WardPage.objects.get(ward_id=PECKHAM), title="Drug dealing in Peckham Rye park")

    wrong = client.post(
        "/admin/snippets/ward_panels/survey/add/", survey_admin_form(title="Wrong", informed_priority=peckham.pk)
    )

    assert wrong.status_code == 200 and not Survey.objects.filter(title="Wrong").exists()
    assert field_errors(wrong, "informed_priority") == [
        "Choose a priority from Rye Lane: “Drug dealing in Peckham Rye park” is from Peckham."
    ]
    for title, area, priority in [
        ("Ward", {"ward": RYE_LANE}, rye_lane),
        ("Borough", {"ward": "", "borough": SOUTHWARK}, peckham),
    ]:
        saved = client.post(
            "/admin/snippets/ward_panels/survey/add/",
            survey_admin_form(title=title, informed_priority=priority.pk, **area),
        )
        assert saved.status_code == 302, field_errors(saved, "informed_priority")
        assert Survey.objects.get(title=title).informed_priority == priority


def test_a_borough_survey_informs_no_priority_of_another_borough(db, sample_london, make_survey, add_priority):
    survey = make_survey(ward=None, borough_id=SOUTHWARK)
    survey.informed_priority = add_priority(WardPage.objects.get(ward_id=ST_JAMESS), title="Pickpockets")

    with pytest.raises(ValidationError) as refused:
        survey.full_clean()

    assert refused.value.message_dict["informed_priority"] == [
        "Choose a priority from a ward in Southwark: “Pickpockets” is from St. James's."
    ]


def test_the_informed_priority_choices_name_their_ward_and_date_in_a_few_queries(
    client, southwark_officer, add_priority
):
    rye_lane, peckham = WardPage.objects.get(ward_id=RYE_LANE), WardPage.objects.get(ward_id=PECKHAM)
    older = add_priority(rye_lane, title="Speeding", status="resolved")
    Priority.objects.filter(pk=older.pk).update(agreed_on=datetime.date(2026, 3, 2))
    add_priority(rye_lane, title="Speeding")
    add_priority(peckham, title="Speeding")

    def choices():
        page = client.get("/admin/snippets/ward_panels/survey/add/")
        select = re.search(r'<select name="informed_priority".*?</select>', page.content.decode(), re.S).group()
        return [html.unescape(label) for label in re.findall(r"<option[^>]*>([^<]+)</option>", select)]

    with CaptureQueriesContext(connection) as three:
        listed = choices()
    for n in range(5):
        add_priority(peckham, title=f"Another {n}", status="resolved")  # at most three active a ward
    with CaptureQueriesContext(connection) as eight:
        assert len(choices()) == len(listed) + 5

    assert listed[1:] == [
        "Peckham: Speeding (agreed 1 September 2026)",
        "Rye Lane: Speeding (agreed 1 September 2026)",
        "Rye Lane: Speeding (agreed 2 March 2026, resolved)",
    ]
    assert len(eight) == len(three)  # not a query per choice


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
    assert "0 answers; average" not in html and "Download as CSV" in html
    assert "Shown once the survey has been closed for a day" in html  # the equality figures, while it is open


def test_importing_members_in_the_admin(client, southwark_officer, sample_london):
    panel = WardPanel.objects.create(ward_id=RYE_LANE)
    upload = SimpleUploadedFile("members.csv", b"name,email\nBola Ade,bola@example.org\nNo Email,\n", "text/csv")

    page = client.post(f"/admin/ward-panels/panels/{panel.pk}/import/", {"file": upload}).content.decode()

    assert "Nothing was imported" in page and "Row 3: no email address." in page
    assert not PanelMember.objects.filter(panel=panel).exists()


def test_officers_are_given_ward_panel_permissions_with_their_group(southwark_officer):
    assert southwark_officer.has_perm("ward_panels.add_survey")
    assert southwark_officer.has_perm("ward_panels.delete_panelmember")
    assert not southwark_officer.has_perm("ward_panels.delete_survey")
