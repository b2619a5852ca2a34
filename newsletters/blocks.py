"""The blocks a newsletter is built from. The automatic ones are filled when the issue is shown or
sent (NewsletterPage.content), so they are never out of date and never typed twice."""

from wagtail import blocks
from wagtail.rich_text import RichText

TEXT_FEATURES = ["bold", "italic", "link", "ul", "ol"]


class TextSection(blocks.StructBlock):
    heading = blocks.CharBlock(required=False, help_text="Optional.")
    text = blocks.RichTextBlock(features=TEXT_FEATURES)

    class Meta:
        template = "newsletters/blocks/text.html"
        icon = "doc-full"


class AutomaticSection(blocks.StructBlock):
    """A section filled from the ward's page; the editor only chooses its heading and an optional note."""

    heading = blocks.CharBlock()
    note = blocks.TextBlock(required=False, help_text="Optional: a sentence or two above the automatic part.")


class PrioritiesSection(AutomaticSection):
    class Meta:
        template = "newsletters/blocks/priorities.html"
        icon = "list-ul"
        help_text = "Filled in from the live priorities and their latest 'we did' updates."


class CrimeSection(AutomaticSection):
    class Meta:
        template = "newsletters/blocks/crime.html"
        icon = "warning"
        help_text = "Filled in from the Met's recorded crime figures: the latest 12 months and the biggest kinds."


class TeamSection(AutomaticSection):
    class Meta:
        template = "newsletters/blocks/team.html"
        icon = "group"
        help_text = "Filled in from the team on the ward page."


class MeetingsSection(AutomaticSection):
    class Meta:
        template = "newsletters/blocks/meetings.html"
        icon = "date"
        help_text = "Filled in from upcoming meetings."


class ContactSection(AutomaticSection):
    class Meta:
        template = "newsletters/blocks/contact.html"
        icon = "mail"
        help_text = "Filled in from the team's contact details, with 999 and 101."


class NewsletterBlocks(blocks.StreamBlock):
    welcome = TextSection(label="Welcome")
    priorities = PrioritiesSection(label="Your priorities and what we did")
    crime = CrimeSection(label="Crime in your area")
    team = TeamSection(label="Meet your team")
    meetings = MeetingsSection(label="Upcoming meetings")
    get_involved = TextSection(label="How to get involved")
    contact = ContactSection(label="How to contact us")
    text = TextSection(label="Text")


def default_body():
    """The good-practice issue: short welcome, what we did about your priorities, a short picture of
    crime in the area, the team, when to meet us, how to get involved, how to contact us."""
    return [
        (
            "welcome",
            {
                "heading": "",
                "text": RichText(
                    "<p>Welcome to your Safer Neighbourhoods newsletter: what we have been doing about the "
                    "problems you told us matter, and how to reach us.</p>"
                ),
            },
        ),
        ("priorities", {"heading": "Your priorities and what we did", "note": ""}),
        ("crime", {"heading": "Crime in your area", "note": ""}),
        ("team", {"heading": "Meet your team", "note": ""}),
        ("meetings", {"heading": "Come and meet us", "note": ""}),
        (
            "get_involved",
            {
                "heading": "How to get involved",
                "text": RichText(
                    "<p>Join your ward panel, which agrees our priorities, or answer our short online surveys. "
                    "Tell us what matters to you at any meeting, or by email.</p>"
                ),
            },
        ),
        ("contact", {"heading": "How to contact us", "note": ""}),
    ]
