"""Feeds residents can follow without visiting: an iCalendar of meetings and an Atom feed of
"we did" updates, for a ward or a whole borough."""

import datetime
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpResponse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.text import slugify

from .models import BoroughPage, Event, PriorityUpdate, WardPage
from .selectors import pages_public

FEED_LENGTH = 50
PAST_EVENTS_KEPT = datetime.timedelta(days=30)
# Atom entry ids are tag: URIs minted under the site's own domain, from the year the site began.
FEED_ID_AUTHORITY = urlsplit(settings.WAGTAILADMIN_BASE_URL).hostname or "localhost"
FEED_ID_DATE = "2025"


def _ward_pages(page):
    """The ward pages a feed covers: the page itself, or a borough page's live wards."""
    return [page] if isinstance(page, WardPage) else list(pages_public(WardPage.objects.child_of(page)))


def events_calendar(request, page) -> HttpResponse:
    """Meetings from the last month onwards, as iCalendar (RFC 5545): a ward's, or a borough's own
    and all its wards'."""
    wards = {ward_page.pk: ward_page for ward_page in _ward_pages(page)}
    since = timezone.now() - PAST_EVENTS_KEPT
    events = [
        (event, wards[event.ward_page_id])
        for event in Event.objects.filter(ward_page__in=list(wards), ends_at__gte=since)
    ]
    if isinstance(page, BoroughPage):
        events += [(event, page) for event in page.events.filter(ends_at__gte=since)]
    events.sort(key=lambda pair: pair[0].starts_at)
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Safer Neighbourhoods//Meetings//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{page.title}: Safer Neighbourhoods meetings")
    for event, host in events:
        entry = icalendar.Event()
        entry.add("uid", f"{type(event).__name__.lower()}-{event.pk}@{request.get_host()}")
        entry.add("dtstamp", timezone.now())
        entry.add("dtstart", event.starts_at)
        entry.add("dtend", event.ends_at)
        entry.add("summary", event.title)
        entry.add("location", event.place)
        entry.add("url", request.build_absolute_uri(host.url))
        description = f"{event.get_kind_display()}: {host.title} Safer Neighbourhoods."
        if event.accessibility:
            description += f"\nAccess: {event.accessibility}"
        entry.add("description", description)
        calendar.add_component(entry)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{_calendar_file_name(page)}"'
    return response


def _calendar_file_name(page) -> str:
    """Named after the ward and its borough (ward names repeat across London), or the borough:
    not after the page's address, which editors may change."""
    if isinstance(page, WardPage):
        ward = page.ward
        return f"{slugify(ward.name)}-ward-{slugify(ward.borough.name)}-meetings.ics"
    return f"{slugify(page.borough.name)}-borough-meetings.ics"


def _team_name(page) -> str:
    return f"{page.title} Safer Neighbourhoods Team" + ("" if isinstance(page, WardPage) else "s")


class UpdatesFeed(Feed):
    """What the team did about residents' priorities, newest first, as Atom."""

    feed_type = Atom1Feed

    def __call__(self, request, *args, page=None, **kwargs):
        self.page = page
        return super().__call__(request, *args, **kwargs)

    def get_object(self, request, *args, **kwargs):
        return self.page

    def title(self, page):
        return f"{page.title}: what the Safer Neighbourhoods Team did"

    def link(self, page):
        return page.url

    def subtitle(self, page):
        return "We asked, you said, we did: updates on the priorities residents chose."

    def author_name(self, page):
        return _team_name(page)

    def items(self, page):
        return (
            PriorityUpdate.objects.filter(priority__ward_page__in=[w.pk for w in _ward_pages(page)])
            .select_related("priority", "priority__ward_page")
            .order_by("-date", "-pk")[:FEED_LENGTH]
        )

    def item_title(self, update):
        return f"{update.priority.title}: we did"

    def item_description(self, update):
        # Atom says this summary is HTML, so officers' text is escaped: readers show it as written.
        return escape(update.we_did)

    def item_link(self, update):
        return f"{update.priority.ward_page.url}#priority-{update.priority_id}"

    def item_guid(self, update):
        """A tag: URI (RFC 4151) that never changes: the same update has the same id in its ward's
        feed and its borough's, wherever the page moves."""
        return f"tag:{FEED_ID_AUTHORITY},{FEED_ID_DATE}:priority-update-{update.pk}"

    item_guid_is_permalink = False

    def item_author_name(self, update):
        return _team_name(update.priority.ward_page)

    def item_pubdate(self, update):
        return timezone.make_aware(datetime.datetime.combine(update.date, datetime.time(12)))

    def item_updateddate(self, update):
        return self.item_pubdate(update)
