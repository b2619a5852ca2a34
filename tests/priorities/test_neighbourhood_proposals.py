"""Residents propose a natural neighbourhood; their borough's officers, and only they, accept it
(a draft page) or decline it."""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from priorities.models import BoroughPage, NeighbourhoodPage, NeighbourhoodProposal
from priorities.services import neighbourhood_proposals_purge
from priorities.throttles import ProposalLimit

SOUTHWARK, WESTMINSTER = "E09000028", "E09000033"
FORM = "/propose-a-neighbourhood/"


@pytest.fixture
def southwark_page(sample_london):
    return BoroughPage.objects.get(borough_id=SOUTHWARK)


def submission_of(response) -> str:
    return re.search(r'name="submission" value="([^"]+)"', response.content.decode()).group(1)


def proposal_form(client, borough_page, **fields) -> dict:
    """The form as a resident fills it in, shown first so that it carries its own token."""
    shown = client.get(FORM, {"borough": borough_page.borough_id})
    return {
        "borough_page": borough_page.pk,
        "name": "Bellenden",
        "covers": "Bellenden Road, Choumert Grove\nand the streets between them, up to the park",
        "why": "The same shops, the same school gates, the same worries about the alleyways.",
        "postcode": "se15 5db",
        "email": "resident@example.com",
        "website": "",
        "submission": submission_of(shown),
        **fields,
    }


def propose(client, borough_page, **fields):
    return client.post(FORM, proposal_form(client, borough_page, **fields))


def test_a_borough_page_links_to_the_form_with_its_borough_chosen(client, southwark_page):
    borough_html = client.get(southwark_page.url).content.decode()
    assert f'href="{FORM}?borough={SOUTHWARK}"' in borough_html
    assert "Propose a natural neighbourhood" in borough_html

    form = client.get(f"{FORM}?borough={SOUTHWARK}").content.decode()

    assert re.search(rf'<option value="{southwark_page.pk}" selected>Southwark', form)
    assert "City of London" not in "".join(re.findall(r"<option[^>]*>([^<]*)</option>", form))
    assert "Your email address (optional)" in form and "to write to you about this, and nothing else" in form
    assert 'name="csrfmiddlewaretoken"' in form


def test_find_your_team_links_to_the_form(client, sample_london):
    html = client.get("/find-your-team/").content.decode()
    assert f'href="{FORM}"' in html and "Propose a natural neighbourhood" in html


def test_a_proposal_waits_for_its_boroughs_officers_and_no_others(client, officers, southwark_page):
    southwark_officer, westminster_officer = officers

    sent = propose(client, southwark_page)

    assert sent.status_code == 302 and sent["Location"] == f"{FORM}thanks/?borough={SOUTHWARK}"
    thanks = client.get(sent["Location"]).content.decode()
    assert "Thank you for your proposal" in thanks and "Southwark's Safer Neighbourhoods officers" in thanks
    proposal = NeighbourhoodProposal.objects.get()
    assert (proposal.borough_page, proposal.name, proposal.postcode, proposal.email) == (
        southwark_page,
        "Bellenden",
        "SE15 5DB",
        "resident@example.com",
    )
    assert proposal.status == NeighbourhoodProposal.Status.WAITING
    client.force_login(southwark_officer)
    panel = client.get("/admin/").content.decode()
    panel = panel[panel.index("Needs your attention") :]
    assert "Southwark: Bellenden" in panel
    client.force_login(westminster_officer)
    panel = client.get("/admin/").content.decode()
    assert "Bellenden" not in panel[panel.index("Needs your attention") :]


