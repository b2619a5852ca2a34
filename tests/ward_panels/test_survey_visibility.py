"""Who may see a survey's results: one rule, so the admin's results page and the results API (whose
CSV that page links to) never disagree about anyone."""

from io import StringIO

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.management import call_command
from wagtail.models import GroupPagePermission

from priorities.models import BoroughPage

SOUTHWARK = "E09000028"
RYE_LANE, PECKHAM = "E05011113", "E05011110"  # both in Southwark
ST_JAMESS = "E05013806"  # in Westminster


@pytest.fixture
def surveys(sample_london, make_survey):
    return {
        "Rye Lane": make_survey(ward=RYE_LANE),
        "Peckham": make_survey(ward=PECKHAM),
        "Southwark": make_survey(ward=None, borough_id=SOUTHWARK),
        "St James's": make_survey(ward=ST_JAMESS),
    }


@pytest.fixture
def people(officers):
    southwark, westminster = officers
    rye_lane = User.objects.create_user("pc.rye-lane", password="a-long-test-password")
    call_command("add_officer", "pc.rye-lane", "--ward", RYE_LANE, stdout=StringIO())
    # Edits Southwark's pages (its news, say) but was given nothing of ward panels.
    press = User.objects.create_user("southwark.press", password="a-long-test-password")
    group = Group.objects.create(name="Southwark press office")
    group.permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
    GroupPagePermission.objects.create(
        group=group,
        page=BoroughPage.objects.get(borough_id=SOUTHWARK),
        permission=Permission.objects.get(content_type__app_label="wagtailcore", codename="change_page"),
    )
    press.groups.add(group)
    return {
        "an officer of another borough": westminster,
        "an officer of the borough": southwark,
        "an officer of one ward only": rye_lane,
        "an editor of the borough's pages, with no ward panels": press,
        "an administrator": User.objects.create_superuser("admin", password="a-long-test-password"),
    }


def _sees_in_admin(client, survey) -> bool:
    response = client.get(f"/admin/ward-panels/surveys/{survey.pk}/results/")
    # Wagtail's admin answers "permission denied" by sending the person back to the dashboard.
    assert response.status_code in (200, 302, 403) and response.get("Location") in (None, "/admin/")
    return response.status_code == 200


def _sees_through_api(client, survey) -> bool:
    answers = [client.get(f"/api/v1/surveys/{survey.pk}/results{end}").status_code for end in ("/", ".csv")]
    assert answers in ([200, 200], [403, 403])
    return answers == [200, 200]


def test_the_admin_and_the_api_agree_on_who_sees_each_surveys_results(client, surveys, people):
    seen = {}
    for who, user in people.items():
        client.force_login(user)
        for area, survey in surveys.items():
            in_admin, through_api = _sees_in_admin(client, survey), _sees_through_api(client, survey)
            assert in_admin == through_api, f"{who}, {area}: the admin says {in_admin}, the API {through_api}"
            seen[who, area] = in_admin

    assert {who: {area for (person, area), sees in seen.items() if sees and person == who} for who in people} == {
        "an officer of another borough": {"St James's"},
        "an officer of the borough": {"Rye Lane", "Peckham", "Southwark"},
        "an officer of one ward only": {"Rye Lane"},  # not the borough's own survey, nor the next ward's
        "an editor of the borough's pages, with no ward panels": set(),
        "an administrator": {"Rye Lane", "Peckham", "Southwark", "St James's"},
    }
