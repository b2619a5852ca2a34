"""Natural neighbourhoods in the ward panels: a member's optional postcode, and surveys addressed to a
neighbourhood, whose panel audience is the members of its wards' panels who live in it."""

import datetime
import html
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from priorities.models import BoroughPage, NeighbourhoodPage, NeighbourhoodPostcode
from ward_panels.models import (
    EqualityMonitoring,
    EqualityPending,
    EqualityReceiptUsed,
    EqualityTables,
    Invitation,
    PanelMember,
    Survey,
    WardPanel,
)
from ward_panels.permissions import survey_visible_to
from ward_panels.selectors import member_export
from ward_panels.services import invitations_send

RYE_LANE, PECKHAM, ST_JAMESS = "E05011113", "E05011110", "E05013806"
SOUTHWARK = "E09000028"


@pytest.fixture
def bellenden(sample_london, django_capture_on_commit_callbacks):
    """A published natural neighbourhood in Southwark reaching two wards: SE15 5DB in Rye Lane and
    SE15 5RP in Peckham (Rye Lane's SE15 5DD and SE15 5DQ are outside it)."""
    page = NeighbourhoodPage(
        title="Bellenden",
        slug="bellenden",
        introduction="<p>The streets around Bellenden Road.</p>",
        area_postcodes="SE15 5DB, SE15 5RP",
        email="bellenden.snt@example.org",
    )
    BoroughPage.objects.get(borough_id=SOUTHWARK).add_child(instance=page)
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    page.refresh_from_db()
    assert set(NeighbourhoodPostcode.objects.filter(page=page).values_list("postcode_id", flat=True)) == {
        "SE15 5DB",
        "SE15 5RP",
    }
    assert set(page.wards.values_list("code", flat=True)) == {RYE_LANE, PECKHAM}
    return page


def add_member(ward: str, name: str, postcode: str = "", **fields) -> PanelMember:
    """A confirmed member who agreed to be contacted a month ago."""
    panel, _ = WardPanel.objects.get_or_create(ward_id=ward)
    agreed = timezone.now() - datetime.timedelta(days=30)
    return PanelMember.objects.create(
        panel=panel,
        name=name,
        email=f"{name.lower()}@example.org",
        postcode=postcode,
        consent_given_at=agreed,
        confirmed_at=agreed,
        joined_on=timezone.localdate(agreed),
        **fields,
    )


@pytest.fixture
def neighbourhood_survey(bellenden, make_survey):
    return make_survey(ward=None, neighbourhood=bellenden, title="Bellenden: the alleyways")


def officer(username: str, **area) -> User:
    user = User.objects.create_user(username, password="a-long-test-password")
    call_command("add_officer", username, *[f"--{kind}={code}" for kind, code in area.items()], stdout=StringIO())
    return user


# Who is invited ---------------------------------------------------------------------------------


def test_a_neighbourhoods_survey_invites_the_members_of_its_wards_panels_who_live_in_it_once(neighbourhood_survey):
    add_member(RYE_LANE, "Ade", "SE15 5DB")  # inside, on the Rye Lane panel
    add_member(PECKHAM, "Bea", "SE15 5RP")  # inside, on the Peckham panel: the neighbourhood reaches both
    add_member(RYE_LANE, "Cal", "SE15 5DQ")  # the same ward, outside the neighbourhood
    add_member(RYE_LANE, "Dee")  # gave no postcode
    # Lives inside, but is on a panel of a ward the neighbourhood does not reach: agreed to hear from
    # St James's team, not Bellenden's officers (docs/ward_panels.md).
    add_member(ST_JAMESS, "Eli", "SE15 5DB")
    add_member(RYE_LANE, "Fay", "SE15 5DB", left_on=timezone.localdate() - datetime.timedelta(days=1))

    assert invitations_send(survey=neighbourhood_survey) == 2
    assert sorted(message.to[0] for message in mail.outbox) == ["ade@example.org", "bea@example.org"]
    assert "Bellenden: the alleyways" in mail.outbox[0].body
    assert "and the postcode you gave us is in Bellenden" in mail.outbox[0].body  # why they were asked
    assert mail.outbox[0].reply_to == ["bellenden.snt@example.org"]  # the neighbourhood's own officers

    # Sent again (the task's retry, or an officer pressing the button twice): nobody gets a second one.
    assert invitations_send(survey=neighbourhood_survey) == 0
    assert len(mail.outbox) == 2
    # Someone who joins later with a postcode inside is invited on the next send, alone.
    add_member(PECKHAM, "Gus", "SE15 5RP")
    assert invitations_send(survey=neighbourhood_survey) == 1
    assert [message.to for message in mail.outbox[2:]] == [["gus@example.org"]]
    assert Invitation.objects.filter(survey=neighbourhood_survey).count() == 3


