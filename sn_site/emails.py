"""Every email the site sends is written in templates/emails/<name>/, and built here:

- subject.txt: the subject, made one line whatever it renders to;
- body.txt: the plain text;
- body.html, for an email with HTML: its CSS is inlined (mail programs drop <style>), and an email
  written only in HTML (no body.txt) has that HTML, read as text, for its plain text.

Text templates are rendered without HTML escaping (they are not HTML: a name like O'Brien stays as
typed); the HTML template with it, as any page."""

import re
from dataclasses import dataclass
from html.parser import HTMLParser

import css_inline
from django.core.mail import EmailMultiAlternatives
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str | None = None

    def replace(self, old: str, new: str) -> "Rendered":
        """The same email with `old` replaced by `new` in its bodies (each copy's own links)."""
        html = self.html.replace(old, new) if self.html is not None else None
        return Rendered(self.subject, self.text.replace(old, new), html)


def one_line(text: str) -> str:
    """Text for an email header, whatever an editor typed: every run of line breaks, tabs and other
    white space becomes one space. A title may hold CR/LF (Wagtail allows it), and in a header each
    line break would start a header of its own (a "Bcc:" to anyone) or stop the message being built."""
    return " ".join(text.split())


def _template(name: str, *, required: bool = True):
    """The email's template, or None if it has none (and need not)."""
    try:
        return get_template(name).template
    except TemplateDoesNotExist:
        if required:
            raise
        return None


def email_render(name: str, context: dict) -> Rendered:
    """The subject, text and HTML (None if it has none) of the email templates/emails/<name>/."""
    subject = _template(f"emails/{name}/subject.txt").render(Context(context, autoescape=False))
    html_template = _template(f"emails/{name}/body.html", required=False)
    text_template = _template(f"emails/{name}/body.txt", required=html_template is None)
    html = None
    if html_template is not None:
        html = css_inline.CSSInliner(keep_style_tags=False).inline(html_template.render(Context(context)))
    text = html_to_text(html) if text_template is None else text_template.render(Context(context, autoescape=False))
    return Rendered(one_line(subject), text, html)


def email_message(email: Rendered, *, to: list[str], **kwargs) -> EmailMultiAlternatives:
    """The message to send: its text, and its HTML as the alternative if it has one. `kwargs` as
    for Django's EmailMessage (reply_to, headers, connection)."""
    message = EmailMultiAlternatives(one_line(email.subject), email.text, to=to, **kwargs)
    if email.html is not None:
        message.attach_alternative(email.html, "text/html")
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
