"""Newsletters: who has asked for them (Subscriber, Subscription, double opt-in), the issues
editors write (NewsletterPage, under a ward's, a borough's or a natural neighbourhood's page,
archived on the site), and each
send (Send) with one Delivery row per recipient, so a send can be resumed without repeats."""

import hashlib
from dataclasses import dataclass, field

from django.conf import settings
from django.db import models
from django.db.models import Q
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from figures.sections import borough_crime_summary, ward_crime_summary
from geography.models import Borough, Ward
from priorities.models import BoroughPage, NeighbourhoodPage, WardPage, pages_public

from .blocks import NewsletterBlocks, default_body
from .panels import SendingPanel


class Subscriber(models.Model):
    """An email address that asked for newsletters. Nothing is sent until it is confirmed, and
    nothing ever again once it bounces hard or complains.

    When a suppressed address's retention period ends (services.subscriber_data_purge), or it is
    erased on request, the row stays as a suppression record only: `email` becomes the SHA-256 of
    the address at a reserved domain (suppression_address), so the address is no longer
    held but asking for newsletters with it again is still refused."""

    class Suppressed(models.TextChoices):
        BOUNCED = "bounced", "Hard bounce"
        COMPLAINED = "complained", "Marked as spam"

    email = models.EmailField(unique=True)  # kept lower case
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    suppressed_at = models.DateTimeField(null=True, blank=True)
    suppressed_reason = models.CharField(max_length=12, choices=Suppressed.choices, blank=True)
    # When the last subscription went: the retention period (SN_SUBSCRIBER_RETENTION_DAYS) counts from here.
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    # Optional, formatted ("SE15 5DB"), a London postcode held when it was given: with a ward's
    # newsletter, it brings the newsletters of the natural neighbourhood it is in (selectors.audience).
    postcode = models.CharField(max_length=8, blank=True)

    def __str__(self) -> str:
        return self.email


SUPPRESSION_DOMAIN = "suppressed.invalid"  # reserved (RFC 2606): nothing can ever be delivered there


def suppression_address(email: str) -> str:
    """What a suppressed address becomes when it is erased: the SHA-256 of the normalised address,
    in the `email` column, at a domain that cannot receive mail. No new column or table is needed,
    the column's uniqueness still holds one row per address, and subscription_request refuses an
    address whose hash is here. Unkeyed on purpose: a keyed hash would stop matching, and so stop
    suppressing, whenever the site's secret key is rotated."""
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    return f"{digest}@{SUPPRESSION_DOMAIN}"


