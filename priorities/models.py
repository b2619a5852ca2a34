"""The local policing picture: the borough and ward team pages, built on London's geography."""

import datetime
import hashlib
from dataclasses import dataclass, replace

from dateutil.relativedelta import relativedelta
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Length, Substr
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from modelcluster.queryset import FakeQuerySet
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting
from wagtail.fields import RichTextField
from wagtail.images.models import Image
from wagtail.models import Orderable, Page, PagePermissionTester, PageViewRestriction
from wagtail.permissions import policy_registry
from wagtail.search import index

from figures.sections import borough_crime_summary, confidence_section, crime_since, ward_crime_summary
from figures.selectors import PLAIN_NAMES, CrimeSeries, borough_confidence, crime_london, crime_months
from geography.maps import SiteMap, area_map, borough_map, london_map, shades_of, ward_map
from geography.models import FORCE_WEBSITES, Borough, PoliceForce, Postcode, Ward
from geography.postcodes import postcodes_in_text
from geography.selectors import AreaNotUnderstood, area_of, postcode_positions
from sn_site.compare import ComparedInlinePanel
from sn_site.page_cache import kept_until_published

from .feeds import FEED_LENGTH, UpdatesFeed, events_calendar
from .widgets import AreaDrawingWidget, PublishedArea


@register_setting(icon="site")
class ForceProfile(ClusterableModel, BaseGenericSetting):
    """How the force introduces itself in the open data, as police.uk's force description does.
    Only administrators can change it."""

    description = RichTextField(
        blank=True,
        features=["bold", "italic", "link", "ul"],
        help_text="A short description of the force and its neighbourhood policing, for apps that list forces.",
    )
    telephone = models.CharField(max_length=30, default="101", help_text="The non-emergency number.")
    website = models.URLField(default=FORCE_WEBSITES[PoliceForce.METROPOLITAN], help_text="The force's own website.")

    panels = [
        FieldPanel("description"),
        FieldPanel("telephone"),
        FieldPanel("website"),
        ComparedInlinePanel("engagement_methods", heading="Ways to get involved", label="Way to get involved"),
    ]

    class Meta:
        verbose_name = "force profile"


class EngagementMethod(Orderable):
    """A way the public can keep in touch with the force: a social media account, a newsletter."""

    profile = ParentalKey(ForceProfile, on_delete=models.CASCADE, related_name="engagement_methods")
    kind = models.CharField(
        max_length=30, help_text="One word for apps to pick an icon by, such as facebook, twitter, youtube or email."
    )
    title = models.CharField(max_length=100, help_text="Such as 'Metropolitan Police on Facebook'.")
    url = models.URLField(help_text="The full address, starting https://")
    description = models.TextField(blank=True, max_length=500, help_text="Optional. What people will find there.")

    panels = [FieldPanel("kind"), FieldPanel("title"), FieldPanel("url"), FieldPanel("description")]


# At most this many priorities are active in a ward at once: the ward panel's "up to three".
MAX_ACTIVE_PRIORITIES = 3


class WardPageForm(WagtailAdminPageForm):
    """Checks the whole page's priorities together, since the rule is about all of them. A team
    member's photo is one of the images the officer may choose (their own area's), or the one the
    member has already."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        team = self.formsets.get("team_members")
        if team is None or self.for_user is None:
            return
        choosable = policy_registry.get_by_type(Image).instances_user_has_any_permission_for(self.for_user, ["choose"])
        for form in team.forms:
            if "photo" in form.fields:
                form.fields["photo"].queryset = choosable | Image.objects.filter(pk=form.instance.photo_id)

    def clean(self):
        cleaned = super().clean()
        priorities = self.formsets.get("priorities")
        if priorities is not None:
            active = [
                form
                for form in priorities.forms
                if form.is_valid()
                and not priorities._should_delete_form(form)
                and form.cleaned_data.get("status") == Priority.Status.ACTIVE
            ]
            active_priorities_check(len(active))
        events = self.formsets.get("events")
        for form in events.forms if events is not None else ():
            # Only a meeting being added: meetings already on the page stay editable once past.
            new = form.instance.pk is None and form.has_changed() and form.is_valid()
            if new and not events._should_delete_form(form) and form.cleaned_data.get("starts_at"):
                try:
                    new_meeting_check(form.cleaned_data["starts_at"])
                except ValidationError as error:
                    form.add_error("starts_at", error.messages)
        return cleaned


def active_priorities_check(active: int) -> None:
    """The ward panel's "up to three", for every way a ward page's priorities are saved: the page
    form above and the officers' "Update my ward" (services.team_page_revise)."""
    if active > MAX_ACTIVE_PRIORITIES:
        raise ValidationError(
            f"A ward can have at most {MAX_ACTIVE_PRIORITIES} active priorities. Mark one as resolved "
            "or closed before you add another."
        )


def new_meeting_check(starts_at: datetime.datetime) -> None:
    """A meeting added to a ward page is one residents can still go to: not one that has already
    started. Meetings already on the page stay as they are, editable, once they are past; so this is
    checked where meetings are added (the page form above and "Update my ward"), not in the model."""
    if starts_at < timezone.now():
        raise ValidationError({"starts_at": "A new meeting must not start in the past: check the date and time."})


