"""Site-wide page types."""

from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page


class HomePage(Page):
    """The front door. It leads with the postcode box, because every visit starts with finding
    your own team; boroughs sit beneath it so their addresses stay short."""

    introduction = RichTextField(
        blank=True,
        features=["bold", "italic", "link"],
        help_text="One or two sentences under the postcode box saying what residents can do here.",
    )

    content_panels = Page.content_panels + [FieldPanel("introduction")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["priorities.BoroughPage", "priorities.BoroughIndexPage"]
    max_count = 1