def test_inviting_more_of_a_neighbourhoods_members_costs_only_each_ones_claim(bellenden, make_survey):
    def queries_to_invite(count: int) -> int:
        for n in range(count):
            add_member(RYE_LANE, f"M{n}x{count}", "SE15 5DB")
        survey = make_survey(ward=None, neighbourhood=bellenden)
        with CaptureQueriesContext(connection) as queries:
            assert invitations_send(survey=survey) == count
        PanelMember.objects.all().delete()
        return len(queries)

    one, five = queries_to_invite(1), queries_to_invite(5)

    assert five - one == 8  # for each invitation, the update that claims it and the one that marks it sent


def test_the_officer_sending_is_told_how_many_members_live_in_the_neighbourhood(client, neighbourhood_survey):
    add_member(RYE_LANE, "Ade", "SE15 5DB")
    add_member(RYE_LANE, "Cal", "SE15 5DQ")
    client.force_login(officer("pc.peckham", borough=SOUTHWARK))

    page = html.unescape(client.get(f"/admin/ward-panels/surveys/{neighbourhood_survey.pk}/send/").content.decode())

    assert "1 active ward panel member who gave a postcode in Bellenden will get" in page


# Who may see it ---------------------------------------------------------------------------------


def test_only_officers_of_the_neighbourhoods_borough_see_its_surveys(client, neighbourhood_survey):
    southwark = officer("pc.southwark", borough=SOUTHWARK)
    westminster = officer("pc.westminster", borough="E09000033")
    rye_lane = officer("pc.ryelane", ward=RYE_LANE)  # a ward's officers do not see their borough's own either

    assert survey_visible_to(southwark, neighbourhood_survey)
    assert not survey_visible_to(westminster, neighbourhood_survey)
    assert not survey_visible_to(rye_lane, neighbourhood_survey)

    edit = f"/admin/snippets/ward_panels/survey/edit/{neighbourhood_survey.pk}/"
    client.force_login(southwark)
    assert client.get(edit).status_code == 200
    assert edit in client.get("/admin/snippets/ward_panels/survey/").content.decode()
    client.force_login(westminster)
    assert edit not in client.get("/admin/snippets/ward_panels/survey/").content.decode()
    for address in (
        edit,
        f"/admin/ward-panels/surveys/{neighbourhood_survey.pk}/results/",
        f"/admin/ward-panels/surveys/{neighbourhood_survey.pk}/send/",
    ):
        response = client.get(address)
        assert (response.status_code, response.get("Location")) in ((302, "/admin/"), (403, None)), address
        assert b"Bellenden" not in response.content


def test_an_officer_addresses_a_survey_to_their_boroughs_neighbourhood(client, bellenden, survey_admin_form):
    client.force_login(officer("pc.southwark", borough=SOUTHWARK))
    offered = client.get("/admin/snippets/ward_panels/survey/add/").content.decode()
    assert f'<option value="{bellenden.pk}">Bellenden</option>' in offered

    both = client.post("/admin/snippets/ward_panels/survey/add/", survey_admin_form(neighbourhood=bellenden.pk))
    assert both.status_code == 200
    assert "Choose one of these: a ward, a borough for every ward in it, or a natural neighbourhood." in (
        html.unescape(both.content.decode())
    )

    made = client.post(
        "/admin/snippets/ward_panels/survey/add/",
        survey_admin_form(title="Alleyways", ward="", neighbourhood=bellenden.pk, audience="panel"),
    )
    assert made.status_code == 302
    assert Survey.objects.get(title="Alleyways").neighbourhood_id == bellenden.pk