class PriorityCategory(models.Model):
    """The kinds of problem ward panels choose as priorities, so they can be compared across
    London. Seeded with the most common ones; administrators keep the list (a snippet, with a chooser
    officers search by name: wagtail_hooks)."""

    name = models.CharField(max_length=80, unique=True, help_text="As residents would say it, such as 'Speeding'.")
    crime_categories = models.TextField(
        "Recorded crime it matches",
        blank=True,
        help_text=(
            "The Met's recorded crime categories that measure this kind of problem, one per line, exactly as "
            "the Met names them: a major category (BURGLARY) or a minor one (RES BURGLARY OF A HOME). "
            "A priority's box then shows recorded crime of that kind since it was agreed. Leave empty for "
            "problems recorded crime does not measure, such as anti-social behaviour or parking."
        ),
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "priority categories"

    def __str__(self) -> str:
        return self.name

    def crime_names(self) -> set[str]:
        return {line.strip() for line in self.crime_categories.splitlines() if line.strip()}

    def clean(self):
        unknown = sorted(name for name in self.crime_names() if name not in PLAIN_NAMES)
        if unknown:
            message = f"Not a Met crime category: {', '.join(unknown)}. Check the spelling and capitals."
            raise ValidationError({"crime_categories": message})


class Priority(ClusterableModel, Orderable):
    """One of the (up to three) things a ward panel asked its team to work on, with what the team
    did about it: "We asked, you said, we did"."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active: the team is working on it"
        RESOLVED = "resolved", "Resolved"
        CLOSED = "closed", "Closed without being resolved"

    ward_page = ParentalKey("priorities.WardPage", on_delete=models.CASCADE, related_name="priorities")
    title = models.CharField(
        max_length=120, help_text="A short name residents will recognise, such as 'Speeding on Rye Lane'."
    )
    category = models.ForeignKey(
        PriorityCategory,
        on_delete=models.PROTECT,
        help_text="The kind of problem. Ask an administrator if none fits.",
    )
    you_said = models.TextField(
        "You said",
        help_text="What residents told you, in their words where you can: where, when and how it affects them.",
    )
    agreed_on = models.DateField(help_text="The date the ward panel agreed this priority.")
    review_by = models.DateField(
        blank=True,
        help_text="When the panel will look at it again: 3 to 12 months after it was agreed. Leave empty for 3 months.",
    )
    status = models.CharField(
        max_length=10,
        choices=Status.choices,
        default=Status.ACTIVE,
        help_text="Keep it active while you work on it. When you stop, say if it was resolved and fill in the outcome.",
    )
    outcome = models.TextField(
        blank=True,
        help_text="When you resolve or close a priority: what changed, or why it was closed. Residents will read this.",
    )

    panels = [
        FieldPanel("title"),
        FieldPanel("category"),
        FieldPanel("you_said"),
        MultiFieldPanel([FieldPanel("agreed_on"), FieldPanel("review_by")], heading="Dates"),
        FieldPanel("status"),
        FieldPanel("outcome"),
        ComparedInlinePanel("updates", heading="We did", label="Update"),
    ]

    class Meta(Orderable.Meta):
        verbose_name_plural = "priorities"

    def __str__(self) -> str:
        return self.title

    def clean(self):
        errors = {}
        if self.agreed_on and not self.review_by:
            self.review_by = self.agreed_on + relativedelta(months=3)
        if (
            self.agreed_on
            and self.review_by
            and not (
                self.agreed_on + relativedelta(months=3) <= self.review_by <= self.agreed_on + relativedelta(months=12)
            )
        ):
            errors["review_by"] = "Choose a review date 3 to 12 months after the priority was agreed."
        if self.status != self.Status.ACTIVE and not self.outcome.strip():
            errors["outcome"] = "Say what changed, or why the priority was closed, before you close it."
        if errors:
            raise ValidationError(errors)


# A few sentences: long enough for a month's work, short enough to read on a phone.
WE_DID_MAX_LENGTH = 1000


class PriorityUpdate(Orderable):
    """What the team did about a priority, and when: one line of "we did"."""

    priority = ParentalKey(Priority, on_delete=models.CASCADE, related_name="updates")
    date = models.DateField(default=datetime.date.today, help_text="When the team did it.")
    we_did = models.TextField(
        "We did",
        validators=[
            MaxLengthValidator(
                WE_DID_MAX_LENGTH,
                f"Keep “we did” to {WE_DID_MAX_LENGTH:,} characters or fewer (it has %(show_value)d).",
            )
        ],
        help_text=(
            "What the team did, plainly: 'Speed checks on Rye Lane on three mornings; 14 drivers warned.' "
            f"Up to {WE_DID_MAX_LENGTH:,} characters."
        ),
    )

    panels = [FieldPanel("date"), FieldPanel("we_did")]

    class Meta(Orderable.Meta):
        ordering = ["-date", "sort_order"]

    def __str__(self) -> str:
        return f"{self.date}: {self.we_did[:40]}"

    def clean(self):
        if self.date and self.date > timezone.localdate():
            raise ValidationError({"date": "The date of a “we did” update cannot be in the future."})

    # What the updates feed (feeds.py) says of it.

    def feed_title(self) -> str:
        return f"{self.priority.title}: we did"

    def feed_link(self) -> str:
        return f"{self.priority.ward_page.url}#priority-{self.priority_id}"

    def feed_id(self) -> str:
        return f"priority-update-{self.pk}"

    def feed_author(self) -> str:
        return self.priority.ward_page.team_name()


class TeamMember(Orderable):
    """Someone in a ward's Safer Neighbourhoods Team, as residents will meet them."""

    class Role(models.TextChoices):
        SERGEANT = "sergeant", "Sergeant"
        PC = "pc", "Police Constable"
        PCSO = "pcso", "Police Community Support Officer"
        SPECIAL = "special", "Special Constable"
        VOLUNTEER = "volunteer", "Volunteer"

    ward_page = ParentalKey("priorities.WardPage", on_delete=models.CASCADE, related_name="team_members")
    name = models.CharField(max_length=100, help_text="As residents will know you, such as 'PC Amira Khan'.")
    role = models.CharField(max_length=10, choices=Role.choices, help_text="Their role in the team.")
    photo = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=(
            "Optional. A friendly head-and-shoulders photo helps people recognise you. Choose one of your team's "
            "photos, or upload one (its description is read out to people who cannot see it)."
        ),
    )
    photo_alt = models.CharField(
        "Photo description",
        max_length=200,
        blank=True,
        help_text=(
            "Optional: what the photo shows, for people who cannot see it, such as 'PC Khan in uniform, smiling'. "
            "Leave it empty to use the description the photo was uploaded with."
        ),
    )
    bio = models.TextField(
        blank=True,
        max_length=600,
        help_text="Optional. A sentence or two: how long you have worked here, what you focus on.",
    )

    panels = [FieldPanel("name"), FieldPanel("role"), FieldPanel("photo"), FieldPanel("photo_alt"), FieldPanel("bio")]

    def clean(self):
        if self.photo_id and not self.photo_description:
            raise ValidationError({"photo_alt": "Describe the photo for people who cannot see it."})

    @property
    def photo_description(self) -> str:
        """The photo's text alternative: the one given here, or else the image's own description."""
        if self.photo is None:
            return ""
        return self.photo_alt.strip() or self.photo.description.strip()


class TeamLink(Orderable):
    """A place online where the team talks to residents: social media, a community forum."""

    ward_page = ParentalKey("priorities.WardPage", on_delete=models.CASCADE, related_name="team_links")
    label = models.CharField(max_length=60, help_text="What residents will see, such as 'X (Twitter)' or 'Facebook'.")
    url = models.URLField(help_text="The full address, starting https://")

    panels = [FieldPanel("label"), FieldPanel("url")]


class EventBase(Orderable):
    """A chance to meet the police: a ward panel meeting, a street briefing, a contact point."""

    class Kind(models.TextChoices):
        WARD_PANEL = "ward_panel", "Ward panel meeting"
        STREET_BRIEFING = "street_briefing", "Street briefing"
        CONTACT_POINT = "contact_point", "Contact point"
        OTHER = "other", "Other event"

    kind = models.CharField(
        max_length=20,
        choices=Kind.choices,
        default=Kind.CONTACT_POINT,
        help_text="What sort of meeting. The next ward panel meeting is also shown in the ward panel section.",
    )
    title = models.CharField(max_length=120, help_text="Such as 'Meet the team at Peckham Library'.")
    starts_at = models.DateTimeField(help_text="Date and start time (London time).")
    ends_at = models.DateTimeField(help_text="Date and finish time (London time).")
    place = models.CharField(
        max_length=200, help_text="Where, with a postcode: 'Peckham Library, 122 Peckham Hill St, SE15 5JR'."
    )
    accessibility = models.TextField(
        blank=True,
        help_text="How people can take part: step-free access, hearing loop, BSL interpreter on request, who to ask.",
    )

    panels = [
        FieldPanel("kind"),
        FieldPanel("title"),
        MultiFieldPanel([FieldPanel("starts_at"), FieldPanel("ends_at")], heading="When"),
        FieldPanel("place"),
        FieldPanel("accessibility"),
    ]

    class Meta(Orderable.Meta):
        abstract = True
        ordering = ["starts_at"]

    def __str__(self) -> str:
        return self.title

    def clean(self):
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "The finish time must be after the start time."})


