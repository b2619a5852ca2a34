"""The local policing picture: London's geography and the borough and ward pages built on it."""

from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page, PagePermissionTester
from wagtail.search import index

from .maps import outline_drawing


class PoliceForce(models.TextChoices):
    METROPOLITAN = "metropolitan", "Metropolitan Police Service"
    CITY_OF_LONDON = "city-of-london", "City of London Police"


# Where to send people whose area another force polices.
FORCE_WEBSITES = {
    PoliceForce.METROPOLITAN: "https://www.met.police.uk/",
    PoliceForce.CITY_OF_LONDON: "https://www.cityoflondon.police.uk/",
}


class Borough(models.Model):
    """A London borough (ONS E09 code), imported from OS Code-Point Open and ONS outlines."""

    code = models.CharField(max_length=9, primary_key=True, help_text="ONS code, such as E09000033.")
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    police_force = models.CharField(max_length=20, choices=PoliceForce.choices, default=PoliceForce.METROPOLITAN)
    outline = models.JSONField(null=True, blank=True, help_text="GeoJSON geometry in WGS84.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Ward(models.Model):
    """An electoral ward (ONS E05 code). Each Met ward has its own Safer Neighbourhoods Team."""

    code = models.CharField(max_length=9, primary_key=True, help_text="ONS code, such as E05013806.")
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100)
    borough = models.ForeignKey(Borough, on_delete=models.PROTECT, related_name="wards")
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    outline = models.JSONField(null=True, blank=True, help_text="GeoJSON geometry in WGS84.")

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["borough", "slug"], name="ward_slug_unique_in_borough")]

    def __str__(self) -> str:
        return self.name


class Postcode(models.Model):
    """A live postcode unit with its position and ward, from OS Code-Point Open."""

    postcode = models.CharField(max_length=8, primary_key=True, help_text="Formatted, such as SW1A 1AA.")
    outward = models.CharField(max_length=4, db_index=True)
    sector = models.CharField(max_length=6, db_index=True)
    latitude = models.FloatField()
    longitude = models.FloatField()
    ward = models.ForeignKey(Ward, on_delete=models.PROTECT, related_name="postcodes")

    class Meta:
        indexes = [models.Index(fields=["latitude", "longitude"], name="postcode_position")]

    def __str__(self) -> str:
        return self.postcode


class TeamPagePermissions(PagePermissionTester):
    """Every Met borough and ward always has a team, so only administrators may delete their pages;
    officers may still create, edit and publish them."""

    def can_delete(self, ignore_bulk=False):
        return self.user.is_superuser and super().can_delete(ignore_bulk)


class BoroughIndexPage(Page):
    """Every borough and its wards on one page, for people who would rather browse than type a
    postcode. It lists the borough pages, which sit directly under the home page so that their
    addresses stay short (/westminster/)."""

    introduction = RichTextField(
        blank=True, features=["bold", "italic", "link"], help_text="A sentence or two above the list of boroughs."
    )

    content_panels = Page.content_panels + [FieldPanel("introduction")]
    parent_page_types = ["sn_site.HomePage"]
    subpage_types: list[str] = []
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["borough_pages"] = (
            BoroughPage.objects.live().select_related("borough").prefetch_related("borough__wards__page")
        )
        return context


class BoroughPage(Page):
    """One Met borough: the way in to its ward teams. Created by the page tree builder, one per
    borough the Met polices, and then kept by that borough's officers."""

    borough = models.OneToOneField(
        Borough,
        on_delete=models.PROTECT,
        related_name="page",
        help_text="The borough this page is for. It is set when the page is created and cannot be changed here.",
    )
    introduction = RichTextField(
        blank=True,
        features=["bold", "italic", "link", "ul"],
        help_text="A short welcome from the borough's neighbourhood policing team.",
    )

    content_panels = Page.content_panels + [FieldPanel("borough", read_only=True), FieldPanel("introduction")]
    search_fields = Page.search_fields + [index.SearchField("introduction")]
    parent_page_types = ["sn_site.HomePage"]
    subpage_types = ["priorities.WardPage"]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["ward_pages"] = WardPage.objects.live().child_of(self).select_related("ward").order_by("title")
        return context

    def permissions_for_user(self, user):
        return TeamPagePermissions(user, self)


class WardPage(Page):
    """One ward's Safer Neighbourhoods Team: the page a postcode search lands on."""

    ward = models.OneToOneField(
        Ward,
        on_delete=models.PROTECT,
        related_name="page",
        help_text="The ward this team covers. It is set when the page is created and cannot be changed here.",
    )
    introduction = RichTextField(
        blank=True,
        features=["bold", "italic", "link", "ul"],
        help_text="A short welcome from the team: who you are and how residents can reach you.",
    )

    content_panels = Page.content_panels + [FieldPanel("ward", read_only=True), FieldPanel("introduction")]
    search_fields = Page.search_fields + [index.SearchField("introduction")]
    parent_page_types = ["priorities.BoroughPage"]
    subpage_types: list[str] = []

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["ward_map"] = outline_drawing(self.ward.outline)
        return context

    def permissions_for_user(self, user):
        return TeamPagePermissions(user, self)