def test_another_boroughs_officer_can_neither_see_nor_choose_the_neighbourhood(client, bellenden, survey_admin_form):
    client.force_login(officer("pc.westminster", borough="E09000033"))

    offered = client.get("/admin/snippets/ward_panels/survey/add/").content.decode()
    refused = client.post(
        "/admin/snippets/ward_panels/survey/add/",
        survey_admin_form(title="Not ours", ward="", neighbourhood=bellenden.pk),
    )

    assert "Bellenden" not in offered
    assert refused.status_code == 200 and not Survey.objects.filter(title="Not ours").exists()


# What residents see -----------------------------------------------------------------------------


def test_an_open_neighbourhood_survey_is_on_the_neighbourhoods_page_not_its_wards(client, bellenden, make_survey):
    survey = make_survey(ward=None, neighbourhood=bellenden, audience=Survey.Audience.OPEN, title="Bellenden lights")

    assert f'href="/surveys/{survey.pk}/"' in client.get(bellenden.url).content.decode()
    assert f'href="/surveys/{survey.pk}/"' not in client.get("/southwark/rye-lane/").content.decode()
    listed = client.get("/api/v1/surveys/").json()["results"]
    assert [(s["title"], s["ward"], s["borough"], s["neighbourhood"]) for s in listed] == [
        ("Bellenden lights", None, {"code": SOUTHWARK, "name": "Southwark"}, {"slug": "bellenden", "name": "Bellenden"})
    ]


def test_a_neighbourhood_with_surveys_is_kept_when_an_officer_deletes_it(client, neighbourhood_survey, bellenden):
    client.force_login(officer("pc.southwark", borough=SOUTHWARK))

    response = client.post(f"/admin/pages/{bellenden.pk}/delete/", follow=True)

    assert NeighbourhoodPage.objects.filter(pk=bellenden.pk).exists()
    assert "Bellenden cannot be deleted while surveys are addressed to it" in html.unescape(response.content.decode())


# The member's postcode --------------------------------------------------------------------------


def test_an_officer_adds_and_corrects_a_members_postcode_in_the_admin(client, sample_london):
    member = add_member(RYE_LANE, "Ade")
    client.force_login(officer("pc.southwark", borough=SOUTHWARK))
    edit = f"/admin/snippets/ward_panels/panelmember/edit/{member.pk}/"
    form = {
        "panel": member.panel_id,
        "name": "Ade",
        "email": "ade@example.org",
        "phone": "",
        "consent_given_at": timezone.localtime(member.consent_given_at).strftime("%Y-%m-%d %H:%M"),
        "consent_wording": "Yes",
        "confirmed_at": timezone.localtime(member.confirmed_at).strftime("%Y-%m-%d %H:%M"),
        "joined_on": member.joined_on.isoformat(),
        "left_on": "",
    }

    wrong = client.post(edit, form | {"postcode": "SE15 5"})
    assert wrong.status_code == 200
    assert "Enter your full postcode, not only SE15 5" in html.unescape(wrong.content.decode())
    member.refresh_from_db()
    assert member.postcode == ""

    assert client.post(edit, form | {"postcode": "se15 5rp"}).status_code == 302
    member.refresh_from_db()
    assert member.postcode == "SE15 5RP"


# Privacy ----------------------------------------------------------------------------------------


def test_a_members_postcode_is_in_their_copy_and_goes_when_they_are_erased(admin_client, sample_london):
    add_member(RYE_LANE, "Ade", "SE15 5DB")

    assert member_export(email="ade@example.org")["panel_memberships"][0]["postcode"] == "SE15 5DB"
    held = admin_client.post("/admin/personal-data/", {"email": "ade@example.org"}).content.decode()
    assert "Postcode: SE15 5DB" in held
    admin_client.post("/admin/personal-data/erase/", {"email": "ade@example.org", "confirm": "yes"})

    assert not PanelMember.objects.filter(postcode="SE15 5DB").exists()


def test_the_privacy_notice_says_members_postcodes_are_kept_and_why(client, sample_london):
    notice = html.unescape(client.get("/privacy/").content.decode())

    assert "phone number and postcode if you gave them" in notice
    assert "natural neighbourhood you live in" in notice


def test_equality_answers_hold_no_postcode_to_be_linked_by():
    """A postcode narrows a person down to a few homes: kept only with their membership, never with
    equality answers, which are linked to no one (models.EqualityMonitoring)."""
    for model in (EqualityMonitoring, EqualityPending, EqualityReceiptUsed, EqualityTables):
        assert not [field.name for field in model._meta.get_fields() if "postcode" in field.name], model