class Event(EventBase):
    """A ward team's meeting or event."""

    ward_page = ParentalKey("priorities.WardPage", on_delete=models.CASCADE, related_name="events")

    class Meta(EventBase.Meta):
        pass


class BoroughEvent(EventBase):
    """A meeting or event for the whole borough, such as the borough's community engagement meeting."""

    borough_page = ParentalKey("priorities.BoroughPage", on_delete=models.CASCADE, related_name="events")

    class Meta(EventBase.Meta):
        pass


class BoroughNewsItem(Orderable):
    """A short piece of borough-wide news: an appeal, a result, a change residents should know about."""

    borough_page = ParentalKey("priorities.BoroughPage", on_delete=models.CASCADE, related_name="news")
    date = models.DateField(default=datetime.date.today, help_text="The date to show with it.")
    headline = models.CharField(max_length=120, help_text="Plain and specific: 'Burglaries down 20% in Camberwell'.")
    text = models.TextField(max_length=1200, help_text="A few sentences. Say what residents can do, if anything.")

    panels = [FieldPanel("date"), FieldPanel("headline"), FieldPanel("text")]

    class Meta(Orderable.Meta):
        ordering = ["-date", "sort_order"]

    def __str__(self) -> str:
        return self.headline


class YouSaidBase(Orderable):
    """A "You said" summary of what people told the team in an online survey, as a ward's page
    shows it. It is part of the page's content, and so of its revisions: it goes live as any other
    change to the page does, through the borough's sergeant approval where that is on. Put here by
    ward_panels' survey_summary_publish (that app's surveys are above this one, so `survey_id`
    names one without a foreign key)."""

    survey_id = models.PositiveIntegerField(null=True, blank=True, editable=False)
    title = models.CharField(max_length=150, help_text="The survey's title.")
    summary = models.TextField("You said", help_text="What people told the team, in a few sentences.")
    answered = models.PositiveIntegerField(help_text="How many people answered.")
    closed_on = models.DateField(help_text="When the survey closed.")
    informed_priority = models.ForeignKey(
        Priority,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The priority these answers informed, if any.",
    )

    panels = [FieldPanel("title"), FieldPanel("summary"), FieldPanel("answered"), FieldPanel("closed_on")]

    class Meta(Orderable.Meta):
        abstract = True
        ordering = ["-closed_on", "sort_order"]

    def __str__(self) -> str:
        return self.title


class WardYouSaid(YouSaidBase):
    ward_page = ParentalKey("priorities.WardPage", on_delete=models.CASCADE, related_name="survey_summaries")

    class Meta(YouSaidBase.Meta):
        verbose_name = "you said summary"


class BoroughYouSaid(YouSaidBase):
    """A borough-wide survey's summary: every ward page of the borough shows it."""

    borough_page = ParentalKey("priorities.BoroughPage", on_delete=models.CASCADE, related_name="survey_summaries")

    class Meta(YouSaidBase.Meta):
        verbose_name = "you said summary"


class TeamPagePermissions(PagePermissionTester):
    """Every Met borough and ward always has a team, so only administrators may delete their pages;
    officers may still create, edit and publish them."""

    def can_delete(self, ignore_bulk=False):
        return self.user.is_superuser and super().can_delete(ignore_bulk)


def pages_public(pages):
    """Published pages anyone may read: without a Wagtail view restriction (a password, signing in,
    or certain groups) on them or on a page above them. Everything the APIs, feeds, calendars and
    the postcode lookup show of a ward comes through this, so a private page shows nowhere else."""
    # One subquery (Wagtail's .public() reads every restriction first): no restriction on a page
    # whose tree path begins this page's, which is the page itself or one above it.
    restricted = PageViewRestriction.objects.annotate(length=Length("page__path")).filter(
        page__path=Substr(OuterRef("path"), 1, F("length"))
    )
    return pages.live().filter(~Exists(restricted))


def neighbourhoods_public(**where) -> list:
    """The public natural neighbourhood pages in some wards (as filtered: wards=, wards__borough=),
    by name, each once, in one query."""
    pages = pages_public(NeighbourhoodPage.objects.filter(**where)).distinct()
    return list(pages.order_by("title").only("title", "url_path"))


def ward_page_urls(codes) -> dict[str, str]:
    """The address of each public ward page among some wards, by ward code, in one query."""
    pages = pages_public(WardPage.objects.filter(ward__in=list(codes))).only("url_path", "ward")
    return {page.ward_id: page.get_url() for page in pages}


@dataclass(frozen=True)
class WardMap:
    """A ward page's map: the drawing, its numbered places (the team's base, meeting venues) and
    the neighbouring wards, linked where they have a public page."""

    drawing: SiteMap
    points: list
    neighbours: list[tuple[str, str]]  # (name, address or "")
    figure: str = ""  # the map with its key and source, rendered once with it (_ward_map_build)

    @property
    def description(self) -> str:
        """The map in words, for people who cannot see it."""
        focus = self.drawing.focus.name if self.drawing.focus else "The ward"
        words = f"{focus} ward, shaded"
        if self.neighbours:
            words += ", next to " + ", ".join(name for name, _ in self.neighbours)
        if self.points:
            words += ". Numbered on the map: " + "; ".join(f"{p.number}, {p.label}" for p in self.points)
        return words + ". A scale bar shows " + self.drawing.scale_bar.label + "."


@dataclass(frozen=True)
class WardSections:
    """What a ward page shows that changes only with a publish or an import (WardPage.ward_sections)."""

    ward: Ward
    crime_section: str  # the "Crime in ..." section, rendered
    crime_series: CrimeSeries | None  # for its priorities' figures; None when no figures are held
    neighbourhoods: list  # the public natural neighbourhoods in the ward


def _ward_map(ward: Ward, base_address: str, events) -> WardMap | bool:
    """The ward's map, with its places: kept until a page is published or the geography imported
    (either can change it); False when the ward has no outline."""
    places = [("Team base: " + base_address.splitlines()[0], base_address)] if base_address.strip() else []
    places += [(event.place, event.place) for event in events]
    key = hashlib.sha256(repr(places).encode()).hexdigest()[:16]
    return kept_until_published(f"ward-map:{ward.code}:{key}", lambda: _ward_map_build(ward, places))


