"""Each copy of a newsletter is built two ways: as Django's message (message_for, for any email
backend) and, for SMTP, as raw bytes ten times faster (MessageWriter). A reader must get the same
email either way: both are rendered from templates/emails/newsletters/issue/, and here the bytes
the writer sends and the bytes Django's SMTP backend would send parse to the same message, for
titles, names and addresses beyond ASCII, long subjects and long lines.

Only how each body is encoded for transport may differ (Django's 8bit or quoted-printable, the
writer's quoted-printable), and Django repeats MIME-Version in each part, where it means nothing:
those headers of the parts are left out; everything else is compared decoded."""

import datetime
from email import message_from_bytes, policy
from email.utils import parseaddr
from types import SimpleNamespace

import pytest
from django.core.mail.message import sanitize_address
from django.utils import timezone
from django.utils.html import escape
from wagtail.rich_text import RichText

from newsletters.emails import MessageWriter, area_code, message_for
from newsletters.models import Delivery, NewsletterPage, Subscriber, Subscription
from newsletters.selectors import send_batches
from newsletters.sending import batch_send
from newsletters.services import send_start
from priorities.models import WardPage

RYE_LANE = "E05011113"
# (title, summary, a paragraph of the body: one line of text, however long)
ISSUES = {
    "plain": ("November newsletter", "Speeding, and a new PCSO.", ""),
    "beyond ASCII": (
        "Café de la “Rye” : réunion d’été, 🚲 et sécurité",
        "Zoë O’Brien, Ünal & Łukasz: “priorités”.",
        "Ça va? <Oui> & “non” = 100%",
    ),
    "long ASCII title": ("A very long title about speeding and parking " * 5, "Speeding.", ""),
    "long title beyond ASCII": ("Réunion publique sur la sécurité routière à Peckham " * 4, "Sécurité.", ""),
    "long lines": ("Long lines", "Speeding.", "Speeding on Rye Lane, " * 60),
    "long lines beyond ASCII": ("Été", "Vélos.", "Vélo volé près de la gare, " * 50),
}


def parsed(data: bytes):
    message = message_from_bytes(data, policy=policy.default)
    assert not message.defects, message.defects
    return message


def headers(message, leave_out=()) -> list[tuple[str, str]]:
    """Every header, its value decoded; Content-Type as its type and parameters, but the boundary."""
    found = []
    for name, value in message.items():
        if name.lower() in leave_out:
            continue
        if name.lower() == "content-type":
            params = {k: v for k, v in value.params.items() if k != "boundary"}
            value = f"{value.content_type} {sorted(params.items())}"
        found.append((name.lower(), str(value).strip()))  # folding white space is not part of a value
    return sorted(found)


def contents(message) -> list:
    """Each part: its headers (but its transfer encoding), content type, charset, and decoded content."""
    assert message.is_multipart() and message.get_content_type() == "multipart/alternative"
    parts = []
    for part in message.iter_parts():
        assert not part.defects, part.defects
        leave_out = ("content-transfer-encoding", "mime-version")
        parts.append((headers(part, leave_out), part.get_content_charset(), part.get_content()))
    return parts


@pytest.fixture
def frozen_clock(monkeypatch):
    """Both read the Date from email.utils' clock: one second for both."""
    moment = datetime.datetime(2026, 11, 5, 9, 30, tzinfo=datetime.UTC).timestamp()
    monkeypatch.setattr("email.utils.time", SimpleNamespace(time=lambda: moment))


def a_send(title: str, summary: str, paragraph: str, addresses: list[str]):
    newsletter = NewsletterPage(title=title, summary=summary)
    if paragraph:
        newsletter.body.append(("text", {"heading": "", "text": RichText(f"<p>{escape(paragraph)}</p>")}))
    WardPage.objects.get(ward_id=RYE_LANE).add_child(instance=newsletter)
    newsletter.save_revision().publish()
    for address in addresses:
        subscriber = Subscriber.objects.create(email=address, confirmed_at=timezone.now())
        Subscription.objects.create(subscriber=subscriber, ward_id=RYE_LANE, confirmed_at=timezone.now())
    return newsletter, send_start(newsletter=newsletter)


@pytest.mark.parametrize("case", ISSUES)
def test_the_raw_bytes_and_djangos_message_are_the_same_email(sample_london, settings, frozen_clock, case):
    settings.DEFAULT_FROM_EMAIL = "Sécurité de quartier <newsletters@example.org>"
    newsletter, send = a_send(*ISSUES[case], ["ann@example.org", "zoe.muller@exämple.org"])
    writer = MessageWriter(send, newsletter)

    for delivery in send.deliveries.order_by("pk"):
        django = message_for(send, delivery, area_code(newsletter))
        # As Django's SMTP backend sends it: these bytes, from and to these addresses.
        django_bytes = django.message().as_bytes(linesep="\r\n")
        django_from = parseaddr(sanitize_address(django.from_email, django.encoding or "utf-8"))[1]
        django_to = [parseaddr(sanitize_address(to, django.encoding or "utf-8"))[1] for to in django.recipients()]

        sender, recipients, raw_bytes = writer.envelope(delivery)
        raw, ours = parsed(raw_bytes), parsed(django_bytes)

        assert (sender, recipients) == (django_from, django_to)
        assert headers(raw) == headers(ours)
        assert contents(raw) == contents(ours)
        assert [line for line in raw_bytes.split(b"\r\n") if len(line) > 998] == []  # SMTP's limit


def test_the_headers_read_as_written(sample_london, settings, frozen_clock):
    """What the comparison above rests on, seen once: the values a mail program shows."""
    settings.DEFAULT_FROM_EMAIL = "Sécurité de quartier <newsletters@example.org>"
    newsletter, send = a_send(*ISSUES["beyond ASCII"], ["zoe@exämple.org"])

    message = parsed(MessageWriter(send, newsletter).envelope(send.deliveries.get())[2])

    assert message["Subject"] == f"{ISSUES['beyond ASCII'][0]}: Rye Lane Safer Neighbourhoods"
    assert message["From"] == "Sécurité de quartier <newsletters@example.org>"
    assert message["To"] == "zoe@xn--exmple-cua.org"
    assert message["List-Unsubscribe"].startswith("<http://") and message["List-Unsubscribe-Post"]
    plain, html = message.iter_parts()
    assert "Zoë O’Brien, Ünal & Łukasz" in plain.get_content()
    assert "Zoë O’Brien, Ünal &amp; Łukasz" in html.get_content()
    assert "Ça va? <Oui> & “non” = 100%" in plain.get_content()


def test_a_subscriber_at_an_internationalised_domain_gets_the_newsletter_over_smtp(sample_london, smtp):
    """The form takes such an address; sent raw, it went to the mail server as typed, which SMTP
    cannot carry, and stopped the whole batch."""
    received = smtp
    _, send = a_send(*ISSUES["plain"], ["ann@example.org", "zoe@exämple.org"])

    for first, last in send_batches(send):
        batch_send(send_id=send.pk, first=first, last=last)

    assert sorted(message["X-Envelope-To"] for message in received) == ["ann@example.org", "zoe@xn--exmple-cua.org"]
    assert set(send.deliveries.values_list("status", flat=True)) == {Delivery.Status.SENT}
