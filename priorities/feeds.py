"""Feeds residents can follow without visiting: an iCalendar of meetings and an Atom feed of
"we did" updates, for a ward or a whole borough."""

import datetime

import icalendar
from django.contrib.syndication.views import Feed
from django.http import HttpResponse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from .models import BoroughPage, Event, PriorityUpdate, WardPage

FEED_LENGTH = 50
PAST_EVENTS_KEPT = datetime.timedelta(days=30)


def _ward_pages(page):
    """The ward pages a feed covers: the page itself, or a borough page's live wards."""
    return [page] if isinstance(page, WardPage) else list(WardPage.objects.live().child_of(page))


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
    response["Content-Disposition"] = f'inline; filename="{page.slug}-meetings.ics"'
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
        return "We asked, you said, we did: updates on the priorities residents chose."

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
        return f"update-{update.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, update):
        return timezone.make_aware(datetime.datetime.combine(update.date, datetime.time(12)))
