"""How the site writes times and short summaries for people, the same on pages, feeds and emails,
and reads the dates people write in files (day first, as in Britain)."""

import datetime
import html

from django.utils import dateformat, timezone
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


# How people write dates in a spreadsheet or a form here: the British day first (25/12/2026), or
# ISO (2026-12-25), as a spreadsheet may save them. Never the American month first.
UK_DATE_INPUT_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")
UK_DATETIME_INPUT_FORMATS = (
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%dT%H:%M:%S",
)


def date_from_text(text: str) -> datetime.date:
    """A date as 25/12/2026 or 2026-12-25; ValueError for anything else."""
    for pattern in UK_DATE_INPUT_FORMATS:
        try:
            return datetime.datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not a date like 25/12/2026")


def moment_from_text(text: str) -> datetime.datetime:
    """A moment as 25/12/2026 18:30 or 2026-12-25 18:30 (London time), or a date alone (the start
    of that day). ValueError for anything else."""
    text = text.strip()
    for pattern in UK_DATETIME_INPUT_FORMATS:
        try:
            return timezone.make_aware(datetime.datetime.strptime(text, pattern))
        except ValueError:
            continue
    try:
        day = date_from_text(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date like 25/12/2026, or a date and time like 25/12/2026 18:30") from None
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def written_date(value: datetime.date | datetime.datetime | None) -> str:
    """A date as people here write it, 19 September 2026; a moment with its time in London,
    19 September 2026, 6:30pm. Empty for none."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        moment = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{dateformat.format(moment, 'j F Y')}, {clock_time(moment)}"
    return dateformat.format(value, "j F Y")