def _ward_map_build(ward: Ward, places: list[tuple[str, str]]) -> WardMap | bool:
    drawing = ward_map(ward.code)
    if drawing is None:
        return False
    drawing = drawing.linked(ward_page_urls([shape.code for shape in drawing.shapes if shape.neighbour]))
    wanted = [(label, postcodes_in_text(text)[:1]) for label, text in places]
    positions = postcode_positions(found[0] for _, found in wanted if found)
    # Places at one postcode (a base whose building hosts the meetings) share a point and a number.
    at_postcode: dict[str, list[str]] = {}
    for label, found in wanted:
        if found and found[0] in positions:
            at_postcode.setdefault(found[0], []).append(label)
    located = [("; ".join(dict.fromkeys(labels)), *positions[postcode]) for postcode, labels in at_postcode.items()]
    neighbours = sorted(
        (f"{shape.name} ({shape.borough})" if shape.borough else shape.name, shape.url)
        for shape in drawing.shapes
        if shape.neighbour
    )
    found = WardMap(drawing, drawing.points(located), neighbours)
    figure = render_to_string("priorities/includes/ward_map.html", {"ward_map": found, "ward": ward})
    return replace(found, figure=mark_safe(figure.strip()))  # noqa: S308 (rendered by our own template)


def _with_updates(priorities) -> list[Priority]:
    """Priorities with their "we did" updates fetched in one query. A page made from a revision (a
    preview, a sergeant's review) holds them in memory already, new ones with no id to fetch by."""
    if isinstance(priorities, FakeQuerySet):
        return list(priorities)
    return list(priorities.select_related("category").prefetch_related("updates"))


YOU_SAID_SHOWN = 3


class BoroughIndexPage(Page):
    """Every borough and its wards on one page, for people who would rather browse than type a
    postcode. It lists the borough pages, which sit directly under the home page so that their
    addresses stay short (/westminster/)."""

    introduction = RichTextField(
        blank=True, features=["bold", "italic", "link"], help_text="A sentence or two above the list of boroughs."
    )

    content_panels = Page.content_panels + [FieldPanel("introduction")]
    parent_page_types = ["home.HomePage"]
    subpage_types: list[str] = []
    max_count = 1
    # For search engines, when the page has no search description or introduction.
    default_description = "Every London borough and its wards, each with its own Safer Neighbourhoods Team."

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["borough_pages"] = borough_pages = list(
            BoroughPage.objects.live().select_related("borough").prefetch_related("borough__wards__page")
        )
        context["london_map"] = kept_until_published("london-map", lambda: self._london_map_build(borough_pages))
        context["city_police"] = FORCE_WEBSITES[PoliceForce.CITY_OF_LONDON]
        return context

    @staticmethod
    def _london_map_build(borough_pages) -> SiteMap | bool:
        drawing = london_map()
        if drawing is None:
            return False
        urls = {page.borough_id: page.get_url() for page in borough_pages}
        # A borough another force polices (the City of London) links to that force's website.
        others = Borough.objects.exclude(police_force=PoliceForce.METROPOLITAN).values_list("code", "police_force")
        urls.update({code: FORCE_WEBSITES[force] for code, force in others})
        return drawing.linked(urls)


class TeamPage(RoutablePageMixin, Page):
    """What a borough's page and a ward's page share: a short introduction and the team's shared
    email address (each kind of page gives them its own help: shared_field), search by the
    introduction, the upcoming meetings in its context, the feeds below it, calendar/ (meetings,
    iCalendar) and updates/ ("we did" updates, Atom), and that only administrators delete it."""

    introduction = RichTextField(blank=True, features=["bold", "italic", "link", "ul"])
    email = models.EmailField(blank=True)

    search_fields = Page.search_fields + [index.SearchField("introduction")]

    class Meta:
        abstract = True

    @classmethod
    def shared_field(cls, name: str, help_text: str) -> models.Field:
        """One of the fields above, with the help an editor of this kind of page reads beside it."""
        field = cls._meta.get_field(name).clone()
        field.help_text = help_text
        return field

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["upcoming_events"] = self.events_upcoming()
        return context

    def events_upcoming(self) -> list:
        """The team's meetings that have not finished yet, soonest first."""
        return list(self.events.filter(ends_at__gte=timezone.now()))

    def permissions_for_user(self, user):
        return TeamPagePermissions(user, self)

    def get_view_restrictions(self):
        """Wagtail's, in one query where it takes two (the pages above, then their restrictions):
        the restrictions on this page and every page above it, found by their tree paths; an
        alias's being its original's, as in Wagtail."""
        prefixes = [self.path[:end] for end in range(self.steplen, len(self.path) + 1, self.steplen)]
        on_the_way = Page.objects.filter(path__in=prefixes)
        return PageViewRestriction.objects.filter(
            Q(page__in=on_the_way.filter(alias_of__isnull=True))
            | Q(page__in=on_the_way.filter(alias_of__isnull=False).values("alias_of"))
        )

    @path("calendar/", name="events_calendar")
    def events_ics(self, request):
        return events_calendar(request, self)

    @path("updates/", name="updates_feed")
    def updates_feed(self, request):
        return UpdatesFeed()(request, page=self)

    # What the feeds (feeds.py) show of this page: each kind of page says.

    def feed_ward_pages(self) -> list:
        """The ward pages whose meetings and updates the feeds carry."""
        raise NotImplementedError

    def feed_events(self, since) -> list:
        """(meeting, the page it is on) for the meetings ending after `since`, soonest first."""
        wards = {page.pk: page for page in self.feed_ward_pages()}
        events = [
            (event, wards[event.ward_page_id])
            for event in Event.objects.filter(ward_page__in=list(wards), ends_at__gte=since)
        ]
        return sorted(events, key=lambda pair: pair[0].starts_at)

    def feed_updates(self) -> list:
        """The latest "we did" updates, newest first: on the feed's wards' priorities, and those of
        the natural neighbourhoods in them."""
        wards = [page.pk for page in self.feed_ward_pages()]
        on_priorities = (
            PriorityUpdate.objects.filter(priority__ward_page__in=wards)
            .select_related("priority", "priority__ward_page")
            .order_by("-date", "-pk")
        )
        in_neighbourhoods = self.feed_neighbourhood_updates(wards)
        updates = list(on_priorities[:FEED_LENGTH]) + list(in_neighbourhoods[:FEED_LENGTH])
        return sorted(updates, key=lambda update: update.date, reverse=True)[:FEED_LENGTH]

    def feed_neighbourhood_updates(self, ward_pages: list[int]):
        """The updates of the public natural neighbourhoods in some ward pages' wards."""
        neighbourhoods = pages_public(NeighbourhoodPage.objects.filter(wards__page__in=ward_pages)).distinct()
        return (
            NeighbourhoodUpdate.objects.filter(page__in=neighbourhoods.values("pk"))
            .select_related("page")
            .order_by("-date", "-pk")
        )

    def team_name(self) -> str:
        raise NotImplementedError

    def calendar_file_name(self) -> str:
        """Named after the area (ward names repeat across London): not after the page's address,
        which editors may change."""
        raise NotImplementedError


BOROUGH_NEWS_SHOWN = 5


