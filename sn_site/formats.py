"""How the site writes times and short summaries for people, the same on pages, feeds and emails."""

import datetime
import html

from django.utils import timezone
from django.utils.html import strip_tags


def clock_time(moment: datetime.datetime | datetime.time) -> str:
    """A time of day as GOV.UK writes it, in London time: 6:30pm, 6pm, midday, midnight (never
    Django's "6:30 p.m.", which doubles the full stop at the end of a sentence)."""
    if isinstance(moment, datetime.datetime):
        moment = timezone.localtime(moment).time() if timezone.is_aware(moment) else moment.time()
    if (moment.hour, moment.minute) == (12, 0):
        return "midday"
    if (moment.hour, moment.minute) == (0, 0):
        return "midnight"
    hour = moment.hour % 12 or 12
    minutes = f":{moment.minute:02d}" if moment.minute else ""
    return f"{hour}{minutes}{'am' if moment.hour < 12 else 'pm'}"


def plain_summary(text: str, limit: int = 160) -> str:
    """Rich text or plain text as one line of plain text, cut at a word within `limit` characters."""
    # A space before each tag, so that "<p>One.</p><p>Two.</p>" reads "One. Two.", not "One.Two.".
    words = html.unescape(strip_tags((text or "").replace("<", " <"))).split()
    summary = " ".join(words)
    if len(summary) <= limit:
        return summary
    cut = summary[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:.")
    return f"{cut}…"