def test_mistakes_come_back_with_what_was_typed(client, southwark_page):
    form = proposal_form(client, southwark_page, name="", why="x" * 1001, postcode="SE15", email="not-an-address")

    response = client.post(FORM, form)

    assert response.status_code == 400
    html = response.content.decode()
    assert html.count('class="error-summary"') == 1 and "<title>Error: " in html
    summary = html[html.index("error-summary") : html.index("</div>", html.index("error-summary"))]
    assert '<a href="#id_name">Enter what you call where you live</a>' in summary
    assert "Why it is one place must be 1,000 characters or fewer" in summary
    assert "Enter your full postcode, not only SE15, or leave it empty" in summary
    assert "Enter an email address like name@example.com" in summary
    assert "Choumert Grove\nand the streets between them" in html  # what it covers, kept
    assert 'value="SE15"' in html and 'value="not-an-address"' in html
    assert f'<option value="{southwark_page.pk}" selected>' in html
    assert f'name="submission" value="{form["submission"]}"' in html  # the same form, the same token
    assert not NeighbourhoodProposal.objects.exists()


@pytest.mark.parametrize(
    "postcode, message",
    [
        ("banana", "Enter a full postcode, such as SE15 5DB"),
        ("M1 1AE", "Enter a London postcode"),
        ("SE15 9ZZ", "We could not find SE15 9ZZ"),
    ],
)
def test_a_postcode_must_be_a_full_london_postcode_we_know(client, southwark_page, postcode, message):
    response = propose(client, southwark_page, postcode=postcode)

    assert response.status_code == 400 and message in response.content.decode()


def test_the_postcode_and_email_are_optional(client, southwark_page):
    assert propose(client, southwark_page, postcode="", email="").status_code == 302
    assert NeighbourhoodProposal.objects.get().postcode == ""


def test_sending_the_same_form_twice_makes_one_proposal(client, southwark_page):
    form = proposal_form(client, southwark_page)

    first, second = client.post(FORM, form), client.post(FORM, form)

    assert first.status_code == second.status_code == 302
    assert NeighbourhoodProposal.objects.count() == 1
    propose(client, southwark_page)  # the form shown again is another proposal
    assert NeighbourhoodProposal.objects.count() == 2


def test_a_robot_filling_the_hidden_field_is_thanked_and_nothing_is_kept(client, southwark_page):
    response = propose(client, southwark_page, website="https://spam.example")

    assert response.status_code == 302 and "thanks" in response["Location"]
    assert not NeighbourhoodProposal.objects.exists()


def test_too_many_proposals_from_one_address_are_refused(client, southwark_page, monkeypatch):
    monkeypatch.setattr(ProposalLimit, "rate", "2/hour", raising=False)

    statuses = [propose(client, southwark_page, name=f"Place {n}").status_code for n in range(3)]

    assert statuses == [302, 302, 429]
    refused = propose(client, southwark_page, name="Place 4")
    assert "Too many tries" in refused.content.decode() and int(refused["Retry-After"]) > 0
    assert NeighbourhoodProposal.objects.count() == 2


def test_a_post_without_the_csrf_token_is_refused(southwark_page):
    browser = Client(enforce_csrf_checks=True)
    form = proposal_form(browser, southwark_page)

    assert browser.post(FORM, form).status_code == 403
    assert not NeighbourhoodProposal.objects.exists()


def waiting_proposal(client, borough_page, **fields) -> NeighbourhoodProposal:
    propose(client, borough_page, **fields)
    return NeighbourhoodProposal.objects.latest("pk")


def test_accepting_makes_a_draft_page_under_the_borough_to_refine(client, officers, southwark_page):
    proposal = waiting_proposal(client, southwark_page)
    officer = officers[0]
    client.force_login(officer)
    listing = client.get(f"/admin/boroughs/{southwark_page.pk}/neighbourhood-proposals/").content.decode()
    assert "Bellenden" in listing and "resident@example.com" in listing and "SE15 5DB" in listing

    response = client.post(f"/admin/neighbourhood-proposals/{proposal.pk}/", {"action": "accept"})

    page = NeighbourhoodPage.objects.get(title="Bellenden")
    assert response.status_code == 302 and response["Location"] == f"/admin/pages/{page.pk}/edit/"
    assert not page.live and page.get_parent().specific == southwark_page
    assert page.slug == "bellenden" and page.area_postcodes == "SE15 5"
    assert "<p>Bellenden Road, Choumert Grove</p>" in page.introduction and "alleyways" in page.introduction
    assert page.get_latest_revision() is not None
    assert client.get(f"/admin/pages/{page.pk}/edit/").status_code == 200
    proposal.refresh_from_db()
    assert proposal.status == NeighbourhoodProposal.Status.ACCEPTED and proposal.page == page
    assert proposal.decided_by == officer
    assert client.get("/bellenden/").status_code == 404  # a draft: residents do not see it yet
    panel = client.get("/admin/").content.decode()
    assert "Southwark: Bellenden" not in panel  # no longer waiting


