"""A test copy of a newsletter to oneself: for everyone who may edit the issue, sergeant approval or
not, in plain sight on its edit page; to the signed-in editor's own address only, and rate limited."""

import re

import pytest
from django.contrib.auth.models import User
from django.core import mail

from newsletters.models import NewsletterPage, Send
from newsletters.throttles import SelfTestLimit
from priorities.models import BoroughPage, WardPage

RYE_LANE, SOUTHWARK = "E05011113", "E09000028"


@pytest.fixture
def approval_officer(officers):
    """pc.southwark, in Southwark, once its sergeants approve what officers publish."""
    southwark = BoroughPage.objects.get(borough_id=SOUTHWARK)
    southwark.sergeant_approval = True
    southwark.save_revision().publish()
    officer = User.objects.get(username="pc.southwark")  # fresh: permissions are cached on the user
    officer.email = "pc.southwark@example.org"
    officer.save()
    return officer


@pytest.fixture
def issue(sample_london, add_subscribers) -> NewsletterPage:
    newsletter = NewsletterPage(title="November newsletter", summary="Speeding, and a new PCSO.")
    WardPage.objects.get(ward_id=RYE_LANE).add_child(instance=newsletter)
    newsletter.save_revision().publish()
    add_subscribers(3, ward_id=RYE_LANE)
    return newsletter


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())).strip()


def test_an_officer_whose_sergeant_approves_sends_themselves_a_test_from_the_edit_page(
    client, issue, approval_officer, links_in
):
    client.force_login(approval_officer)
    assert not issue.permissions_for_user(approval_officer).can_publish()

    edit = client.get(f"/admin/pages/{issue.pk}/edit/")
    panel = re.search(r'id="panel-child-content-test_and_send-section".*?</section>', edit.content.decode(), re.S)
    assert panel and "Send yourself a test" in panel.group()  # on the form itself, not in a menu
    send_page = client.get(f"/admin/newsletters/{issue.pk}/send/")
    assert send_page.status_code == 200
    assert "goes to you at pc.southwark@example.org and nobody else" in text_of(send_page)
    assert "Send to 3 subscribers" not in text_of(send_page)  # sending to subscribers is the sergeant's
    assert "a sergeant" in text_of(send_page)

    tested = client.post(f"/admin/newsletters/{issue.pk}/send/", {"action": "test"}, follow=True)

    assert [m.to for m in mail.outbox] == [["pc.southwark@example.org"]]
    assert mail.outbox[0].subject == "[Test] November newsletter: Rye Lane Safer Neighbourhoods"
    assert "A test copy is on its way to pc.southwark@example.org. It went to nobody else." in text_of(tested)
    sent = client.post(f"/admin/newsletters/{issue.pk}/send/", {"sends_seen": 0, "audience": "everyone"})
    assert sent.status_code == 302 and not Send.objects.exists() and len(mail.outbox) == 1


def test_a_test_copy_shows_the_draft_being_written(client, issue, approval_officer):
    draft = issue.get_latest_revision_as_object()
    draft.summary = "Draft: the new PCSO's first month."
    draft.save_revision(user=approval_officer)
    client.force_login(approval_officer)

    client.post(f"/admin/newsletters/{issue.pk}/send/", {"action": "test"})

    assert "Draft: the new PCSO's first month." in mail.outbox[0].body
    assert NewsletterPage.objects.get(pk=issue.pk).summary == "Speeding, and a new PCSO."  # not published


def test_test_copies_are_limited_per_editor(client, issue, approval_officer, monkeypatch):
    monkeypatch.setattr(SelfTestLimit, "rate", "2/hour", raising=False)
    client.force_login(approval_officer)

    answers = [client.post(f"/admin/newsletters/{issue.pk}/send/", {"action": "test"}) for _ in range(3)]

    assert [answer.status_code for answer in answers] == [302, 302, 429]
    assert "You have sent yourself as many tests as you may for now: try again in" in text_of(answers[2])
    assert len(mail.outbox) == 2


def test_without_an_email_address_an_editor_is_told_how_to_get_a_test(client, issue, approval_officer):
    approval_officer.email = ""
    approval_officer.save()
    client.force_login(approval_officer)

    page = client.get(f"/admin/newsletters/{issue.pk}/send/")
    refused = client.post(f"/admin/newsletters/{issue.pk}/send/", {"action": "test"})

    assert "Your account has no email address." in text_of(page)
    assert refused.status_code == 400 and "Add an email address to your account to get a test." in text_of(refused)
    assert mail.outbox == []


def test_another_boroughs_officer_gets_no_test_of_the_issue(client, issue, officers):
    client.force_login(officers[1])  # Westminster

    answer = client.post(f"/admin/newsletters/{issue.pk}/send/", {"action": "test"})

    assert answer.status_code == 302 and mail.outbox == []


def test_a_new_issue_says_a_test_can_be_sent_once_it_is_saved(client, sample_london, approval_officer):
    client.force_login(approval_officer)
    rye_lane = WardPage.objects.get(ward_id=RYE_LANE)

    page = client.get(f"/admin/pages/add/newsletters/newsletterpage/{rye_lane.pk}/")

    assert page.status_code == 200 and "Save a draft, then you can send yourself a test" in text_of(page)