class BoroughPage(TeamPage):
    """One Met borough: the way in to its ward teams. Created by the page tree builder, one per
    borough the Met polices, and then kept by that borough's officers."""

    borough = models.OneToOneField(
        Borough,
        on_delete=models.PROTECT,
        related_name="page",
        help_text="The borough this page is for. It is set when the page is created and cannot be changed here.",
    )
    introduction = TeamPage.shared_field(
        "introduction", "A short welcome from the borough's neighbourhood policing team."
    )
    commander_name = models.CharField(
        max_length=100,
        blank=True,
        help_text="The borough commander, as residents will know them: 'Chief Superintendent Jo Bloggs'.",
    )
    commander_role = models.CharField(
        max_length=150, blank=True, help_text="Their job, such as 'Commander, Central South Basic Command Unit'."
    )
    sergeant_approval = models.BooleanField(
        default=False,
        help_text=(
            "When ticked, officers' changes to this borough's pages go to a sergeant for approval before "
            "residents see them. Sergeants can always publish."
        ),
    )
    commander_message = models.TextField(
        blank=True,
        max_length=1500,
        help_text="A short message from the commander to residents: plain words, no jargon.",
    )
    email = TeamPage.shared_field(
        "email",
        "The borough team's shared email address (not a personal one). Replies to ward panel survey "
        "emails come here when a ward's page gives no email address.",
    )

    content_panels = Page.content_panels + [
        FieldPanel("borough", read_only=True),
        FieldPanel("introduction"),
        MultiFieldPanel(
            [FieldPanel("commander_name"), FieldPanel("commander_role"), FieldPanel("commander_message")],
            heading="Borough commander",
        ),
        FieldPanel("email"),
        ComparedInlinePanel("events", heading="Borough-wide meetings and events", label="Event"),
        ComparedInlinePanel("news", heading="Borough news", label="News item"),
        ComparedInlinePanel(
            "survey_summaries",
            heading="You said: borough-wide survey summaries",
            label="Summary",
            help_text="Put here from a survey's 'Put the summary on the ward page'; every ward page shows them.",
        ),
    ]
    settings_panels = Page.settings_panels + [FieldPanel("sergeant_approval")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["priorities.WardPage", "priorities.NeighbourhoodPage", "newsletters.NewsletterPage"]

    def get_context(self, request, *args, **kwargs):
        """Every ward with its active priorities at a glance, optionally only those with a priority
        in one category (?category=<id>)."""
        context = super().get_context(request, *args, **kwargs)
        # A private ward (a password, signing in) is left out: its priorities are not for everyone.
        ward_pages = list(pages_public(WardPage.objects.child_of(self)).only("title", "url_path").order_by("title"))
        active = (
            Priority.objects.filter(ward_page__in=[page.pk for page in ward_pages], status=Priority.Status.ACTIVE)
            .select_related("category")
            .order_by("sort_order", "pk")
        )
        priorities_of: dict[int, list] = {page.pk: [] for page in ward_pages}
        for priority in active:
            priorities_of[priority.ward_page_id].append(priority)
        categories = sorted({p.category for ps in priorities_of.values() for p in ps}, key=lambda c: c.name)
        chosen = next((c for c in categories if str(c.pk) == request.GET.get("category")), None)
        context["categories"] = categories
        context["chosen_category"] = chosen
        context["wards"] = [
            (page, priorities_of[page.pk])
            for page in ward_pages
            if chosen is None or any(p.category_id == chosen.pk for p in priorities_of[page.pk])
        ]
        context["news"] = self.news.all()[:BOROUGH_NEWS_SHOWN]
        context["wards_map"] = self.wards_map()
        context["confidence_section"] = self.confidence_section()
        context["crime_held"] = bool(crime_months())
        return context

    def confidence_section(self) -> str:
        """What the borough's residents told the Public Attitude Survey, as the page shows it,
        rendered (eight charts and their tables, most of the page's work): it changes only when the
        survey's figures or the geography are imported, each of which starts the pages' generation
        afresh, so it is built once and kept. Empty where no figures are held."""
        return kept_until_published(f"borough-confidence:{self.borough_id}", self._confidence_section_build)

    def _confidence_section_build(self) -> str:
        confidence = confidence_section(self.borough_id, self.borough.name)
        if confidence is None:
            return ""
        section = render_to_string("figures/includes/borough_confidence.html", {"confidence": confidence})
        return mark_safe(section)  # noqa: S308 (rendered by our own template)

    def wards_map(self) -> dict | bool:
        """The borough's wards on a map, each linked to its page, shaded by the crimes recorded in
        each in the latest 12 months when the figures are held; with the key and the figures. Kept
        until a page is published or figures imported."""
        return kept_until_published(f"borough-map:{self.borough_id}", self._wards_map_build)

    def _wards_map_build(self) -> dict | bool:
        drawing = borough_map(self.borough_id)
        if drawing is None:
            return False
        urls = ward_page_urls([shape.code for shape in drawing.shapes])
        london = crime_london() if self.borough.police_force == PoliceForce.METROPOLITAN else {"months": []}
        crimes = {shape.code: london["ward_last_12"].get(shape.code, 0) for shape in drawing.shapes}
        shades, key = shades_of(crimes) if london["months"] else ({}, [])
        figures = sorted(
            ((shape.name, urls.get(shape.code, ""), crimes[shape.code]) for shape in drawing.shapes),
            key=lambda row: (-row[2], row[0]),
        )
        months = london["months"][-12:]
        description = f"The {len(drawing.shapes)} wards of {self.title}"
        if shades:
            description += (
                ", shaded by the crimes recorded in each in the latest 12 months; the table gives the figures"
            )
        return {
            "description": description + ".",
            "drawing": drawing.linked(urls, shades),
            "key": key,
            "figures": figures if shades else [],
            "months": (months[0], months[-1]) if months else None,
        }

    def neighbourhoods(self) -> list:
        """The public natural neighbourhoods in its wards, those reaching in from next door too."""
        return neighbourhoods_public(wards__borough=self.borough_id)

    @property
    def default_description(self) -> str:
        """For search engines, when the page has no search description or introduction."""
        return (
            f"The Safer Neighbourhoods Teams of {self.title}: what each ward's team is working on, "
            "borough-wide meetings and news."
        )

    @path("crime/", name="crime")
    def crime(self, request):
        """The borough's recorded crime, and its wards ranked by crimes in the latest 12 months."""
        crime = borough_crime_summary(self.borough_id)
        if crime is None:
            raise Http404
        pages = {page.ward_id: page for page in pages_public(WardPage.objects.child_of(self)).only("url_path", "ward")}
        return self.render(
            request,
            context_overrides={"crime": crime, "wards": [(ward, pages.get(ward.code)) for ward in crime.wards]},
            template="priorities/borough_page_crime.html",
        )

    def feed_ward_pages(self) -> list:
        return list(pages_public(WardPage.objects.child_of(self)))

    def feed_events(self, since) -> list:
        """Its wards' meetings and the borough's own."""
        own = [(event, self) for event in self.events.filter(ends_at__gte=since)]
        return sorted(super().feed_events(since) + own, key=lambda pair: pair[0].starts_at)

    def team_name(self) -> str:
        return f"{self.title} Safer Neighbourhoods Teams"

    def calendar_file_name(self) -> str:
        return f"{slugify(self.borough.name)}-borough-meetings.ics"


class WardPage(TeamPage):
    """One ward's Safer Neighbourhoods Team: the page a postcode search lands on. Its past
    priorities, with what came of them, are at /past-priorities/ below it."""

    ward = models.OneToOneField(
        Ward,
        on_delete=models.PROTECT,
        related_name="page",
        help_text="The ward this team covers. It is set when the page is created and cannot be changed here.",
    )
    introduction = TeamPage.shared_field(
        "introduction", "A short welcome from the team: who you are and how residents can reach you."
    )
    base_address = models.TextField(
        "Team base",
        blank=True,
        help_text="Where the team works from, with its postcode. Say if it is not open to the public.",
    )
    email = TeamPage.shared_field("email", "The team's shared email address (not a personal one).")
    phone = models.CharField(max_length=30, blank=True, help_text="The team's phone number, such as 020 7230 1212.")
    ward_panel_how_to_join = models.TextField(
        "How to join the ward panel",
        blank=True,
        help_text="Who can join the ward panel and how: residents, businesses, community groups; who to contact.",
    )

    content_panels = Page.content_panels + [
        FieldPanel("ward", read_only=True),
        FieldPanel("introduction"),
        ComparedInlinePanel("team_members", heading="The team", label="Team member"),
        MultiFieldPanel(
            [
                FieldPanel("base_address"),
                FieldPanel("email"),
                FieldPanel("phone"),
                ComparedInlinePanel("team_links", label="Link"),
            ],
            heading="Contact the team",
        ),
        ComparedInlinePanel("events", heading="Meetings and events", label="Event"),
        FieldPanel("ward_panel_how_to_join"),
        ComparedInlinePanel(
            "priorities",
            heading="Priorities",
            label="Priority",
            help_text=f"Up to {MAX_ACTIVE_PRIORITIES} active priorities, as agreed with the ward panel.",
        ),
        ComparedInlinePanel(
            "survey_summaries",
            heading="You said: survey summaries",
            label="Summary",
            help_text="Put here from a survey's 'Put the summary on the ward page'.",
        ),
    ]
    search_fields = TeamPage.search_fields + [
        index.RelatedFields(
            "priorities",
            [
                index.SearchField("title"),
                index.SearchField("you_said"),
                # Residents search for the kind of problem ("burglary") as often as for its details.
                index.RelatedFields("category", [index.SearchField("name")]),
                index.RelatedFields("updates", [index.SearchField("we_did")]),
            ],
        ),
    ]
    parent_page_types = ["priorities.BoroughPage"]
    subpage_types = ["newsletters.NewsletterPage"]  # the ward's newsletter archive
    base_form_class = WardPageForm

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        sections = self.ward_sections(request)
        context["ward"] = ward = sections.ward
        context["crime_section"] = sections.crime_section
        context["active_priorities"] = self.priorities_active()
        if sections.crime_series is not None:
            for priority in context["active_priorities"]:
                names = priority.category.crime_names() if priority.category_id else set()
                priority.crime = crime_since(sections.crime_series, names, priority.agreed_on)
        context["team_members"] = self.team()
        context["ward_map"] = _ward_map(ward, self.base_address, context["upcoming_events"])
        context["neighbourhoods"] = sections.neighbourhoods
        context["you_said"] = self.you_said_shown  # a query only where a template shows them
        context["next_ward_panel"] = next(
            (event for event in context["upcoming_events"] if event.kind == Event.Kind.WARD_PANEL), None
        )
        return context

    def neighbourhoods(self) -> list:
        """The public natural neighbourhoods in the ward."""
        return neighbourhoods_public(wards=self.ward_id)

    def ward_sections(self, request) -> "WardSections":
        """The ward (with its borough), the page's "Crime in ..." section rendered, and its natural
        neighbourhoods. They change only when a page is published (this page, its borough's, a
        neighbourhood's), made private or public, or the geography, crime or survey figures are
        imported, each of which starts the pages' generation afresh, and with the month (figures
        "out of date"): so they are built once and kept, not queried and rendered on every request.
        A preview (a page made from a revision) builds its own."""
        if getattr(request, "is_preview", False):
            return self._ward_sections_build(request)
        month = timezone.localdate().strftime("%Y-%m")
        key = f"ward-sections:{self.pk}:{month}:{request.get_host()}"
        return kept_until_published(key, lambda: self._ward_sections_build(request))

    def _ward_sections_build(self, request) -> "WardSections":
        ward = Ward.objects.select_related("borough").defer("borough__outline").get(pk=self.ward_id)
        crime = ward_crime_summary(ward.code, ward.borough_id)
        section = render_to_string(
            "priorities/includes/crime.html",
            {
                "page": self,
                "ward": ward,
                "crime": crime,
                "borough_url": self.url[: self.url.rstrip("/").rfind("/") + 1],  # its parent is its borough's page
                "borough_confidence": borough_confidence(ward.borough_id) is not None,
                "request": request,
            },
        )
        return WardSections(
            ward=ward,
            crime_section=mark_safe(section),  # noqa: S308 (rendered by our own template)
            crime_series=crime.series if crime is not None else None,
            neighbourhoods=self.neighbourhoods(),
        )

    @property
    def default_description(self) -> str:
        """For search engines, when the page has no search description or introduction."""
        return (
            f"The {self.title} Safer Neighbourhoods Team: who they are, what they are working on because "
            "residents asked, and when to meet them."
        )

    @path("past-priorities/", name="past_priorities")
    def past_priorities(self, request):
        """Every priority the ward has resolved or closed, newest first, with what came of it."""
        return self.render(
            request,
            context_overrides={"past_priorities": self.priorities_past(), "ward": self.ward},
            template="priorities/ward_page_past_priorities.html",
        )

    @path("crime/", name="crime")
    def crime(self, request):
        """The ward's recorded crime in full: every category, month by month."""
        ward = Ward.objects.select_related("borough").get(pk=self.ward_id)
        summary = ward_crime_summary(ward.code, ward.borough_id)
        if summary is None:
            raise Http404
        return self.render(
            request,
            context_overrides={"ward": ward, "crime": summary},
            template="priorities/ward_page_crime.html",
        )

    def team(self) -> list[TeamMember]:
        """The team as the page shows it, with their photos' renditions."""
        return list(self.team_members.select_related("photo").prefetch_related("photo__renditions"))

    def priorities_active(self) -> list[Priority]:
        """The active priorities, each with its category and "we did" updates (newest first)."""
        return _with_updates(self.priorities.filter(status=Priority.Status.ACTIVE))

    def priorities_past(self) -> list[Priority]:
        """The resolved and closed priorities, most recently agreed first."""
        return _with_updates(self.priorities.exclude(status=Priority.Status.ACTIVE).order_by("-agreed_on", "pk"))

    def you_said_shown(self) -> list[dict]:
        """The latest "You said" survey summaries the page shows, newest first: its own and its
        borough page's (for surveys of every ward in the borough), in one query."""
        fields = ("title", "summary", "answered", "closed_on", "informed_priority_id", "informed_priority__title")
        borough = (
            BoroughYouSaid.objects.filter(borough_page__path=self.path[: -Page.steplen]).order_by().values(*fields)
        )
        drafted = self.survey_summaries.all()
        if isinstance(drafted, FakeQuerySet):  # a page made from a revision (a preview): its own, in memory
            own = [
                {
                    **{name: getattr(summary, name) for name in fields[:5]},
                    "informed_priority__title": summary.informed_priority.title if summary.informed_priority else None,
                }
                for summary in drafted
            ]
            return sorted(own + list(borough), key=lambda row: row["closed_on"], reverse=True)[:YOU_SAID_SHOWN]
        own = WardYouSaid.objects.filter(ward_page=self).order_by().values(*fields)
        return list(own.union(borough, all=True).order_by("-closed_on")[:YOU_SAID_SHOWN])

    def feed_ward_pages(self) -> list:
        return [self]

    def team_name(self) -> str:
        return f"{self.title} Safer Neighbourhoods Team"

    def calendar_file_name(self) -> str:
        return f"{slugify(self.ward.name)}-ward-{slugify(self.ward.borough.name)}-meetings.ics"


# Natural neighbourhoods ---------------------------------------------------------------------------


class NeighbourhoodPageForm(WagtailAdminPageForm):
    """The ways its people prefer to hear from the police as tick boxes; its officers chosen from
    the teams of its borough and of the wards it reaches; its area understood before it is saved, so
    that a postcode nobody can find is said at once, not on publishing."""

    hear_by = forms.MultipleChoiceField(
        label="How people here prefer to hear from the police",
        choices=lambda: NeighbourhoodPage.HearBy.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        borough_page = self.instance.get_parent() if self.instance.pk else self.parent_page
        wards = set(WardPage.objects.child_of(borough_page).values_list("pk", flat=True) if borough_page else [])
        if self.instance.pk:
            wards |= set(WardPage.objects.filter(ward__in=self.instance.wards.all()).values_list("pk", flat=True))
        officers = self.fields["officers"]
        officers.queryset = (
            TeamMember.objects.filter(ward_page__in=wards)
            .select_related("ward_page")
            .order_by("ward_page__title", "sort_order")
        )
        officers.label_from_instance = lambda member: f"{member.name} ({member.ward_page.title} team)"
        self._area_map_prepare(borough_page)

    def _area_map_prepare(self, borough_page: Page | None) -> None:
        """The drawing's map: the wards of its borough and those it reaches beneath it, and what its
        published page's area holds now (written on publishing, so read from the page's row, not
        from the draft being edited)."""
        drawing = self.fields["area_drawing"].widget
        if not isinstance(drawing, AreaDrawingWidget):
            return
        reached = list(self.instance.wards.values_list("code", flat=True)) if self.instance.pk else []
        borough = BoroughPage.objects.filter(pk=getattr(borough_page, "pk", None)).values("borough")
        drawing.wards = list(
            Ward.objects.filter(models.Q(borough__in=borough) | models.Q(code__in=reached))
            .exclude(outline=None)
            .values_list("name", "outline")
        )
        live = NeighbourhoodPage.objects.filter(pk=self.instance.pk, live=True).values_list("outline", flat=True)
        if self.instance.pk and live.exists():
            drawing.published = PublishedArea(
                outline=live.first(),
                postcodes=NeighbourhoodPostcode.objects.filter(page=self.instance.pk).count(),
                ward_names=tuple(self.instance.wards.order_by("name").values_list("name", flat=True)),
            )

    def clean(self):
        cleaned = super().clean()
        try:
            area = area_of(listed=cleaned.get("area_postcodes", ""), drawing=cleaned.get("area_drawing"), outline=False)
        except AreaNotUnderstood as problem:
            self.add_error("area_drawing" if "drawn area" in str(problem) else "area_postcodes", str(problem))
        else:
            if area.not_found:
                self.add_error("area_postcodes", f"We could not find these in London: {', '.join(area.not_found)}.")
        slug = cleaned.get("slug")
        if slug and NeighbourhoodPage.objects.filter(slug=slug).exclude(pk=self.instance.pk).exists():
            self.add_error("slug", "Another natural neighbourhood has this address: each needs its own.")
        return cleaned


class NeighbourhoodPage(TeamPage):
    """A natural neighbourhood: a place its people name themselves (an estate, a high street, the
    streets around a park or a school), with the officers dedicated to it, its own "we did" updates
    and meetings, and its own newsletter. It may cross ward and borough boundaries; it sits under
    one borough's page, whose officers keep it under the borough's approval setting. Its area is a
    set of postcodes (listed, or inside a drawing), worked out when it is published
    (services.neighbourhood_area_refresh): the lookup names it for each of them."""

    class HearBy(models.TextChoices):
        NEWSLETTER = "newsletter", "Newsletter by email"
        PANEL = "panel", "Ward panel and its surveys"
        STREET_MEETING = "street_meeting", "Street meetings"
        SOCIAL_MEDIA = "social_media", "Social media"
        NOTICEBOARD = "noticeboard", "Noticeboards and leaflets"

    introduction = TeamPage.shared_field(
        "introduction",
        "The place in its people's words: the estate, the high street, the park, the school, what they share.",
    )
    email = TeamPage.shared_field("email", "Where residents can write to its officers (a shared address).")
    officers = ParentalManyToManyField(
        "priorities.TeamMember",
        blank=True,
        related_name="neighbourhoods",
        help_text="The officers dedicated to this neighbourhood, from its borough's ward teams and those it reaches.",
    )
    hear_by = models.JSONField(default=list, blank=True)
    area_postcodes = models.TextField(
        "Postcodes and sectors",
        blank=True,
        help_text="Full postcodes (SE15 4NB) or postcode sectors (SE15 4), one per line or separated by commas.",
    )
    area_drawing = models.JSONField(
        "Drawn area",
        null=True,
        blank=True,
        help_text=(
            "Every postcode inside it is taken. Draw it on the map, or paste a GeoJSON polygon (longitude "
            "first, as GeoJSON is written)."
        ),
    )
    # Worked out on publishing (services.neighbourhood_area_refresh), never typed.
    outline = models.JSONField(null=True, blank=True, editable=False, help_text="GeoJSON in WGS84, derived.")
    wards = models.ManyToManyField(Ward, blank=True, editable=False, related_name="neighbourhood_pages")

    content_panels = Page.content_panels + [
        FieldPanel("introduction"),
        FieldPanel("officers", widget=forms.CheckboxSelectMultiple),
        FieldPanel("hear_by"),
        FieldPanel("email"),
        MultiFieldPanel(
            [FieldPanel("area_postcodes"), FieldPanel("area_drawing", widget=AreaDrawingWidget)],
            heading="Its area",
            help_text="List postcodes or sectors, draw the area, or both: it is every postcode they hold.",
        ),
        ComparedInlinePanel("updates", heading="We did: updates", label="Update"),
        ComparedInlinePanel("events", heading="Meetings and events", label="Event"),
    ]
    parent_page_types = ["priorities.BoroughPage"]
    subpage_types = ["newsletters.NewsletterPage"]
    base_form_class = NeighbourhoodPageForm

    class Meta:
        verbose_name = "natural neighbourhood"

    def permissions_for_user(self, user):
        return PagePermissionTester(user, self)  # officers may delete one their borough no longer wants

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["officers"] = self.officers_shown()
        context["updates"] = list(self.updates.all())
        ward_pages = pages_public(WardPage.objects.filter(ward__in=self.wards.all())).select_related("ward__borough")
        context["ward_pages"] = list(ward_pages.order_by("title"))
        # The borough that keeps it: wards of others are named with theirs.
        context["home_borough"] = (
            BoroughPage.objects.filter(path=self.path[: -Page.steplen]).values_list("borough", flat=True).first()
        )
        context["priorities"] = list(
            Priority.objects.filter(ward_page__in=context["ward_pages"], status=Priority.Status.ACTIVE)
            .select_related("ward_page__ward__borough", "category")
            .order_by("ward_page__title", "sort_order")
        )
        context["hear_by"] = [label for value, label in self.HearBy.choices if value in (self.hear_by or [])]
        context["area_map"] = kept_until_published(f"neighbourhood-map:{self.pk}", self._area_map_build)
        return context

    def _area_map_build(self) -> dict | bool:
        """Its outline over the wards it is in, each linked to its page; kept until a page is published."""
        if not self.outline:
            return False
        wards = list(self.wards.values_list("code", flat=True))
        parent = BoroughPage.objects.filter(path=self.path[: -Page.steplen]).values_list("borough", flat=True).first()
        drawing = area_map(self.outline, self.title, parent or "", wards)
        if drawing is None:
            return False
        names = ", ".join(shape.name for shape in drawing.shapes if shape.code in wards)
        return {
            "drawing": drawing.linked(ward_page_urls(wards)),
            "description": f"{self.title}, shaded, across the wards it is in: {names}.",
            "postcodes": self.postcodes.count(),
        }

    def officers_shown(self) -> list[TeamMember]:
        """Its officers, each with their ward team's page, as the page and the lookup name them."""
        return list(self.officers.select_related("ward_page", "photo").order_by("ward_page__title", "sort_order"))

    @property
    def default_description(self) -> str:
        return f"{self.title}: its Safer Neighbourhoods officers, what they did and when to meet them."

    def feed_ward_pages(self) -> list:
        return []

    def feed_neighbourhood_updates(self, ward_pages: list[int]):
        return self.updates.select_related("page").order_by("-date", "-pk")

    def feed_events(self, since) -> list:
        return [(event, self) for event in self.events.filter(ends_at__gte=since)]

    def team_name(self) -> str:
        return f"{self.title} Safer Neighbourhoods officers"

    def calendar_file_name(self) -> str:
        return f"{self.slug}-neighbourhood-meetings.ics"


class NeighbourhoodUpdate(Orderable):
    """What the officers did in a natural neighbourhood, and why: one line of "we did"."""

    page = ParentalKey(NeighbourhoodPage, on_delete=models.CASCADE, related_name="updates")
    date = models.DateField(default=datetime.date.today, help_text="When the officers did it.")
    you_said = models.CharField(
        "You said",
        max_length=200,
        blank=True,
        help_text="Optional: what residents raised, such as 'Cars speeding past the school at home time'.",
    )
    we_did = PriorityUpdate._meta.get_field("we_did").clone()

    panels = [FieldPanel("date"), FieldPanel("you_said"), FieldPanel("we_did")]

    class Meta(Orderable.Meta):
        ordering = ["-date", "sort_order"]

    def __str__(self) -> str:
        return f"{self.date}: {self.we_did[:40]}"

    def clean(self):
        if self.date and self.date > timezone.localdate():
            raise ValidationError({"date": "The date of a “we did” update cannot be in the future."})

    def feed_title(self) -> str:
        return f"{self.page.title}: {self.you_said or 'we did'}"

    def feed_link(self) -> str:
        return f"{self.page.url}#update-{self.pk}"

    def feed_id(self) -> str:
        return f"neighbourhood-update-{self.pk}"

    def feed_author(self) -> str:
        return self.page.team_name()


class NeighbourhoodEvent(EventBase):
    """A natural neighbourhood's own meeting: a street meeting, a stall at the estate's fun day."""

    page = ParentalKey(NeighbourhoodPage, on_delete=models.CASCADE, related_name="events")

    class Meta(EventBase.Meta):
        pass


class NeighbourhoodPostcode(models.Model):
    """A postcode in a published natural neighbourhood: what the lookup reads."""

    page = models.ForeignKey(NeighbourhoodPage, on_delete=models.CASCADE, related_name="postcodes")
    postcode = models.ForeignKey(Postcode, on_delete=models.CASCADE, related_name="neighbourhoods")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["postcode", "page"], name="neighbourhood_postcode_once"),
        ]

    def __str__(self) -> str:
        return f"{self.postcode_id} in {self.page_id}"


