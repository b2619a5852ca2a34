"""A newsletter issue as an email: rendered once per send from templates/emails/newsletters/issue/
(sn_site.emails: HTML with its CSS inlined, and that HTML as plain text), with only each
recipient's own links filled in per copy. Each copy is written by message_for() as Django's
message (any email backend), or by MessageWriter as the same message's bytes (SMTP, ten times
faster; tests/newsletters/test_raw_mime.py holds them to the same message)."""

import binascii
import secrets
from email.header import Header
from email.utils import formatdate, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import sanitize_address
from django.urls import reverse

from sn_site.emails import Rendered, email_message, email_render, one_line
from sn_site.links import site_hostname, site_url

from .models import Delivery, NewsletterPage, Send
from .selectors import area_code_of, newsletter_area
from .tokens import preferences_token, unsubscribe_token

UNSUBSCRIBE = "%%UNSUBSCRIBE_URL%%"
PREFERENCES = "%%PREFERENCES_URL%%"


def subject_for(subject: str) -> str:
    """The issue's subject line, short enough to keep (Send.subject)."""
    limit = Send._meta.get_field("subject").max_length
    return subject if len(subject) <= limit else subject[: limit - 1].rstrip() + "…"


def area_code(newsletter: NewsletterPage) -> str:
    """What links name the area a newsletter is for by (selectors.area_code_of)."""
    return area_code_of(newsletter_area(newsletter))


def issue_render(newsletter: NewsletterPage, *, test_copy: bool = False) -> Rendered:
    """The issue as an email for everyone (templates/emails/newsletters/issue/), with placeholders
    for each recipient's links; `test_copy`: its subject says it is a test."""
    area = newsletter.area_page()
    context = {
        "page": newsletter,
        "content": newsletter.content(),
        "web_url": site_url(newsletter.url or ""),
        "area_url": site_url(area.url or ""),
        "unsubscribe_url": UNSUBSCRIBE,
        "preferences_url": PREFERENCES,
        "email": True,
        "site_url": site_url(),
        "test_copy": test_copy,
    }
    rendered = email_render("newsletters/issue", context)
    return Rendered(subject_for(rendered.subject), rendered.text, rendered.html)


def copy_links(rendered: Rendered, *, unsubscribe: str, preferences: str) -> Rendered:
    """One recipient's copy of an issue rendered by issue_render: their own links in place of the
    placeholders."""
    return rendered.replace(UNSUBSCRIBE, unsubscribe).replace(PREFERENCES, preferences)


def _sent(send: Send) -> Rendered:
    return Rendered(send.subject, send.text, send.html)


def message_for(send: Send, delivery: Delivery, code: str) -> EmailMultiAlternatives:
    """One recipient's copy: the send's rendering with their own unsubscribe and preferences links
    (`code` from area_code()). The Message-ID is the delivery's, so any copy of it can be recognised."""
    token = unsubscribe_token(
        subscriber_id=delivery.subscriber_id, subscription_id=delivery.subscription_id, area_code=code
    )
    unsubscribe = site_url(reverse("newsletters:unsubscribe", args=[token]))
    preferences = site_url(reverse("newsletters:preferences", args=[preferences_token(delivery.subscriber_id)]))
    return email_message(
        copy_links(_sent(send), unsubscribe=unsubscribe, preferences=preferences),
        to=[delivery.email],
        headers={
            "Message-ID": f"<newsletter-{send.pk}-{delivery.pk}@{site_hostname()}>",
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


class MessageWriter:
    """Writes each recipient's copy of a send as raw MIME bytes for SMTP: everything common to
    every copy (headers, boundaries) is worked out once, and each copy only fills in its own
    address, Message-ID and links, then quoted-printable encodes its two bodies (in C).

    The same message as message_for() builds (tests/newsletters/test_raw_mime.py), about ten times
    faster than Python's email package, which is what the sending rate hangs on."""

    def __init__(self, send: Send, newsletter: NewsletterPage):
        self.send = send
        self.code = area_code(newsletter)
        # Each copy's links differ only in their tokens: the rest of each address is worked out once.
        self.unsubscribe_url = site_url(reverse("newsletters:unsubscribe", args=["TOKEN"]))
        self.preferences_url = site_url(reverse("newsletters:preferences", args=["TOKEN"]))
        # The envelope's addresses as Django's SMTP backend gives them (smtplib keeps the address
        # part): an internationalised domain in its ASCII form, which SMTP can carry.
        self.sender = parseaddr(sanitize_address(settings.DEFAULT_FROM_EMAIL, "utf-8"))[1]
        subject = one_line(send.subject)  # a send stored before subjects were made one line
        if not subject.isascii():  # encoded words, a long one folded onto lines of its own
            subject = Header(subject, "utf-8").encode(linesep="\r\n")
        self.domain = site_hostname()
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
        token = unsubscribe_token(
            subscriber_id=delivery.subscriber_id, subscription_id=delivery.subscription_id, area_code=self.code
        )
        unsubscribe = self.unsubscribe_url.replace("TOKEN", token)
        preferences = self.preferences_url.replace("TOKEN", preferences_token(delivery.subscriber_id))
        copy = copy_links(_sent(self.send), unsubscribe=unsubscribe, preferences=preferences)
        to = sanitize_address(delivery.email, "utf-8")
        headers = (
            f"To: {to}\r\n"
            f"Message-ID: <newsletter-{self.send.pk}-{delivery.pk}@{self.domain}>\r\n"
            f"List-Unsubscribe: <{unsubscribe}>\r\n"
        )
        data = b"".join(
            [
                (self.head + headers + "\r\n").encode(),
                f"--{self.boundary}\r\n{self.part.format('plain')}".encode(),
                _qp(copy.text),
                f"\r\n--{self.boundary}\r\n{self.part.format('html')}".encode(),
                _qp(copy.html),
                f"\r\n--{self.boundary}--\r\n".encode(),
            ]
        )
        return self.sender, [to], data


def _qp(text: str) -> bytes:
    encoded = binascii.b2a_qp(text.replace("\r\n", "\n").encode(), istext=True)
    return encoded.replace(b"\n", b"\r\n")