class Subscription(models.Model):
    """One subscriber's newsletter for one ward, one whole borough or one natural neighbourhood."""

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="subscriptions")
    ward = models.ForeignKey(Ward, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    borough = models.ForeignKey(Borough, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    neighbourhood = models.ForeignKey(
        NeighbourhoodPage, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(ward__isnull=False, borough__isnull=True, neighbourhood__isnull=True)
                | Q(ward__isnull=True, borough__isnull=False, neighbourhood__isnull=True)
                | Q(ward__isnull=True, borough__isnull=True, neighbourhood__isnull=False),
                name="subscription_to_one_area",
            ),
            models.UniqueConstraint(fields=["subscriber", "ward"], name="one_subscription_per_ward"),
            models.UniqueConstraint(fields=["subscriber", "borough"], name="one_subscription_per_borough"),
            models.UniqueConstraint(fields=["subscriber", "neighbourhood"], name="one_subscription_per_neighbourhood"),
        ]

    def __str__(self) -> str:
        return f"{self.subscriber}: {self.area_name}"

    @property
    def area(self) -> "Ward | Borough | NeighbourhoodPage":
        return self.ward if self.ward_id else self.borough if self.borough_id else self.neighbourhood

    @property
    def area_name(self) -> str:
        """What a list of newsletters to choose from calls it: "Rye Lane", "Southwark (the whole
        borough)", "Bellenden (natural neighbourhood)"."""
        if self.ward_id:
            return self.ward.name
        if self.borough_id:
            return f"{self.borough.name} (the whole borough)"
        return f"{self.neighbourhood.title} (natural neighbourhood)"

    @property
    def newsletter_name(self) -> str:
        """What a sentence calls it: "the Rye Lane newsletter", "the newsletter for the whole of Southwark"."""
        return newsletter_name(self.area)


def newsletter_name(area: "Ward | Borough | NeighbourhoodPage") -> str:
    """What a sentence calls a ward's, a borough's or a natural neighbourhood's newsletter."""
    if isinstance(area, Borough):
        return f"the newsletter for the whole of {area.name}"
    return f"the {area.title if isinstance(area, NeighbourhoodPage) else area.name} newsletter"


@dataclass
class NewsletterContent:
    area: WardPage | BoroughPage | NeighbourhoodPage
    is_ward: bool
    is_neighbourhood: bool = False
    priorities: list = field(default_factory=list)  # (ward page, [priority, ...]) pairs
    team: list = field(default_factory=list)
    events: list = field(default_factory=list)
    email: str = ""
    phone: str = ""
    crime: object = None  # figures.sections.CrimeSummary of the area; None without figures


class NewsletterPage(Page):
    """One issue of a ward's, a borough's or a natural neighbourhood's newsletter. Its default body
    follows the good-practice structure, filled from the area's live priorities, team and meetings
    when it is shown or sent, so a good issue takes one click; editors reorder blocks and add their
    own. Published, it is the web version, archived under its area's page."""

    summary = models.CharField(
        max_length=200,
        help_text="One sentence for the top of the email and the archive: what is in this issue.",
    )
    body = StreamField(NewsletterBlocks(), default=default_body, use_json_field=True)

    content_panels = [
        SendingPanel(heading="Test and send"),
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [index.SearchField("summary")]
    parent_page_types = ["priorities.WardPage", "priorities.BoroughPage", "priorities.NeighbourhoodPage"]
    subpage_types: list[str] = []
    template = "newsletters/newsletter_page.html"

    class Meta:
        verbose_name = "newsletter"

    @property
    def default_description(self) -> str:
        """For search engines, when the issue has no search description of its own."""
        return self.summary

    def area_page(self) -> WardPage | BoroughPage | NeighbourhoodPage:
        return self.get_parent().specific

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["content"] = self.content()
        return context

    def content(self) -> NewsletterContent:
        """What the issue says besides its own words, read from its area's published page at the
        moment it is shown or sent: priorities, the team, meetings, how to get in touch. A natural
        neighbourhood's: the priorities of the public ward pages it is in, its own officers and meetings."""
        area = self.area_page()
        if isinstance(area, NeighbourhoodPage):
            wards = list(pages_public(WardPage.objects.filter(ward__in=area.wards.all())).order_by("title"))
            return NewsletterContent(
                area=area,
                is_ward=False,
                is_neighbourhood=True,
                priorities=[(ward, priorities) for ward in wards if (priorities := ward.priorities_active())],
                team=area.officers_shown(),
                events=area.events_upcoming(),
                email=area.email,
            )
        if isinstance(area, WardPage):
            return NewsletterContent(
                area=area,
                is_ward=True,
                priorities=[(area, area.priorities_active())],
                team=area.team(),
                events=area.events_upcoming(),
                email=area.email,
                phone=area.phone,
                crime=ward_crime_summary(area.ward_id, area.ward.borough_id),
            )
        wards = list(WardPage.objects.live().child_of(area).order_by("title"))
        return NewsletterContent(
            area=area,
            is_ward=False,
            priorities=[(ward, priorities) for ward in wards if (priorities := ward.priorities_active())],
            events=area.events_upcoming(),
            crime=borough_crime_summary(area.borough_id),
        )


class Send(models.Model):
    """Sending one issue to the people subscribed when "send" was pressed. The email is rendered
    once, here; each message only fills in its own unsubscribe links.

    An issue goes to everyone once (the database holds at most one EVERYONE send per newsletter);
    after that, only to people who subscribed since and have had no copy of it (NEW_SUBSCRIBERS)."""

    class Status(models.TextChoices):
        PREPARING = "preparing", "Preparing"
        SENDING = "sending", "Sending"
        FINISHED = "finished", "Finished"

    class Audience(models.TextChoices):
        EVERYONE = "everyone", "Everyone subscribed"
        NEW_SUBSCRIBERS = "new", "People who subscribed since it was sent"
        # Before an issue could go to everyone only once, it could be sent again in full.
        EVERYONE_AGAIN = "again", "Everyone again"

    newsletter = models.ForeignKey(NewsletterPage, on_delete=models.PROTECT, related_name="sends")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREPARING)
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.EVERYONE)
    subject = models.CharField(max_length=250)
    html = models.TextField()
    text = models.TextField()
    total = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["newsletter"],
                condition=Q(audience="everyone"),
                name="an_issue_goes_to_everyone_once",
                violation_error_message="This issue has already been sent to everyone.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} ({self.created_at:%d %b %Y})"


class Delivery(models.Model):
    """One recipient of one send. A worker claims a row before its email goes out; `handed_over`
    is set just before the message is committed to the mail server, so after a crash a row is
    either safe to send again (claimed, not handed over) or treated as sent (handed over).

    When the subscriber is erased, or the send is older than SN_SUBSCRIBER_RETENTION_DAYS, the row
    keeps its status (so a send's figures stay true) but loses its subscriber and address."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SUPPRESSED = "suppressed", "Suppressed"

    send = models.ForeignKey(Send, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(
        Subscriber, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    email = models.EmailField()
    # The subscription that put the recipient in the audience (the area's own first): the copy's
    # one-click unsubscribe link stops exactly that one.
    subscription = models.ForeignKey(
        Subscription, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    handed_over = models.BooleanField(default=False)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["send", "subscriber"], name="one_delivery_per_recipient")]
        indexes = [models.Index(fields=["send", "status"], name="delivery_send_status")]

    def __str__(self) -> str:
        return f"{self.email}: {self.status}"