PROPOSAL_TEXT_MAX_LENGTH = 1000


class NeighbourhoodProposal(models.Model):
    """A resident's proposal of a natural neighbourhood, from the public form: waiting for its
    borough's officers, who accept it (it becomes a draft page to refine) or decline it. The
    proposer's email address and postcode are optional and personal data: see docs/privacy.md for
    how long they are kept (services.neighbourhood_proposals_purge)."""

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting for an officer"
        ACCEPTED = "accepted", "Accepted: a draft page"
        DECLINED = "declined", "Declined"

    borough_page = models.ForeignKey(BoroughPage, on_delete=models.CASCADE, related_name="neighbourhood_proposals")
    name = models.CharField(max_length=100, help_text="What the resident calls where they live.")
    covers = models.TextField(
        validators=[MaxLengthValidator(PROPOSAL_TEXT_MAX_LENGTH)],
        help_text="The streets, estate or places it covers, in the resident's words.",
    )
    why = models.TextField(
        validators=[MaxLengthValidator(PROPOSAL_TEXT_MAX_LENGTH)], help_text="Why it is one place, in their words."
    )
    postcode = models.CharField(max_length=8, blank=True, help_text="The resident's postcode, if they gave it.")
    email = models.EmailField(blank=True, help_text="Where to reply, if they asked for a reply.")
    # The form's own token (a fresh one each time the form is shown): the same form sent twice is
    # one proposal.
    submission = models.CharField(max_length=64, unique=True, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    received_at = models.DateTimeField(default=timezone.now, editable=False)
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    page = models.ForeignKey(
        NeighbourhoodPage,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="proposals",
        editable=False,
        help_text="The draft page made from it when it was accepted.",
    )

    class Meta:
        ordering = ["received_at", "pk"]
        indexes = [models.Index(fields=["status", "borough_page"], name="proposal_waiting")]

    def __str__(self) -> str:
        return self.name
