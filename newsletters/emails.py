"""A newsletter issue as an email: rendered once per send (HTML with its CSS inlined, and plain
text), with only each recipient's own links filled in per message."""

import binascii
import re
import secrets
from email.header import Header
from email.utils import formatdate, parseaddr
from html.parser import HTMLParser

import css_inline
from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import sanitize_address
from django.template.loader import render_to_string
from django.urls import reverse

from .models import Delivery, NewsletterPage, Send
from .selectors import PREFERENCES_SALT, newsletter_content

UNSUBSCRIBE = "%%UNSUBSCRIBE_URL%%"
PREFERENCES = "%%PREFERENCES_URL%%"
UNSUBSCRIBE_SALT = "newsletters.unsubscribe.subscription"
# Links sent before each named its subscription named the newsletter's area instead.
AREA_UNSUBSCRIBE_SALT = "newsletters.unsubscribe"


def one_line(text: str) -> str:
    """Text for an email header, whatever an editor typed: every run of line breaks, tabs and other
    white space becomes one space. A title may hold CR/LF (Wagtail allows it), and in a header each
    line break would start a header of its own (a "Bcc:" to anyone) or stop the message being built."""
    return " ".join(text.split())


def subject_for(newsletter: NewsletterPage) -> str:
    """The issue's subject line, one line, short enough to keep (Send.subject)."""
    subject = one_line(f"{newsletter.title}: {newsletter.area_page().title} Safer Neighbourhoods")
    limit = Send._meta.get_field("subject").max_length
    return subject if len(subject) <= limit else subject[: limit - 1].rstrip() + "…"


def site_url(path: str = "") -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def preferences_token(subscriber_id: int) -> str:
    """In every email: lets its reader change their newsletters. It never expires, like the email."""
    return signing.Signer(salt=PREFERENCES_SALT).sign(str(subscriber_id))


def area_code(newsletter: NewsletterPage) -> str:
    """The ONS code of the ward or borough a newsletter is for."""
    area = newsletter.area_page()
    return getattr(area, "ward_id", None) or area.borough_id


def unsubscribe_token(delivery: Delivery, code: str) -> str:
    """One click stops the subscription that put this copy's recipient in the audience
    (Delivery.subscription). Should that one be gone before the copy is written, the link names
    the newsletter's area (`code` from area_code()), as links did before, and stops whichever of
    their subscriptions brings it when it is used."""
    if delivery.subscription_id:
        return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(f"{delivery.subscriber_id}:{delivery.subscription_id}")
    return signing.Signer(salt=AREA_UNSUBSCRIBE_SALT).sign(f"{delivery.subscriber_id}:{code}")


def issue_render(newsletter: NewsletterPage) -> tuple[str, str, str]:
    """(subject, html, text) for everyone, with placeholders for each recipient's links."""
    area = newsletter.area_page()
    context = {
        "page": newsletter,
        "content": newsletter_content(newsletter),
        "web_url": site_url(newsletter.url or ""),
        "area_url": site_url(area.url or ""),
        "unsubscribe_url": UNSUBSCRIBE,
        "preferences_url": PREFERENCES,
        "email": True,
        "site_url": site_url(),
    }
    html = render_to_string("newsletters/email.html", context)
    html = css_inline.CSSInliner(keep_style_tags=False).inline(html)
    return subject_for(newsletter), html, html_to_text(html)


