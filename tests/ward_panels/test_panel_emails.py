"""Survey invitations and reminders: replies reach the ward's team, never a no-reply address, and
each email has a link to leave the panel that asks first and then ends the membership."""

import datetime
import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from priorities.models import BoroughPage, WardPage
from ward_panels.models import Invitation, PanelMember, WardPanel
from ward_panels.services import invitations_send, reminders_send
from ward_panels.tasks import reminders_send as reminders_task

RYE_LANE = "E05011113"

SOUTHWARK = "E09000028"


@pytest.fixture
def member(sample_london) -> PanelMember:
    return PanelMember.objects.create(
        panel=WardPanel.objects.create(ward_id=RYE_LANE),
        name="Ada Obi",
        email="ada@example.org",
        joined_on=timezone.localdate() - datetime.timedelta(days=30),
        confirmed_at=timezone.now(),
        consent_given_at=timezone.now(),
    )


def team_emails(ward=None, borough=None):
    WardPage.objects.filter(ward_id=RYE_LANE).update(email=ward or "")
    BoroughPage.objects.filter(borough_id=SOUTHWARK).update(email=borough or "")


def test_replies_to_an_invitation_reach_the_wards_team(member, make_survey):
    team_emails(ward="ryelane.snt@met.police.uk", borough="southwark.snt@met.police.uk")

    invitations_send(survey=make_survey())

    (invitation,) = mail.outbox
    assert invitation.reply_to == ["ryelane.snt@met.police.uk"]
    assert "Reply to this email: it reaches your Safer Neighbourhoods team" in invitation.body


@pytest.mark.parametrize(
    ("ward", "borough", "fallback", "reply_to"),
    [
        ("", "southwark.snt@met.police.uk", "panels@example.org", ["southwark.snt@met.police.uk"]),
        ("", "", "Ward panels <panels@example.org>", ["Ward panels <panels@example.org>"]),
        ("noreply@met.police.uk", "", "panels@example.org", ["panels@example.org"]),
        ("", "", "no-reply@example.org", []),
        ("", "", "", []),
    ],
)
def test_without_the_wards_own_address_replies_go_to_the_boroughs_or_the_sites(
    member, settings, ward, borough, fallback, reply_to, make_survey
):
    team_emails(ward=ward, borough=borough)
    settings.SN_REPLY_TO_EMAIL = fallback

    invitations_send(survey=make_survey())

    (invitation,) = mail.outbox
    assert invitation.reply_to == reply_to
    asks_for_replies = "Reply to this email: it reaches your Safer Neighbourhoods team" in invitation.body
    assert asks_for_replies == bool(reply_to)  # nobody reads the sender's mailbox: the email asks for no reply
    assert "To leave the panel, and get no more surveys" in invitation.body


def test_reminders_reply_to_the_team_too(member, make_survey):
    team_emails(ward="ryelane.snt@met.police.uk")
    invitations_send(survey=make_survey())
    mail.outbox.clear()

    reminders_send(now=timezone.now() + datetime.timedelta(days=8))

    (reminder,) = mail.outbox
    assert reminder.subject.startswith("Reminder:") and reminder.reply_to == ["ryelane.snt@met.police.uk"]


def test_the_link_in_an_invitation_asks_then_ends_the_membership(member, make_survey):
    invitations_send(survey=make_survey())
    (invitation,) = mail.outbox
    link = re.search(r"https?://\S+/ward-panels/leave/\S+", invitation.body).group()
    assert invitation.extra_headers["List-Unsubscribe"] == f"<{link}>"
    assert invitation.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    browser = Client(enforce_csrf_checks=True)  # mail providers post one-click unsubscribes with no token

    asked = browser.get(urlsplit(link).path)
    assert asked.status_code == 200 and "Leave the Rye Lane ward panel" in asked.content.decode()
    assert PanelMember.objects.active().filter(pk=member.pk).exists()  # opening the link changes nothing

    left = browser.post(urlsplit(link).path)

    assert left.status_code == 200 and "You have left the Rye Lane ward panel" in left.content.decode()
    assert PanelMember.objects.get(pk=member.pk).left_on == timezone.localdate()
    assert not PanelMember.objects.active().filter(pk=member.pk).exists()
    mail.outbox.clear()
    assert reminders_send(now=timezone.now() + datetime.timedelta(days=8)) == 0
    assert invitations_send(survey=make_survey()) == 0


