"""One approval path: a survey's "You said" summary goes on the ward page through the page's
revisions, so where the borough has sergeant approval on it waits for a sergeant like any other
change officers make to the page."""

import datetime

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone

from priorities.models import BoroughPage, WardPage
from priorities.services import Revised
from ward_panels.models import Survey
from ward_panels.services import survey_summary_publish

RYE_LANE = "E05011113"


@pytest.fixture
def closed_survey(sample_london, make_survey):
    now = timezone.now()
    return make_survey(
        opens_at=now - datetime.timedelta(days=30),
        closes_at=now - datetime.timedelta(days=2),
        answered=6,
        summary="Most of you said speeding outside the school.",
    )


def officer(username="pc.southwark", group="Southwark officers") -> User:
    user = User.objects.create_user(username, password="a-long-test-password")
    user.groups.add(Group.objects.get(name=group))
    return user


def approval_on() -> None:
    southwark = BoroughPage.objects.get(borough__code="E09000028")
    southwark.sergeant_approval = True
    southwark.save_revision().publish()


def ward_page_html(client) -> str:
    return client.get(WardPage.objects.get(ward_id=RYE_LANE).url).content.decode()


def test_without_approval_the_officer_puts_the_summary_live(client, closed_survey):
    pc = officer()
    client.force_login(pc)

    response = client.post(f"/admin/ward-panels/surveys/{closed_survey.pk}/summary/", follow=True)

    assert [str(m) for m in response.context["messages"]] == [
        "The summary of 'What should we work on?': Live on the ward page."
    ]
    page = WardPage.objects.get(ward_id=RYE_LANE)
    assert page.live_revision.user == pc  # a revision of the page, in its history
    assert "Most of you said speeding outside the school." in ward_page_html(client)
    assert "6 people answered" in ward_page_html(client)


def test_with_sergeant_approval_the_summary_waits_for_a_sergeant(client, closed_survey):
    approval_on()
    pc, sergeant = officer(), officer("sgt.southwark", "Southwark sergeants")
    client.force_login(pc)

    response = client.post(f"/admin/ward-panels/surveys/{closed_survey.pk}/summary/", follow=True)

    assert [str(m) for m in response.context["messages"]] == [
        "The summary of 'What should we work on?': Sent to a sergeant for approval."
    ]
    assert "Most of you said speeding" not in ward_page_html(client)
    state = WardPage.objects.get(ward_id=RYE_LANE).current_workflow_state
    assert state.requested_by == pc

    state.current_task_state.task.specific.on_action(state.current_task_state, sergeant, "approve")

    assert "Most of you said speeding outside the school." in ward_page_html(client)


def test_the_sergeant_sees_the_waiting_summary_in_the_preview_before_approving(client, closed_survey):
    approval_on()
    client.force_login(officer())
    client.post(f"/admin/ward-panels/surveys/{closed_survey.pk}/summary/")
    page = WardPage.objects.get(ward_id=RYE_LANE)
    client.force_login(officer("sgt.southwark", "Southwark sergeants"))

    preview = client.get(f"/admin/pages/{page.pk}/revisions/{page.latest_revision.pk}/view/")

    assert preview.status_code == 200
    assert "Most of you said speeding outside the school." in preview.content.decode()


def test_the_survey_form_can_no_longer_publish_a_summary(client, closed_survey, survey_admin_form):
    """The old way: a tick on the survey that went live without a sergeant."""
    approval_on()
    client.force_login(officer())
    closes = timezone.localtime(closed_survey.closes_at)
    form = survey_admin_form(
        opens_at=f"{timezone.localtime(closed_survey.opens_at):%Y-%m-%d %H:%M}",
        closes_at=f"{closes:%Y-%m-%d %H:%M}",
        summary="Most of you said speeding outside the school.",
        summary_published="on",
    )

    client.post(f"/admin/snippets/ward_panels/survey/edit/{closed_survey.pk}/", form)

    assert "summary_published" not in [f.name for f in Survey._meta.get_fields()]
    assert "Most of you said speeding" not in ward_page_html(client)


def test_publishing_again_brings_the_summary_up_to_date_rather_than_adding_another(client, closed_survey):
    pc = officer()
    survey_summary_publish(survey=closed_survey, user=pc)
    closed_survey.summary = "Most of you said speeding, and parking on the pavement."
    closed_survey.save()

    assert survey_summary_publish(survey=closed_survey, user=pc) == Revised.LIVE

    page = WardPage.objects.get(ward_id=RYE_LANE)
    assert [s.summary for s in page.survey_summaries.all()] == [
        "Most of you said speeding, and parking on the pavement."
    ]


def test_a_boroughs_survey_summary_is_shown_on_every_ward_page_of_the_borough(client, sample_london, make_survey):
    now = timezone.now()
    survey = make_survey(
        ward=None,
        borough_id="E09000028",
        opens_at=now - datetime.timedelta(days=30),
        closes_at=now - datetime.timedelta(days=2),
        answered=5,
        summary="Across Southwark you said knife crime.",
    )

    survey_summary_publish(survey=survey, user=officer())

    for code in ("E05011113", "E05011110"):  # Rye Lane, Peckham
        assert (
            "Across Southwark you said knife crime."
            in client.get(WardPage.objects.get(ward_id=code).url).content.decode()
        )
    assert "Across Southwark" not in client.get(WardPage.objects.get(ward_id="E05013806").url).content.decode()


def test_an_officer_of_another_borough_cannot_publish_the_summary(client, closed_survey):
    client.force_login(officer("pc.westminster", "Westminster officers"))

    client.post(f"/admin/ward-panels/surveys/{closed_survey.pk}/summary/")

    assert not WardPage.objects.get(ward_id=RYE_LANE).survey_summaries.exists()
    assert "Most of you said speeding" not in ward_page_html(client)


def test_a_survey_still_open_has_no_summary_published(client, sample_london, make_survey):
    survey = make_survey(answered=6, summary="Too early.")
    client.force_login(officer())

    response = client.post(f"/admin/ward-panels/surveys/{survey.pk}/summary/", follow=True)

    assert [str(m) for m in response.context["messages"]] == [
        "A summary goes on the ward page once the survey has closed."
    ]