def test_a_name_a_ward_already_has_gets_an_address_of_its_own(client, officers, southwark_page):
    proposal = waiting_proposal(client, southwark_page, name="Rye Lane", postcode="")
    client.force_login(officers[0])

    client.post(f"/admin/neighbourhood-proposals/{proposal.pk}/", {"action": "accept"})

    page = NeighbourhoodPage.objects.get(title="Rye Lane")
    assert page.slug == "rye-lane-2" and page.area_postcodes == ""


def test_declining_keeps_no_page_and_cannot_be_done_twice(client, officers, southwark_page):
    proposal = waiting_proposal(client, southwark_page)
    client.force_login(officers[0])
    url = f"/admin/neighbourhood-proposals/{proposal.pk}/"

    response = client.post(url, {"action": "decline"}, follow=True)

    assert "“Bellenden” declined." in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == NeighbourhoodProposal.Status.DECLINED and proposal.page is None
    again = client.post(url, {"action": "accept"}, follow=True).content.decode()
    assert "“Bellenden” was already declined." in again
    assert not NeighbourhoodPage.objects.filter(title="Bellenden").exists()


def test_another_boroughs_officer_can_neither_see_nor_decide(client, officers, southwark_page):
    proposal = waiting_proposal(client, southwark_page)
    client.force_login(officers[1])  # Westminster's

    assert client.get(f"/admin/boroughs/{southwark_page.pk}/neighbourhood-proposals/").status_code == 404
    assert client.post(f"/admin/neighbourhood-proposals/{proposal.pk}/", {"action": "accept"}).status_code == 404
    westminster = BoroughPage.objects.get(borough_id=WESTMINSTER)
    theirs = client.get(f"/admin/boroughs/{westminster.pk}/neighbourhood-proposals/").content.decode()
    assert "Bellenden" not in theirs and "None: no resident's proposal is waiting." in theirs
    proposal.refresh_from_db()
    assert proposal.status == NeighbourhoodProposal.Status.WAITING
    assert not NeighbourhoodPage.objects.filter(title="Bellenden").exists()


def test_decided_proposals_are_deleted_after_the_retention_period(client, officers, southwark_page, settings):
    settings.SN_PROPOSAL_RETENTION_DAYS = 90
    decided, waiting = waiting_proposal(client, southwark_page), waiting_proposal(client, southwark_page)
    client.force_login(officers[0])
    client.post(f"/admin/neighbourhood-proposals/{decided.pk}/", {"action": "accept"})
    page = NeighbourhoodPage.objects.get()

    assert neighbourhood_proposals_purge(now=timezone.now() + datetime.timedelta(days=89)) == 0
    assert neighbourhood_proposals_purge(now=timezone.now() + datetime.timedelta(days=91)) == 1

    assert list(NeighbourhoodProposal.objects.all()) == [waiting]  # waiting ones wait for an officer
    assert NeighbourhoodPage.objects.filter(pk=page.pk).exists()  # the page made from it stays


def test_the_personal_data_page_finds_and_erases_proposals(client, southwark_page, django_user_model):
    waiting_proposal(client, southwark_page, email="Resident@Example.com")
    waiting_proposal(client, southwark_page, email="someone.else@example.com")
    client.force_login(django_user_model.objects.create_superuser("admin", password="a-long-test-password"))

    found = client.post("/admin/personal-data/", {"email": "resident@example.com"}).content.decode()
    assert "Proposed natural neighbourhoods" in found and "“Bellenden” in Southwark" in found and "SE15 5DB" in found

    client.post("/admin/personal-data/erase/", {"email": "resident@example.com", "confirm": "yes"})

    assert list(NeighbourhoodProposal.objects.values_list("email", flat=True)) == ["someone.else@example.com"]
