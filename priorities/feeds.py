"""Feeds residents can follow without visiting: an iCalendar of meetings and an Atom feed of
"we did" updates, for a ward or a whole borough. What each covers, the page says (TeamPage's feed_*
methods); this module writes it out."""

import datetime

import icalendar
from django.contrib.syndication.views import Feed
from django.http import HttpResponse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from sn_site.links import site_hostname

FEED_LENGTH = 50
PAST_EVENTS_KEPT = datetime.timedelta(days=30)
# Atom entry ids are tag: URIs minted under the site's own domain, from the year the site began.
FEED_ID_AUTHORITY = site_hostname()
FEED_ID_DATE = "2025"


def events_calendar(request, page) -> HttpResponse:
    """Meetings from the last month onwards, as iCalendar (RFC 5545): a ward's, or a borough's own
    and all its wards'."""
    events = page.feed_events(since=timezone.now() - PAST_EVENTS_KEPT)
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
    response["Content-Disposition"] = f'inline; filename="{page.calendar_file_name()}"'
    return response


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
        return "We asked, you said, we did: updates on the priorities residents chose, and in their neighbourhoods."

    def author_name(self, page):
        return page.team_name()

    def items(self, page):
        return page.feed_updates()[:FEED_LENGTH]

    # Each item is a priority's update or a natural neighbourhood's: each says its own title, link,
    # id and author (models.PriorityUpdate, models.NeighbourhoodUpdate).

    def item_title(self, update):
        return update.feed_title()

    def item_description(self, update):
        # Atom says this summary is HTML, so officers' text is escaped: readers show it as written.
        return escape(update.we_did)

    def item_link(self, update):
        return update.feed_link()

    def item_guid(self, update):
        """A tag: URI (RFC 4151) that never changes: the same update has the same id in its ward's
        feed and its borough's, wherever the page moves."""
        return f"tag:{FEED_ID_AUTHORITY},{FEED_ID_DATE}:{update.feed_id()}"

    item_guid_is_permalink = False

    def item_author_name(self, update):
        return update.feed_author()

    def item_pubdate(self, update):
        return timezone.make_aware(datetime.datetime.combine(update.date, datetime.time(12)))

    def item_updateddate(self, update):
        return self.item_pubdate(update)