def test_a_leave_link_that_was_not_made_here_changes_nothing(client, member):
    from django.core import signing

    forged = signing.Signer(salt="ward_panels.invitation").sign(str(member.pk))

    page = client.post(f"/ward-panels/leave/{forged}/")

    assert page.status_code == 400 and "This link does not work" in page.content.decode()
    assert PanelMember.objects.get(pk=member.pk).left_on is None


def test_no_page_or_email_asks_people_to_reply_to_the_no_reply_sender(client, member):
    from ward_panels.tokens import join_token

    joined = client.post(f"/ward-panels/join/{join_token(member.pk)}/")
    privacy = client.get("/privacy/")

    assert "use the link at the end of any survey email" in joined.content.decode()
    assert "the link to leave in any ward panel email" in privacy.content.decode()


def test_inviting_more_members_costs_only_each_ones_claim(sample_london, make_survey):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    panel = WardPanel.objects.create(ward_id=RYE_LANE)
    team_emails(ward="ryelane.snt@met.police.uk")

    def queries_to_invite(count: int) -> int:
        for n in range(count):
            PanelMember.objects.create(
                panel=panel, name=f"M{n}", email=f"m{n}-{count}@example.org", confirmed_at=timezone.now()
            )
        PanelMember.objects.update(consent_given_at=timezone.now())
        survey = make_survey()
        with CaptureQueriesContext(connection) as queries:
            invitations_send(survey=survey)
        PanelMember.objects.all().delete()
        return len(queries)

    one, five = queries_to_invite(1), queries_to_invite(5)

    assert five - one == 8  # for each invitation, the update that claims it and the one that marks it sent
    assert len(mail.outbox) == 6 and all(m.reply_to == ["ryelane.snt@met.police.uk"] for m in mail.outbox)


def test_an_invitation_a_killed_worker_claimed_is_sent_once_its_claim_expires(sample_london, make_survey, settings):
    """A worker killed after claiming an invitation, before the mail server took it: once the claim
    is older than SN_NEWSLETTER_CLAIM_SECONDS the invitation goes, by the task run again or by the
    hourly sweep; a claim still fresh (a worker still sending) is left alone."""
    panel = WardPanel.objects.create(ward_id=RYE_LANE)
    now = timezone.now()
    for name in ("ada", "bola", "chi"):
        PanelMember.objects.create(
            panel=panel, name=name, email=f"{name}@example.org", confirmed_at=now, consent_given_at=now
        )
    survey = make_survey()
    invitations_send(survey=survey)
    mail.outbox.clear()
    settings.SN_NEWSLETTER_CLAIM_SECONDS = 900
    Invitation.objects.update(sent_at=None)  # as the killed workers left them
    Invitation.objects.filter(member__name="ada").update(claimed_at=now - datetime.timedelta(seconds=901))
    Invitation.objects.filter(member__name="bola").update(claimed_at=now - datetime.timedelta(seconds=60))

    assert invitations_send(survey=survey) == 2  # ada's stale claim, and chi's that was never claimed
    assert sorted(m.to[0] for m in mail.outbox) == ["ada@example.org", "chi@example.org"]
    bola = Invitation.objects.get(member__name="bola")
    assert bola.sent_at is None and bola.claimed_at is not None

    Invitation.objects.filter(pk=bola.pk).update(claimed_at=now - datetime.timedelta(seconds=901))
    assert reminders_task() == 1  # the hourly sweep
    assert sorted(m.to[0] for m in mail.outbox) == ["ada@example.org", "bola@example.org", "chi@example.org"]
    assert not Invitation.objects.filter(sent_at__isnull=True).exists()
    assert not Invitation.objects.filter(claimed_at__isnull=False).exists()
    ids = [m.message()["Message-ID"] for m in mail.outbox]
    assert len(set(ids)) == 3 and all(i.startswith("<survey-invitation-") for i in ids)  # the same for any copy


def test_an_invitation_is_marked_sent_only_once_the_mail_server_took_it(member, make_survey, monkeypatch):
    from django.core.mail.backends.locmem import EmailBackend

    def refuse(self, messages):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)
    survey = make_survey()
    with pytest.raises(ConnectionRefusedError):
        invitations_send(survey=survey)
    invitation = Invitation.objects.get()
    assert invitation.sent_at is None and invitation.claimed_at is None  # for the task's retry at once
    monkeypatch.undo()
    assert invitations_send(survey=survey) == 1 and len(mail.outbox) == 1