def message_for(send: Send, delivery: Delivery, code: str) -> EmailMultiAlternatives:
    """One recipient's copy: the send's rendering with their own unsubscribe and preferences links
    (`code` from area_code()). The Message-ID is the delivery's, so any copy of it can be recognised."""
    unsubscribe = site_url(reverse("newsletters:unsubscribe", args=[unsubscribe_token(delivery, code)]))
    preferences = site_url(reverse("newsletters:preferences", args=[preferences_token(delivery.subscriber_id)]))
    domain = re.sub(r"^https?://|[:/].*$", "", settings.WAGTAILADMIN_BASE_URL) or "localhost"
    message = EmailMultiAlternatives(
        subject=one_line(send.subject),  # a send stored before subjects were made one line
        body=send.text.replace(UNSUBSCRIBE, unsubscribe).replace(PREFERENCES, preferences),
        to=[delivery.email],
        headers={
            "Message-ID": f"<newsletter-{send.pk}-{delivery.pk}@{domain}>",
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(
        send.html.replace(UNSUBSCRIBE, unsubscribe).replace(PREFERENCES, preferences), "text/html"
    )
    return message


class _TextWriter(HTMLParser):
    """HTML to readable plain text: paragraphs and headings on their own lines, links as text (address)."""

    BLOCKS = {"p", "div", "section", "article", "header", "footer", "h1", "h2", "h3", "h4", "li", "tr", "table", "br"}

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.href: list[str | None] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "head", "title"):
            self.skip += 1
        if tag in self.BLOCKS:
            self.parts.append("\n\n" if tag not in ("li", "br", "tr") else "\n")
        if tag == "li":
            self.parts.append("- ")
        if tag == "a":
            self.href.append(dict(attrs).get("href"))

    def handle_endtag(self, tag):
        if tag in ("style", "head", "title"):
            self.skip -= 1
        if tag == "a" and self.href:
            href = self.href.pop()
            if href and not href.startswith(("mailto:", "tel:")):
                self.parts.append(f" ({href})")
        if tag in ("h1", "h2", "h3"):
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    writer = _TextWriter()
    writer.feed(html)
    text = "".join(writer.parts)
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n[ \t]+", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


class MessageWriter:
    """Writes each recipient's copy of a send as raw MIME bytes for SMTP: everything common to
    every copy (headers, boundaries) is worked out once, and each copy only fills in its own
    address, Message-ID and links, then quoted-printable encodes its two bodies (in C).

    The same message as message_for() builds, about ten times faster than Python's email package,
    which is what the sending rate hangs on."""

    def __init__(self, send: Send, newsletter: NewsletterPage):
        self.send = send
        self.code = area_code(newsletter)
        # Each copy's links differ only in their tokens: the rest of each address is worked out once.
        self.unsubscribe_url = site_url(reverse("newsletters:unsubscribe", args=["TOKEN"]))
        self.preferences_url = site_url(reverse("newsletters:preferences", args=["TOKEN"]))
        self.sender = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
        subject = one_line(send.subject)  # a send stored before subjects were made one line
        if not subject.isascii():  # encoded words, a long one folded onto lines of its own
            subject = Header(subject, "utf-8").encode(linesep="\r\n")
        self.domain = re.sub(r"^https?://|[:/].*$", "", settings.WAGTAILADMIN_BASE_URL) or "localhost"
        self.boundary = f"==sn-{secrets.token_hex(12)}=="
        self.head = (
            f"From: {sanitize_address(settings.DEFAULT_FROM_EMAIL, 'utf-8')}\r\n"
            f"Subject: {subject}\r\n"
            f"Date: {formatdate(localtime=settings.EMAIL_USE_LOCALTIME)}\r\n"  # as Django dates message_for's
            "MIME-Version: 1.0\r\n"
            "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
            f'Content-Type: multipart/alternative; boundary="{self.boundary}"\r\n'
        )
        self.part = 'Content-Type: text/{}; charset="utf-8"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n'

    def envelope(self, delivery: Delivery) -> tuple[str, list[str], bytes]:
        """(sender, recipients, message bytes) for one delivery."""
        unsubscribe = self.unsubscribe_url.replace("TOKEN", unsubscribe_token(delivery, self.code))
        preferences = self.preferences_url.replace("TOKEN", preferences_token(delivery.subscriber_id))
        text = self.send.text.replace(UNSUBSCRIBE, unsubscribe).replace(PREFERENCES, preferences)
        html = self.send.html.replace(UNSUBSCRIBE, unsubscribe).replace(PREFERENCES, preferences)
        headers = (
            f"To: {sanitize_address(delivery.email, 'utf-8')}\r\n"
            f"Message-ID: <newsletter-{self.send.pk}-{delivery.pk}@{self.domain}>\r\n"
            f"List-Unsubscribe: <{unsubscribe}>\r\n"
        )
        data = b"".join(
            [
                (self.head + headers + "\r\n").encode(),
                f"--{self.boundary}\r\n{self.part.format('plain')}".encode(),
                _qp(text),
                f"\r\n--{self.boundary}\r\n{self.part.format('html')}".encode(),
                _qp(html),
                f"\r\n--{self.boundary}--\r\n".encode(),
            ]
        )
        return self.sender, [delivery.email], data


def _qp(text: str) -> bytes:
    encoded = binascii.b2a_qp(text.replace("\r\n", "\n").encode(), istext=True)
    return encoded.replace(b"\n", b"\r\n")
