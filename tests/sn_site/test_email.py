"""Every email the site sends is written in templates under templates/emails/ and built one way
(sn_site/emails.py); what people typed reads as typed in it. And each carries its real time zone
in its Date header: London's, +0000 in winter and +0100 in summer, never -0000 ("no zone known"),
which mail software may show as the wrong time or count against the message."""

import datetime
import re
from email.utils import parsedate_to_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from geography.models import Ward
from newsletters.emails import area_code, message_for
from newsletters.models import NewsletterPage, Subscriber, Subscription
from newsletters.selectors import send_batches
from newsletters.sending import batch_send
from newsletters.services import send_start, subscription_request
from priorities.models import WardPage
from ward_panels.models import PanelMember, WardPanel
from ward_panels.services import invitations_send, membership_request

RYE_LANE = "E05011113"


def assert_london_time(date_header: str) -> None:
    assert re.search(r" [+-]\d{4}$", date_header) and not date_header.endswith("-0000"), date_header
    sent = parsedate_to_datetime(date_header)
    assert sent.utcoffset() == timezone.now().astimezone(ZoneInfo("Europe/London")).utcoffset()
    assert abs(sent - timezone.now()) < datetime.timedelta(minutes=5)


@pytest.fixture
def issue(sample_london) -> NewsletterPage:
    newsletter = NewsletterPage(title="November newsletter", summary="Speeding.")
    WardPage.objects.get(ward_id=RYE_LANE).add_child(instance=newsletter)
    newsletter.save_revision().publish()
    subscriber = Subscriber.objects.create(email="ann@example.org", confirmed_at=timezone.now())
    Subscription.objects.create(subscriber=subscriber, ward_id=RYE_LANE, confirmed_at=timezone.now())
    return newsletter


def test_every_kind_of_email_is_dated_in_londons_time_zone(smtp, issue, make_survey):
    ward = Ward.objects.get(pk=RYE_LANE)
    membership_request(ward=ward, name="Bola", email="bola@example.org")  # asking to join a panel
    subscription_request(email="cat@example.org", wards=[ward])  # asking for a newsletter
    member = PanelMember.objects.create(
        panel=WardPanel.objects.get(ward=ward), name="Dev", email="dev@example.org", confirmed_at=timezone.now()
    )
    PanelMember.objects.filter(pk=member.pk).update(consent_given_at=timezone.now())

    invitations_send(survey=make_survey())  # a survey invitation
    send = send_start(newsletter=issue)
    for first, last in send_batches(send):
        batch_send(send_id=send.pk, first=first, last=last)  # a newsletter, written as raw MIME for SMTP

    assert sorted(message["X-Envelope-To"] for message in smtp) == [
        "ann@example.org",
        "bola@example.org",
        "cat@example.org",
        "dev@example.org",
    ]
    for message in smtp:
        assert_london_time(message["Date"])


def test_a_newsletter_through_another_email_backend_is_dated_in_londons_time_zone(issue):
    send = send_start(newsletter=issue)

    message = message_for(send, send.deliveries.get(), area_code(issue)).message()

    assert_london_time(message["Date"])
    assert mail.outbox == []


def test_in_summer_the_date_is_an_hour_ahead_of_utc(issue, monkeypatch):
    from types import SimpleNamespace

    from django.core.mail import EmailMessage

    from newsletters.emails import MessageWriter

    midsummer = datetime.datetime(2026, 6, 21, 12, tzinfo=datetime.UTC).timestamp()
    monkeypatch.setattr("email.utils.time", SimpleNamespace(time=lambda: midsummer))  # the clock the Date is read from
    send = send_start(newsletter=issue)

    django_date = EmailMessage("Subject", "Body", to=["ann@example.org"]).message()["Date"]
    raw = MessageWriter(send, issue).envelope(send.deliveries.get())[2].decode()

    assert django_date == "Sun, 21 Jun 2026 13:00:00 +0100"
    assert "\r\nDate: Sun, 21 Jun 2026 13:00:00 +0100\r\n" in raw


def test_names_and_titles_read_as_typed_in_plain_text_emails(sample_london, make_survey):
    """Text templates are not HTML: nothing in them is escaped, in the subject or the body."""
    ward = Ward.objects.get(pk=RYE_LANE)
    membership_request(ward=ward, name="Zoë O'Brien & <Co>", email="zoe@example.org")
    member = PanelMember.objects.get(email="zoe@example.org")
    PanelMember.objects.filter(pk=member.pk).update(confirmed_at=timezone.now(), consent_given_at=timezone.now())
    survey = make_survey(title='Q&A: "what\'s" <next>')

    invitations_send(survey=survey)

    join, invitation = mail.outbox
    assert join.body.startswith("Dear Zoë O'Brien & <Co>,\n\nTo join the Rye Lane ward panel")
    assert invitation.subject == 'Q&A: "what\'s" <next>'
    assert "Dear Zoë O'Brien & <Co>,\n" in invitation.body and '\n\nQ&A: "what\'s" <next>\n\n' in invitation.body


ROOT = Path(__file__).resolve().parents[2]


def test_every_email_is_written_in_templates_and_built_in_one_place():
    emails = [folder for folder in (ROOT / "templates" / "emails").glob("*/*") if folder.is_dir()]
    assert len(emails) >= 8  # newsletters' three, ward panels' four, the officer's account
    for folder in emails:
        names = {path.name for path in folder.iterdir()}
        assert "subject.txt" in names and names & {"body.txt", "body.html"}, folder
        assert names <= {"subject.txt", "body.txt", "body.html"}, folder

    builders = re.compile(r"\b(EmailMessage|EmailMultiAlternatives|send_mail|send_mass_mail|mail_admins)\(")
    apps = [folder for folder in ROOT.iterdir() if (folder / "__init__.py").exists() and folder.name != "tests"]
    code = [path for app in [*apps, ROOT / "bench"] for path in app.rglob("*.py")]
    assert ROOT / "newsletters" / "services.py" in code
    for path in code:
        if path == ROOT / "sn_site" / "emails.py":
            continue
        assert not builders.search(path.read_text()), f"{path.relative_to(ROOT)} builds an email itself"
