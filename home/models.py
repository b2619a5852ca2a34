"""The home page and the plain content pages."""

from django.db import models
from django.http import Http404
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from priorities.my_area import my_area_code
from priorities.selectors import remembered_area_for


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
    subpage_types = ["priorities.BoroughPage", "priorities.BoroughIndexPage", "home.ContentPage"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["my_area"] = remembered_area_for(my_area_code(request))
        return context

    def route(self, request, path_components):
        """As Wagtail routes, but a page on the way to one below it (a borough's page, on the way to
        a ward's) is taken as its own type with its fields left unread, where Wagtail reads them: a
        query fewer for the busiest pages, whose own routing needs only the page tree's fields."""
        if len(path_components) < 2:
            return super().route(request, path_components)
        try:
            subpage = self.get_children().get(slug=path_components[0])
        except Page.DoesNotExist as error:
            raise Http404 from error
        subpage._cached_parent_obj = self  # as Wagtail does, so that get_parent() needs no query
        return subpage.specific_deferred.route(request, path_components[1:])


class ContentPage(Page):
    """A plain page of words: the force's promises to the public, the accessibility statement, the
    privacy notice. Kept simple on purpose, so it reads well everywhere, screen readers included."""

    introduction = models.TextField(
        blank=True, max_length=400, help_text="One or two sentences saying what the page is for."
    )
    body = RichTextField(
        features=["h2", "h3", "bold", "italic", "link", "ol", "ul", "hr"],
        help_text="The page's text. Use headings to break it up, and write for someone reading on a phone.",
    )

    content_panels = Page.content_panels + [FieldPanel("introduction"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("introduction"), index.SearchField("body")]
    parent_page_types = ["home.HomePage", "home.ContentPage"]
    subpage_types = ["home.ContentPage"]

    @property
    def default_description(self) -> str:
        """For search engines, when the page has no search description or introduction."""
        return f"{self.title}: from London's Safer Neighbourhoods Teams."
